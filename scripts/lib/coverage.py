#!/usr/bin/env python3
"""Line coverage of kflow's headers from a build made with KFLOW_COVERAGE=ON (GCC's gcov).

usage: coverage.py <build-dir> <source-root> [--floor PERCENT] [--jobs N]

Runs `gcov --json-format` on every object of the build (objects whose program never ran count
as not run), keeps the lines of <source-root>/include/kflow, and prints each header's line
coverage with the line numbers no test ran. A line counts as run when any template instance or
inlined copy of it ran. Exits 1 when the total is below --floor.

gcov's JSON is read directly (gcovr 5.2, Debian bookworm's, stops on template functions that
share a name; lcov 1.16 takes minutes per run on a build of this size).
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile


def gcov_json(gcno, scratch):
    """The gcov JSON documents of one object (one per line of gcov's output)."""
    result = subprocess.run(
        ["gcov", "--json-format", "--stdout", "--object-directory", os.path.dirname(gcno), gcno],
        cwd=scratch, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"gcov failed on {gcno}: {result.stderr.strip()}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def ranges(numbers):
    """[1, 2, 3, 7, 9, 10] -> '1-3, 7, 9-10'."""
    out = []
    numbers = sorted(numbers)
    start = prev = None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}-{prev}" if prev != start else f"{start}")
            start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else f"{start}")
    return ", ".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("source_root")
    parser.add_argument("--floor", type=float)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    include = os.path.join(os.path.realpath(args.source_root), "include", "kflow") + os.sep
    objects = []
    for directory, _, files in os.walk(args.build_dir):
        objects += [os.path.join(directory, f) for f in files if f.endswith(".gcno")]
    if not objects:
        sys.exit(f"coverage: no .gcno files under {args.build_dir}: "
                 "was it configured with -DKFLOW_COVERAGE=ON?")
    if not any(f.endswith(".gcda") for _, _, fs in os.walk(args.build_dir) for f in fs):
        sys.exit(f"coverage: no .gcda files under {args.build_dir}: no instrumented program ran")

    # header -> line -> run at least once
    lines = {}
    with tempfile.TemporaryDirectory() as scratch, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for documents in pool.map(lambda o: gcov_json(o, scratch), objects):
            for document in documents:
                cwd = document.get("current_working_directory", "")
                for entry in document["files"]:
                    path = os.path.realpath(os.path.join(cwd, entry["file"]))
                    if not path.startswith(include):
                        continue
                    header = lines.setdefault(path[len(include):], {})
                    for line in entry["lines"]:
                        number = line["line_number"]
                        header[number] = header.get(number, False) or line["count"] > 0

    total = covered = 0
    width = max(len(name) for name in lines) if lines else 10
    print(f"{'include/kflow/':<{width}}  {'lines':>6} {'run':>6} {'cover':>7}  lines never run")
    for name in sorted(lines):
        header = lines[name]
        run = sum(1 for hit in header.values() if hit)
        total += len(header)
        covered += run
        missing = [n for n, hit in header.items() if not hit]
        percent = 100.0 * run / len(header) if header else 100.0
        print(f"{name:<{width}}  {len(header):>6} {run:>6} {percent:>6.1f}%  {ranges(missing)}")
    percent = 100.0 * covered / total if total else 0.0
    print(f"{'total':<{width}}  {total:>6} {covered:>6} {percent:>6.1f}%")

    all_headers = set()
    for directory, _, files in os.walk(include):
        all_headers |= {os.path.relpath(os.path.join(directory, f), include)
                        for f in files if f.endswith(".hpp")}
    unseen = sorted(all_headers - set(lines))
    if unseen:
        print("headers with no executable line in any test program (declarations only, or not "
              "included by a test): " + ", ".join(unseen))

    print(f"line coverage of include/kflow: {percent:.1f}% ({covered} of {total} lines)")
    if args.floor is not None and percent < args.floor:
        print(f"coverage: {percent:.1f}% is below the floor of {args.floor:g}%", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Prints the instructions (Ir) of the timed region of one bench_paths run under callgrind.

    callgrind_timed.py OUT_FILE

OUT_FILE is the --callgrind-out-file given to valgrind. bench_paths dumps its timed region with
CALLGRIND_DUMP_STATS_AT("timed"), which callgrind writes to OUT_FILE.1 (OUT_FILE itself holds
the end of the program). The dump whose trigger names "timed" is read, and its `totals:` line
is printed: with instrumentation on from the start, the `summary:` line of such a dump still
counts other threads' instructions from before CALLGRIND_ZERO_STATS, while `totals:` (the sum
of the costs in the file) does not. Exits 1 unless exactly one such dump exists.
"""

import glob
import sys


def timed_totals(out_file):
    found = []
    for path in sorted(glob.glob(glob.escape(out_file) + "*")):
        trigger = None
        totals = None
        events = None
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("desc: Trigger:"):
                    trigger = line.split(":", 2)[2].strip()
                elif line.startswith("events:"):
                    events = line.split()[1:]
                elif line.startswith("totals:"):
                    totals = [int(x) for x in line.split()[1:]]
        if trigger and trigger.endswith(": timed") and totals is not None:
            index = events.index("Ir") if events and "Ir" in events else 0
            found.append((path, totals[index]))
    if len(found) != 1:
        sys.exit(
            f"{out_file}: expected one callgrind dump of the timed region, found "
            f"{len(found)}: {[p for p, _ in found]}"
        )
    return found[0][1]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(timed_totals(sys.argv[1]))

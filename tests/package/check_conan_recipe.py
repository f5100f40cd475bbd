#!/usr/bin/env python3
"""Checks conan/conanfile.py as far as can be done without Conan installed.

Parses the recipe (a syntax error fails here, not in a user's `conan create`) and checks what
must agree with the CMake project: the name, the version, the minimum dependency versions, the
header-only package type and id, and the CMake target name consumers link to.

usage: check_conan_recipe.py <recipe> <test_package_recipe> <version> <min-librdkafka>
                             <min-boost> <min-nlohmann_json>
"""
import ast
import sys


def fail(message):
    print(f"check_conan_recipe: {message}", file=sys.stderr)
    sys.exit(1)


def parse(path):
    try:
        with open(path, encoding="utf-8") as f:
            return ast.parse(f.read(), filename=path)
    except SyntaxError as e:
        fail(f"{path}:{e.lineno}: {e.msg}")


def conan_file_class(tree, path):
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id == "ConanFile" for b in node.bases):
            return node
    fail(f"{path}: no class deriving from ConanFile")


def attributes(cls):
    found = {}
    for node in cls.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return found


def method_source(cls, name, source):
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(source, node)
    return None


def same_version(a, b):
    def parts(v):
        p = [int(x) for x in v.split(".")]
        return p + [0] * (3 - len(p))
    return parts(a) == parts(b)


def main():
    if len(sys.argv) != 7:
        fail(__doc__.strip().splitlines()[-2].strip())
    recipe, test_recipe, version, min_rdkafka, min_boost, min_json = sys.argv[1:]

    source = open(recipe, encoding="utf-8").read()
    cls = conan_file_class(parse(recipe), recipe)
    attrs = attributes(cls)
    expected = {"name": "kflow", "version": version, "package_type": "header-library"}
    for key, value in expected.items():
        if attrs.get(key) != value:
            fail(f"{recipe}: {key} is {attrs.get(key)!r}, expected {value!r}")
    minimums = {"min_librdkafka": min_rdkafka, "min_boost": min_boost,
                "min_nlohmann_json": min_json}
    for key, value in minimums.items():
        if key not in attrs or not same_version(attrs[key], value):
            fail(f"{recipe}: {key} is {attrs.get(key)!r}, CMakeLists.txt says {value}")

    package_id = method_source(cls, "package_id", source) or ""
    if "self.info.clear()" not in package_id:
        fail(f"{recipe}: package_id() must clear the settings (header-only: one package for all)")
    requirements = method_source(cls, "requirements", source) or ""
    for dependency in ("librdkafka/", "boost/", "nlohmann_json/"):
        if dependency not in requirements:
            fail(f"{recipe}: requirements() does not require {dependency.rstrip('/')}")
    package_info = method_source(cls, "package_info", source) or ""
    for needed in ('"cmake_target_name", "kflow::kflow"', '"cmake_file_name", "kflow"'):
        if needed not in package_info:
            fail(f"{recipe}: package_info() lacks set_property({needed})")

    test_source = open(test_recipe, encoding="utf-8").read()
    test_cls = conan_file_class(parse(test_recipe), test_recipe)
    if "self.tested_reference_str" not in (method_source(test_cls, "requirements", test_source)
                                           or ""):
        fail(f"{test_recipe}: requirements() must require self.tested_reference_str")

    print(f"check_conan_recipe: {recipe} is kflow {version}, header-library, requires "
          f"librdkafka >= {min_rdkafka}, boost >= {min_boost}, nlohmann_json >= {min_json}")


if __name__ == "__main__":
    main()

"""Conan 2 recipe for kflow, a header-only C++20 Kafka client over librdkafka.

From the repository's root:

    conan create conan --build=missing

builds the package and runs test_package/ against it. The recipe's version must equal the one in
the top-level CMakeLists.txt's project() call; kflow's packaging tests check that.
"""
import os

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy
from conan.tools.layout import basic_layout


class KflowConan(ConanFile):
    name = "kflow"
    version = "0.1.0"
    description = ("Header-only C++20 Apache Kafka client over librdkafka with Boost.Asio "
                   "completion tokens")
    topics = ("kafka", "librdkafka", "asio", "coroutines", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    no_copy_source = True

    # The oldest versions kflow is tested with (CMakeLists.txt: KFLOW_MIN_*_VERSION).
    min_librdkafka = "2.0.2"
    min_boost = "1.81.0"
    min_nlohmann_json = "3.11.0"

    # kflow uses Boost's headers only (Asio): no compiled Boost library is needed.
    default_options = {"boost/*:header_only": True}

    def export_sources(self):
        root = os.path.join(self.recipe_folder, "..")
        copy(self, "include/*", src=root, dst=self.export_sources_folder)
        copy(self, "README.md", src=root, dst=self.export_sources_folder)

    def layout(self):
        basic_layout(self, src_folder=".")

    def requirements(self):
        # transitive_headers: kflow's public headers include these libraries' headers.
        self.requires(f"librdkafka/[>={self.min_librdkafka} <3]", transitive_headers=True)
        self.requires(f"boost/[>={self.min_boost}]", transitive_headers=True)
        self.requires(f"nlohmann_json/[>={self.min_nlohmann_json} <4]", transitive_headers=True)

    def package_id(self):
        # Header-only: one package serves every compiler, architecture and build type.
        self.info.clear()

    def validate(self):
        if self.settings.get_safe("compiler.cppstd"):
            check_min_cppstd(self, 20)

    def package(self):
        copy(self, "*.hpp", src=os.path.join(self.source_folder, "include"),
             dst=os.path.join(self.package_folder, "include"))

    def package_info(self):
        # The same names as kflow's own CMake package and pkg-config file.
        self.cpp_info.set_property("cmake_file_name", "kflow")
        self.cpp_info.set_property("cmake_target_name", "kflow::kflow")
        self.cpp_info.set_property("pkg_config_name", "kflow")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.requires = ["librdkafka::rdkafka", "boost::headers",
                                  "nlohmann_json::nlohmann_json"]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]

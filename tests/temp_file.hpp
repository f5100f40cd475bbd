#pragma once
// A file with given contents in the temporary directory, removed when the test ends: the PEM
// files that TLS settings name by path (test_security.cpp and the security integration programs).

#include <kflow/testing/helpers.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

class temp_file {
  public:
    explicit temp_file(std::string_view contents)
        : path_(std::filesystem::temp_directory_path() /
                (kflow::testing::unique_name("kflow-security") + ".pem")) {
        std::ofstream(path_) << contents;
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    [[nodiscard]] std::string path() const { return path_.string(); }

  private:
    std::filesystem::path path_;
};

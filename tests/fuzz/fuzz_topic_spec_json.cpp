// Topic spec files (kflow/admin/topic_spec_json.hpp) from arbitrary text.
//
// read_topic_specs() either returns specs or throws topic_spec_error, as its header documents;
// any other exception ends the run. What it returns
// must be usable: every spec passes check_topic_spec(), names are unique, and writing the specs
// back with to_json() reads back equal, in both document forms. parse_topic_specs() on the same
// document, parsed without the duplicate-key check, must agree with it.

#include <kflow/admin/topic_spec_json.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

void check(bool ok) {
    if (!ok)
        __builtin_trap();
}

std::optional<std::vector<kflow::topic_spec>> read(const std::string& text) {
    std::istringstream in(text);
    try {
        return kflow::read_topic_specs(in, "fuzz.json");
    } catch (const kflow::topic_spec_error& e) {
        check(e.code() == kflow::errc::invalid_config);
        return std::nullopt;
    }
}

std::optional<std::vector<kflow::topic_spec>> parse(const nlohmann::json& document) {
    try {
        return kflow::parse_topic_specs(document);
    } catch (const kflow::topic_spec_error& e) {
        check(e.code() == kflow::errc::invalid_config);
        return std::nullopt;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);

    const auto specs = read(text);
    // Without exceptions: text that is not JSON is the parser's business, not kflow's.
    const auto document = nlohmann::json::parse(text, nullptr, false);
    const auto from_document =
        document.is_discarded() ? std::optional<std::vector<kflow::topic_spec>>() : parse(document);

    if (!specs)
        return 0;
    // The checks read_topic_specs() adds (duplicate keys, the parser's position) only reject.
    check(from_document.has_value() && *from_document == *specs);

    std::set<std::string> names;
    nlohmann::json written = nlohmann::json::array();
    for (const auto& spec : *specs) {
        check(!kflow::check_topic_spec(spec).has_value());
        check(names.insert(spec.name).second);
        written.push_back(spec);
        check(written.back().get<kflow::topic_spec>() == spec);
    }
    check(read(written.dump()) == specs);
    check(read(nlohmann::json{{"topics", written}}.dump(2)) == specs);
    return 0;
}

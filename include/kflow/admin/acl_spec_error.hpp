#pragma once
// An ACL spec that cannot be used, and where exactly the problem is: the file, the entry's
// position in "acls" and the field. Reported as errc::invalid_config, like every other
// configuration kflow rejects.

#include <kflow/error.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace kflow {

/// What is wrong with an ACL spec (or a spec file) and where.
struct acl_spec_problem {
    std::string source;                ///< the file it came from; empty for in-memory specs
    std::optional<std::size_t> index;  ///< the entry's position in "acls", when in one
    std::string field;                 ///< e.g. "principal", "operations[1]"
    std::string reason;                ///< e.g. "unknown operation \"reed\" (did you mean ...)"

    /// `acls.json: acls[2]: field "operations[1]": unknown operation "reed"`; the parts that are
    /// unknown are left out.
    [[nodiscard]] std::string describe() const {
        std::string text;
        const auto append = [&text](const std::string& part) {
            if (!text.empty())
                text += ": ";
            text += part;
        };
        if (!source.empty())
            append(source);
        if (index)
            append("acls[" + std::to_string(*index) + "]");
        if (!field.empty())
            append("field \"" + field + "\"");
        append(reason);
        return text;
    }
};

/// Thrown for an ACL spec that is malformed or that Kafka would refuse, and for a spec file that
/// cannot be read or is not JSON. code() is errc::invalid_config, or the system's error when the
/// file cannot be opened; problem() says where.
class acl_spec_error : public kafka_error {
  public:
    /// code() is `ec` and what() is problem.describe().
    explicit acl_spec_error(acl_spec_problem problem,
                            std::error_code ec = make_error_code(errc::invalid_config))
        : kafka_error(ec, problem.describe()),
          problem_(std::make_shared<const acl_spec_problem>(std::move(problem))) {}

    /// Which entry and which field is wrong, and why.
    [[nodiscard]] const acl_spec_problem& problem() const noexcept { return *problem_; }

  private:
    // Shared: copying an exception must not throw.
    std::shared_ptr<const acl_spec_problem> problem_;
};

}  // namespace kflow

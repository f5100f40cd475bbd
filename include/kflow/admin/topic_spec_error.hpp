#pragma once
// A topic spec that cannot be used, and where exactly the problem is: the file, the topic's
// position and name, and the field. Reported as errc::invalid_config, like every other
// configuration kflow rejects.

#include <kflow/error.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace kflow {

/// What is wrong with a topic spec (or a spec file) and where.
struct topic_spec_problem {
    std::string source;                ///< the file it came from; empty for in-memory specs
    std::optional<std::size_t> index;  ///< the topic's position in the list, when in a list
    std::string topic;                 ///< the topic's name, when it has a usable one
    std::string field;   ///< e.g. "partitions", "replica_assignment[1][0]", "configs.retention.ms"
    std::string reason;  ///< e.g. "expected an integer >= 1, got \"3\""

    /// `topics.json: topics[2] ("orders"): field "partitions": expected an integer >= 1, got "3"`;
    /// the parts that are unknown are left out.
    [[nodiscard]] std::string describe() const {
        std::string text;
        const auto append = [&text](const std::string& part) {
            if (!text.empty())
                text += ": ";
            text += part;
        };
        if (!source.empty())
            append(source);
        if (index) {
            std::string where = "topics[" + std::to_string(*index) + "]";
            if (!topic.empty())
                where += " (\"" + topic + "\")";
            append(where);
        } else if (!topic.empty()) {
            append("topic \"" + topic + "\"");
        }
        if (!field.empty())
            append("field \"" + field + "\"");
        append(reason);
        return text;
    }
};

/// Thrown for a topic spec that is malformed or inconsistent, and for a spec file that cannot be
/// read or is not JSON. code() is errc::invalid_config, or the system's error when the file
/// cannot be opened; problem() says where.
class topic_spec_error : public kafka_error {
  public:
    /// code() is `ec` and what() is problem.describe().
    explicit topic_spec_error(topic_spec_problem problem,
                              std::error_code ec = make_error_code(errc::invalid_config))
        : kafka_error(ec, problem.describe()),
          problem_(std::make_shared<const topic_spec_problem>(std::move(problem))) {}

    /// Which spec (file, position, topic) and which field is wrong, and why.
    [[nodiscard]] const topic_spec_problem& problem() const noexcept { return *problem_; }

  private:
    // Shared: copying an exception must not throw.
    std::shared_ptr<const topic_spec_problem> problem_;
};

}  // namespace kflow

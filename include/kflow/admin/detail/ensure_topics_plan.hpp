#pragma once
// ensure_topics as an I/O-free state machine: it says which admin request comes next, builds
// its input, and takes its answer (or its failure as a whole). The blocking and the Asio forms of
// ensure_topics both drive this one plan, so they decide alike and are tested alike.
//
// The steps, each skipped when it has nothing to do:
//   describe_topics    which topics exist, with how many partitions and replicas (Metadata)
//   describe_configs   the configs of existing topics whose spec names configs
//   create_topics      the missing topics
//   add_partitions     existing topics with fewer partitions than asked (when allowed)
//   alter_incremental  configs that differ, one "set" each (when allowed; librdkafka >= 2.2.0)
//   alter_replace      the same through AlterConfigs with the topic's complete dynamic config
//                      set, when incremental alteration is unavailable

#include <kflow/admin/configs.hpp>
#include <kflow/admin/results.hpp>
#include <kflow/admin/topic_comparison.hpp>
#include <kflow/admin/topic_ensure_result.hpp>
#include <kflow/admin/topic_spec.hpp>
#include <kflow/admin/topic_spec_check.hpp>
#include <kflow/admin/topic_spec_error.hpp>
#include <kflow/admin/topics.hpp>
#include <kflow/metadata.hpp>

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kflow::detail {

enum class ensure_step {
    describe_topics,
    describe_configs,
    create_topics,
    add_partitions,
    alter_incremental,
    alter_replace,
    done,
};

class ensure_topics_plan {
  public:
    /// Throws topic_spec_error for a spec that breaks check_topic_spec's rules or repeats a
    /// name: nothing is sent then.
    ensure_topics_plan(const std::vector<topic_spec>& specs, bool add_partitions,
                       bool alter_configs)
        : add_partitions_(add_partitions), alter_configs_(alter_configs) {
        std::map<std::string, std::size_t> index_of_name;
        for (std::size_t i = 0; i < specs.size(); ++i) {
            if (auto problem = check_topic_spec(specs[i])) {
                problem->index = i;
                throw topic_spec_error(std::move(*problem));
            }
            if (const auto [first, inserted] = index_of_name.emplace(specs[i].name, i); !inserted) {
                throw topic_spec_error(kflow::topic_spec_problem{
                    "", i, specs[i].name, "name",
                    "topics[" + std::to_string(first->second) + "] has the same name"});
            }
            topic t;
            t.spec = specs[i];
            t.result.name = specs[i].name;
            topics_.push_back(std::move(t));
        }
        step_ = topics_.empty() ? ensure_step::done : ensure_step::describe_topics;
    }

    [[nodiscard]] ensure_step next() const noexcept { return step_; }

    /// The admin operation of the current step, for messages.
    [[nodiscard]] std::string_view request_name() const noexcept {
        switch (step_) {
            case ensure_step::describe_topics:
                return "describe_topics";
            case ensure_step::describe_configs:
                return "describe_configs";
            case ensure_step::create_topics:
                return "create_topics";
            case ensure_step::add_partitions:
                return "create_partitions";
            case ensure_step::alter_incremental:
                return "incremental_alter_configs";
            case ensure_step::alter_replace:
                return "alter_configs";
            case ensure_step::done:
                break;
        }
        return "ensure_topics";
    }

    // --- describe_topics ---------------------------------------------------------------------

    [[nodiscard]] std::vector<std::string> topic_names() const {
        std::vector<std::string> names;
        for (const auto& t : topics_)
            names.push_back(t.spec.name);
        return names;
    }

    void topics_described(const std::vector<topic_metadata>& described) {
        for (auto& t : topics_) {
            const topic_metadata* md = nullptr;
            for (const auto& d : described) {
                if (d.name == t.spec.name)
                    md = &d;
            }
            if (md == nullptr) {
                fail(t, make_error_code(RD_KAFKA_RESP_ERR__BAD_MSG),
                     "describe_topics: no answer for this topic");
            } else if (md->error == make_error_code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)) {
                t.result.existed = false;
            } else if (md->error) {
                fail(t, md->error,
                     "describe_topics: " +
                         (md->message.empty() ? md->error.message() : md->message));
            } else {
                t.result.existed = true;
                t.observed.partitions = static_cast<std::int32_t>(md->partitions.size());
                t.observed.replication_factor = static_cast<std::int32_t>(md->replication_factor());
                for (const auto& p : md->partitions)
                    t.observed.replica_assignment.push_back(p.replicas);
                // Nothing to read back when the spec names no configs.
                if (t.spec.configs.empty())
                    t.observed.configs.emplace();
            }
        }
        advance();
    }

    // --- describe_configs --------------------------------------------------------------------

    [[nodiscard]] std::vector<config_resource> configs_to_describe() const {
        std::vector<config_resource> resources;
        for (const auto& t : topics_) {
            if (needs_configs(t))
                resources.push_back(config_resource::topic(t.spec.name));
        }
        return resources;
    }

    void configs_described(const std::vector<resource_configs>& described) {
        for (auto& t : topics_) {
            if (!needs_configs(t))
                continue;
            const resource_configs* rc = nullptr;
            for (const auto& d : described) {
                if (d.resource.type == resource_type::topic && d.resource.name == t.spec.name)
                    rc = &d;
            }
            if (rc == nullptr) {
                configs_unchecked(t, make_error_code(RD_KAFKA_RESP_ERR__BAD_MSG),
                                  "describe_configs: no answer for this topic");
            } else if (rc->error) {
                configs_unchecked(t, rc->error,
                                  "describe_configs: " +
                                      (rc->message.empty() ? rc->error.message() : rc->message));
            } else {
                auto& values = t.observed.configs.emplace();
                for (const auto& entry : rc->entries) {
                    if (entry.value)
                        values.emplace(entry.name, *entry.value);
                    if (entry.source == config_source::dynamic_topic)
                        t.dynamic_configs.push_back(entry);
                }
            }
        }
        advance();
    }

    // --- create_topics -----------------------------------------------------------------------

    [[nodiscard]] std::vector<topic_spec> topics_to_create() const {
        std::vector<topic_spec> specs;
        for (const auto& t : topics_) {
            if (!t.result.existed && !t.result.error)
                specs.push_back(t.spec);
        }
        return specs;
    }

    void topics_created(const std::vector<item_result>& results) {
        for (auto& t : topics_) {
            if (t.result.existed || t.result.error)
                continue;
            const item_result* r = find_item(results, t.spec.name);
            if (r == nullptr) {
                fail(t, make_error_code(RD_KAFKA_RESP_ERR__BAD_MSG),
                     "create_topics: no answer for this topic");
            } else if (r->error) {
                fail(t, r->error, "create_topics: " + item_message(*r));
            } else {
                t.result.actions.push_back(creation_text(t.spec));
            }
        }
        advance();
    }

    // --- add_partitions ----------------------------------------------------------------------

    [[nodiscard]] std::vector<partitions_spec> partitions_to_add() const {
        std::vector<partitions_spec> specs;
        for (const auto& t : topics_) {
            if (!wants_partitions(t))
                continue;
            const auto& diff = *t.result.remaining.partitions;
            std::vector<std::vector<std::int32_t>> new_replicas;
            // An explicit assignment also places the new partitions.
            for (std::size_t p = static_cast<std::size_t>(diff.observed);
                 p < t.spec.replica_assignment.size(); ++p)
                new_replicas.push_back(t.spec.replica_assignment[p]);
            specs.emplace_back(t.spec.name, diff.requested, std::move(new_replicas));
        }
        return specs;
    }

    void partitions_added(const std::vector<item_result>& results) {
        for (auto& t : topics_) {
            if (!wants_partitions(t))
                continue;
            const item_result* r = find_item(results, t.spec.name);
            if (r == nullptr) {
                fail(t, make_error_code(RD_KAFKA_RESP_ERR__BAD_MSG),
                     "create_partitions: no answer for this topic");
            } else if (r->error) {
                fail(t, r->error, "create_partitions: " + item_message(*r));
            } else {
                const auto diff = *t.result.remaining.partitions;
                t.result.actions.push_back(
                    "added " + std::to_string(diff.requested - diff.observed) +
                    " partitions (now " + std::to_string(diff.requested) + ")");
                t.result.remaining.partitions.reset();
                t.result.remaining.replica_placement.clear();
            }
        }
        advance();
    }

    // --- alter_incremental / alter_replace ----------------------------------------------------

    /// One "set" per config that differs.
    [[nodiscard]] std::vector<incremental_config_alteration> incremental_alterations() const {
        std::vector<incremental_config_alteration> alterations;
        for (const auto& t : topics_) {
            if (!wants_configs(t))
                continue;
            std::vector<config_change> changes;
            for (const auto& c : t.result.remaining.configs)
                changes.emplace_back(c.name, config_op::set, c.requested);
            alterations.emplace_back(config_resource::topic(t.spec.name), std::move(changes));
        }
        return alterations;
    }

    /// AlterConfigs replaces a topic's whole dynamic config set: the configs set on the topic
    /// now, with the spec's values over them, so that nothing else is reset to its default.
    [[nodiscard]] std::vector<config_alteration> replacing_alterations() const {
        std::vector<config_alteration> alterations;
        for (const auto& t : topics_) {
            if (!wants_configs(t))
                continue;
            std::map<std::string, std::string> full;
            for (const auto& entry : t.dynamic_configs)
                full.emplace(entry.name, *entry.value);
            for (const auto& [name, value] : t.spec.configs)
                full[name] = value;
            alterations.emplace_back(config_resource::topic(t.spec.name), std::move(full));
        }
        return alterations;
    }

    void configs_altered(const std::vector<config_result>& results) {
        for (auto& t : topics_) {
            if (!wants_configs(t))
                continue;
            const config_result* r = nullptr;
            for (const auto& c : results) {
                if (c.resource.type == resource_type::topic && c.resource.name == t.spec.name)
                    r = &c;
            }
            const std::string op = step_ == ensure_step::alter_incremental
                                       ? "incremental_alter_configs: "
                                       : "alter_configs: ";
            if (r == nullptr) {
                fail(t, make_error_code(RD_KAFKA_RESP_ERR__BAD_MSG),
                     op + "no answer for this topic");
            } else if (r->error) {
                fail(t, r->error, op + (r->message.empty() ? r->error.message() : r->message));
            } else {
                for (const auto& c : t.result.remaining.configs)
                    t.result.actions.push_back("set " + c.name + "=" + c.requested);
                t.result.remaining.configs.clear();
            }
        }
        advance();
    }

    // --- failures ------------------------------------------------------------------------------

    /// The current step's request failed as a whole (nothing reachable, timeout, the broker or
    /// librdkafka does not support it). Every topic it was for reports it; describe_topics'
    /// failure is the caller's to report, since nothing is known then.
    void step_failed(std::error_code ec, const std::string& message) {
        switch (step_) {
            case ensure_step::describe_topics:
            case ensure_step::done:
                step_ = ensure_step::done;
                return;
            case ensure_step::describe_configs:
                for (auto& t : topics_) {
                    if (needs_configs(t))
                        configs_unchecked(t, ec, message);
                }
                break;
            case ensure_step::create_topics:
                for (auto& t : topics_) {
                    if (!t.result.existed && !t.result.error)
                        fail(t, ec, message);
                }
                break;
            case ensure_step::add_partitions:
                for (auto& t : topics_) {
                    if (wants_partitions(t))
                        fail(t, ec, message);
                }
                break;
            case ensure_step::alter_incremental:
                if (incremental_unavailable(ec)) {
                    step_ = ensure_step::alter_replace;
                    refuse_lossy_replacements();
                    if (replacing_alterations().empty())
                        advance();
                    return;
                }
                [[fallthrough]];
            case ensure_step::alter_replace:
                for (auto& t : topics_) {
                    if (wants_configs(t))
                        fail(t, ec, message);
                }
                break;
        }
        advance();
    }

    /// Every topic's result, in spec order. Call once, after next() says done.
    [[nodiscard]] std::vector<topic_ensure_result> results() && {
        std::vector<topic_ensure_result> out;
        for (auto& t : topics_) {
            auto& r = t.result;
            if (r.error)
                r.outcome = topic_outcome::failed;
            else if (!r.existed)
                r.outcome = topic_outcome::created;
            else if (!r.remaining.none())
                r.outcome = topic_outcome::differs;
            else if (!r.actions.empty())
                r.outcome = topic_outcome::altered;
            else
                r.outcome = topic_outcome::up_to_date;
            out.push_back(std::move(r));
        }
        return out;
    }

  private:
    struct topic {
        topic_spec spec;
        observed_topic observed;
        std::vector<config_entry> dynamic_configs;  // set on the topic itself
        topic_ensure_result result;
    };

    [[nodiscard]] static bool needs_configs(const topic& t) {
        return t.result.existed && !t.result.error && !t.observed.configs &&
               !t.result.configs_error;
    }
    [[nodiscard]] bool wants_partitions(const topic& t) const {
        return add_partitions_ && t.result.existed && !t.result.error &&
               t.result.remaining.partitions && t.result.remaining.partitions->can_be_added();
    }
    [[nodiscard]] bool wants_configs(const topic& t) const {
        return alter_configs_ && t.result.existed && !t.result.error && !t.result.configs_error &&
               !t.result.remaining.configs.empty();
    }

    static void fail(topic& t, std::error_code ec, std::string message) {
        if (t.result.error)
            return;  // the first failure is the one to fix
        t.result.error = ec;
        t.result.message = std::move(message);
    }
    static void configs_unchecked(topic& t, std::error_code ec, std::string message) {
        t.result.configs_error = ec;
        t.result.configs_message = std::move(message);
    }

    /// IncrementalAlterConfigs cannot be used: librdkafka is older than 2.2.0, or the brokers
    /// are older than Kafka 2.3.
    [[nodiscard]] static bool incremental_unavailable(std::error_code ec) {
        return ec == errc::unsupported_by_librdkafka ||
               ec == make_error_code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) ||
               ec == make_error_code(RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION);
    }

    /// A sensitive config set on the topic comes back without its value: replacing the set
    /// would drop it, so such a topic is not altered.
    void refuse_lossy_replacements() {
        for (auto& t : topics_) {
            if (!wants_configs(t))
                continue;
            for (const auto& entry : t.dynamic_configs) {
                if (!entry.value) {
                    fail(t, make_error_code(errc::unsupported_by_librdkafka),
                         "alter_configs: cannot change configs without incremental alteration "
                         "(librdkafka 2.2.0): replacing the topic's config set would drop its "
                         "sensitive config '" +
                             entry.name + "', whose value the broker does not return");
                    break;
                }
            }
        }
    }

    void compare_existing() {
        for (auto& t : topics_) {
            if (!t.result.existed || t.result.error)
                continue;
            t.result.found = compare_topic(t.spec, t.observed);
            t.result.remaining = t.result.found;
        }
    }

    /// Moves to the next step that has work to do.
    void advance() {
        const auto has_work = [this](ensure_step s) {
            switch (s) {
                case ensure_step::describe_configs:
                    return !configs_to_describe().empty();
                case ensure_step::create_topics:
                    return !topics_to_create().empty();
                case ensure_step::add_partitions:
                    return !partitions_to_add().empty();
                case ensure_step::alter_incremental:
                    return !incremental_alterations().empty();
                default:
                    return false;
            }
        };
        const auto after = [](ensure_step s) {
            switch (s) {
                case ensure_step::describe_topics:
                    return ensure_step::describe_configs;
                case ensure_step::describe_configs:
                    return ensure_step::create_topics;
                case ensure_step::create_topics:
                    return ensure_step::add_partitions;
                case ensure_step::add_partitions:
                    return ensure_step::alter_incremental;
                default:
                    return ensure_step::done;
            }
        };
        do {
            step_ = after(step_);
            // Once past the describe steps everything that can be known about the existing
            // topics is: compare them, once, before deciding what to change.
            if (step_ != ensure_step::describe_configs && !compared_) {
                compare_existing();
                compared_ = true;
            }
        } while (step_ != ensure_step::done && !has_work(step_));
    }

    [[nodiscard]] static const item_result* find_item(const std::vector<item_result>& results,
                                                      const std::string& name) {
        for (const auto& r : results) {
            if (r.name == name)
                return &r;
        }
        return nullptr;
    }
    [[nodiscard]] static std::string item_message(const item_result& r) {
        return r.message.empty() ? r.error.message() : r.message;
    }
    [[nodiscard]] static std::string creation_text(const topic_spec& spec) {
        const auto partitions = requested_partition_count(spec);
        const auto replication = requested_replication_factor(spec);
        std::string text = "created with ";
        text += partitions ? std::to_string(*partitions) + " partitions"
                           : std::string("the broker's default partition count");
        text += replication ? ", replication factor " + std::to_string(*replication)
                            : std::string(", the broker's default replication factor");
        if (!spec.configs.empty())
            text += ", " + std::to_string(spec.configs.size()) + " configs";
        return text;
    }

    std::vector<topic> topics_;
    bool add_partitions_ = false;
    bool alter_configs_ = false;
    bool compared_ = false;
    ensure_step step_ = ensure_step::done;
};

}  // namespace kflow::detail

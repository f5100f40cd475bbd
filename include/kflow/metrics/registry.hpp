#pragma once
// kflow::metrics::registry: the metric families of a process or component, and their rendering
// in Prometheus' text exposition format 0.0.4. There is no HTTP server here: render_text()
// returns the body, content_type is its Content-Type, and serving it is the application's
// business.
//
//   kflow::metrics::registry reg;
//   auto& sent = reg.counter_family("kafka_producer_messages_total", "Records sent.",
//                                   {"client_id", "topic"});
//   auto& orders = sent.with({"p1", "orders"});  // look up once (a lock) ...
//   orders.inc();                                // ... update often (an atomic add)
//   std::string body = reg.render_text();

#include <kflow/metrics/counter.hpp>
#include <kflow/metrics/family.hpp>
#include <kflow/metrics/gauge.hpp>
#include <kflow/metrics/histogram.hpp>
#include <kflow/metrics/names.hpp>
#include <kflow/metrics/text_format.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace kflow::metrics {

/// A set of metric families, by name, and their rendering in the text exposition format.
///
/// Registering is get-or-create: asking again for a family with the same name, type, help,
/// label names (and, for a histogram, bucket bounds) returns the same family, so independent
/// components can share one. Families live as long as the registry, and references to them
/// stay valid that long.
///
/// The rules, each enforced by throwing kafka_error (errc::invalid_config, which compares equal
/// to std::errc::invalid_argument):
/// - names match `[a-zA-Z_:][a-zA-Z0-9_:]*`; label names match `[a-zA-Z_][a-zA-Z0-9_]*`, do not
///   start with `__`, are unique within a family, and a histogram's are not `le`;
/// - a counter's name ends in `_total`, and a gauge's or histogram's does not (promtool's lint
///   asks the same): the text format 0.0.4 names the counter's samples after the family, so the
///   suffix is part of the name given here;
/// - help text is non-empty UTF-8;
/// - a name already registered with another type, help, label names or bounds is refused, and
///   so is a name that would collide with a histogram's `_bucket`, `_sum` or `_count` samples.
///
/// Thread safety: every member may be called from any thread. Registering and rendering take
/// the registry's mutex; rendering also takes each family's in turn, briefly.
class registry {
  public:
    /// An empty registry.
    registry() = default;
    registry(const registry&) = delete;  ///< not copyable: families are shared by address
    registry& operator=(const registry&) = delete;  ///< not assignable

    /// The counter family `name` (which must end in `_total`), created if it does not exist yet.
    /// @param name the metric name, e.g. "kafka_producer_messages_total"
    /// @param help what it counts, for the `# HELP` line
    /// @param label_names the names of its labels; with() takes their values in this order
    family<counter>& counter_family(std::string name, std::string help,
                                    std::vector<std::string> label_names = {}) {
        return add<counter>(std::move(name), std::move(help), std::move(label_names), {});
    }

    /// The gauge family `name`, created if it does not exist yet.
    /// @param name the metric name, e.g. "kafka_consumer_lag_messages"
    /// @param help what it measures, for the `# HELP` line
    /// @param label_names the names of its labels; with() takes their values in this order
    family<gauge>& gauge_family(std::string name, std::string help,
                                std::vector<std::string> label_names = {}) {
        return add<gauge>(std::move(name), std::move(help), std::move(label_names), {});
    }

    /// The histogram family `name`, created if it does not exist yet.
    /// @param name the metric name, e.g. "kafka_producer_delivery_seconds"
    /// @param help what it observes, for the `# HELP` line
    /// @param label_names the names of its labels (not `le`); with() takes their values in
    ///        this order
    /// @param upper_bounds the bucket upper bounds, finite and strictly ascending (+Inf is
    ///        always added); by default latencies in seconds from 0.5 ms to 10 s
    family<histogram>& histogram_family(
        std::string name, std::string help, std::vector<std::string> label_names = {},
        std::vector<double> upper_bounds = default_latency_buckets()) {
        return add<histogram>(std::move(name), std::move(help), std::move(label_names),
                              detail::checked_upper_bounds(std::move(upper_bounds)));
    }

    /// The number of families registered.
    [[nodiscard]] std::size_t size() const {
        const std::lock_guard lock(mutex_);
        return families_.size();
    }

    /// Every family in the text exposition format 0.0.4 (serve it as content_type): families
    /// sorted by name, each with `# HELP` and `# TYPE` lines and then its children ordered by
    /// label values; families without children are left out. Counters and gauges are updated
    /// while it renders, so values are each read once but not all at the same instant.
    [[nodiscard]] std::string render_text() const {
        const std::lock_guard lock(mutex_);
        std::string out;
        out.reserve(256 * families_.size());
        for (const auto& [name, entry] : families_)
            std::visit([&out](const auto& f) { f->append_text(out); }, entry);
        return out;
    }

  private:
    using entry = std::variant<std::unique_ptr<family<counter>>, std::unique_ptr<family<gauge>>,
                               std::unique_ptr<family<histogram>>>;

    // The names of the samples a family renders, besides its name.
    static std::vector<std::string> sample_names(const std::string& name, metric_type type) {
        if (type == metric_type::histogram)
            return {name + "_bucket", name + "_sum", name + "_count"};
        return {name};
    }

    template <class Metric>
    family<Metric>& add(std::string name, std::string help, std::vector<std::string> label_names,
                        std::vector<double> upper_bounds) {
        constexpr metric_type type = family<Metric>::type();
        const std::string what = std::string(to_string(type)) + " '" + name + "'";
        if (!is_valid_metric_name(name))
            detail::throw_invalid_metric(what + ": not a valid metric name");
        const bool total = name.ends_with("_total");
        if (type == metric_type::counter && !total)
            detail::throw_invalid_metric(what + ": a counter's name must end in _total");
        if (type != metric_type::counter && total)
            detail::throw_invalid_metric(what + ": only a counter's name may end in _total");
        if (help.empty() || !is_valid_utf8(help))
            detail::throw_invalid_metric(what + ": help text must be non-empty UTF-8");
        for (std::size_t i = 0; i < label_names.size(); ++i) {
            const auto& label = label_names[i];
            if (!is_valid_label_name(label))
                detail::throw_invalid_metric(what + ": '" + label + "' is not a valid label name");
            if (type == metric_type::histogram && label == "le")
                detail::throw_invalid_metric(what + ": 'le' is reserved for histogram buckets");
            const auto earlier = label_names.begin() + static_cast<std::ptrdiff_t>(i);
            if (std::find(label_names.begin(), earlier, label) != earlier)
                detail::throw_invalid_metric(what + ": label '" + label + "' appears twice");
        }

        const std::lock_guard lock(mutex_);
        if (const auto it = families_.find(name); it != families_.end()) {
            auto* existing = std::get_if<std::unique_ptr<family<Metric>>>(&it->second);
            if (existing == nullptr)
                detail::throw_invalid_metric(what + ": already registered as another type");
            auto& f = **existing;
            if (f.label_names() != label_names)
                detail::throw_invalid_metric(what + ": already registered with other labels");
            if (f.help() != help)
                detail::throw_invalid_metric(what + ": already registered with other help text");
            if (f.upper_bounds_ != upper_bounds)
                detail::throw_invalid_metric(what + ": already registered with other buckets");
            return f;
        }
        const auto new_samples = sample_names(name, type);
        for (const auto& [other, entry] : families_) {
            const auto other_samples =
                sample_names(other, std::visit([](const auto& f) { return f->type(); }, entry));
            for (const auto& sample : new_samples) {
                if (std::find(other_samples.begin(), other_samples.end(), sample) !=
                        other_samples.end() ||
                    sample == other)
                    detail::throw_invalid_metric(what + ": its samples would collide with '" +
                                                 other + "'");
            }
            for (const auto& sample : other_samples) {
                if (sample == name)
                    detail::throw_invalid_metric(what + ": its name collides with a sample of '" +
                                                 other + "'");
            }
        }
        auto created = std::unique_ptr<family<Metric>>(new family<Metric>(
            name, std::move(help), std::move(label_names), std::move(upper_bounds)));
        auto& ref = *created;
        families_.emplace(std::move(name), std::move(created));
        return ref;
    }

    mutable std::mutex mutex_;
    std::map<std::string, entry, std::less<>> families_;  // by name: the render order
};

/// The registry's families in the text exposition format 0.0.4: registry::render_text().
[[nodiscard]] inline std::string to_prometheus_text(const registry& metrics) {
    return metrics.render_text();
}

}  // namespace kflow::metrics

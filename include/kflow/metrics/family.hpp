#pragma once
// kflow::metrics::family: one metric name with its help text and label names, and a child metric
// (counter, gauge or histogram) per tuple of label values.

#include <kflow/metrics/counter.hpp>
#include <kflow/metrics/gauge.hpp>
#include <kflow/metrics/histogram.hpp>
#include <kflow/metrics/names.hpp>
#include <kflow/metrics/text_format.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kflow::metrics {

class registry;

/// The kind of a metric family, as its `# TYPE` line names it.
enum class metric_type {
    counter,    ///< family<counter>
    gauge,      ///< family<gauge>
    histogram,  ///< family<histogram>
};

/// The name the text format gives `type`: "counter", "gauge" or "histogram".
[[nodiscard]] constexpr std::string_view to_string(metric_type type) noexcept {
    switch (type) {
        case metric_type::counter:
            return "counter";
        case metric_type::gauge:
            return "gauge";
        case metric_type::histogram:
            return "histogram";
    }
    return "untyped";
}

/// The values of a child's labels, in the order of its family's label names.
using label_values = std::vector<std::string>;

/// One child's labels and value, for family::replace().
struct labelled_value {
    label_values labels;  ///< in the order of the family's label names
    double value = 0;     ///< the gauge's value, or the counter's total
};

/// A metric family: a name, help text and a fixed list of label names, and one child metric per
/// tuple of label values, created on first use by with(). `Metric` is counter, gauge or
/// histogram. Families are made by a registry (registry::counter_family() and its siblings) and
/// live as long as it.
///
/// Thread safety: every member may be called from any thread. with(), remove(), clear() and
/// replace() take the family's mutex; the child's own updates take none. So look a child up once
/// and keep the reference:
///
///     auto& sent = family.with({client_id, topic});  // a map look-up under a lock
///     sent.inc();                                     // one atomic add, on every record
///
/// A reference from with() stays valid as long as the registry, unless remove(), clear() or
/// replace() drops that child: use those only on families whose children nobody keeps, such as
/// ones fed from periodic statistics.
template <class Metric>
class family {
  public:
    family(const family&) = delete;             ///< not copyable: the registry owns it
    family& operator=(const family&) = delete;  ///< not assignable

    /// The metric name, as rendered (a histogram's samples add _bucket, _sum and _count).
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// The help text, as given (render_text() escapes it).
    [[nodiscard]] const std::string& help() const noexcept { return help_; }
    /// The label names, in the order with() takes their values.
    [[nodiscard]] const std::vector<std::string>& label_names() const noexcept {
        return label_names_;
    }
    /// counter, gauge or histogram.
    [[nodiscard]] static constexpr metric_type type() noexcept {
        if constexpr (std::same_as<Metric, counter>)
            return metric_type::counter;
        else if constexpr (std::same_as<Metric, gauge>)
            return metric_type::gauge;
        else
            return metric_type::histogram;
    }
    /// The finite bucket upper bounds every child of a histogram family has.
    [[nodiscard]] const std::vector<double>& upper_bounds()
        const noexcept requires std::same_as<Metric, histogram> {
        return upper_bounds_;
    }

    /// The child for `values` (one per label name, in order), created at 0 if it does not
    /// exist yet. Takes the family's lock: keep the reference rather than calling it per update.
    /// Throws kafka_error (errc::invalid_config, which compares equal to
    /// std::errc::invalid_argument) when the number of values is not the number of label names,
    /// or a value is not valid UTF-8.
    [[nodiscard]] Metric& with(const label_values& values) {
        check_arity(values);
        const std::lock_guard lock(mutex_);
        if (const auto it = children_.find(values); it != children_.end())
            return *it->second;
        check_utf8(values);
        auto child = make_child();
        Metric& ref = *child;
        children_.emplace(values, std::move(child));
        return ref;
    }

    /// Removes the child for `values`; returns false when there was none. References to it
    /// dangle from then on. Throws kafka_error (errc::invalid_config) when the number of values
    /// is not the number of label names.
    bool remove(const label_values& values) {
        check_arity(values);
        const std::lock_guard lock(mutex_);
        return children_.erase(values) > 0;
    }

    /// Removes every child (a family without children renders nothing); references to them
    /// dangle from then on.
    void clear() {
        const std::lock_guard lock(mutex_);
        children_.clear();
    }

    /// The number of children.
    [[nodiscard]] std::size_t size() const {
        const std::lock_guard lock(mutex_);
        return children_.size();
    }

    /// Makes the children exactly those of `snapshot`, with its values: a gauge is set, a
    /// counter's total is set (counter::set_total()), and children missing from the snapshot are
    /// removed, all under one lock, so a concurrent render sees the old set or the new one. For
    /// values derived from periodic statistics (per partition, per broker), whose label sets
    /// come and go. Children that stay keep their address, so references to them stay valid.
    ///
    /// Throws kafka_error (errc::invalid_config), and changes nothing, when an entry has the
    /// wrong number of label values or values that are not UTF-8, when two entries have the
    /// same labels, or, for a counter, when a value is negative, NaN or infinite.
    void replace(const std::vector<labelled_value>& snapshot) requires(
        !std::same_as<Metric, histogram>) {
        std::vector<const label_values*> keys;
        keys.reserve(snapshot.size());
        for (const auto& entry : snapshot) {
            check_arity(entry.labels);
            check_utf8(entry.labels);
            if constexpr (std::same_as<Metric, counter>) {
                if (!(entry.value >= 0) || std::isinf(entry.value))
                    detail::throw_invalid_metric("counter '" + name_ +
                                                 "': a total must be finite and >= 0");
            }
            keys.push_back(&entry.labels);
        }
        std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
        if (std::adjacent_find(keys.begin(), keys.end(),
                               [](auto* a, auto* b) { return *a == *b; }) != keys.end())
            detail::throw_invalid_metric("family '" + name_ +
                                         "': the snapshot lists the same labels twice");

        const std::lock_guard lock(mutex_);
        children_map next;
        for (const auto& entry : snapshot) {
            auto node = children_.extract(entry.labels);
            const auto it = node.empty() ? next.emplace(entry.labels, make_child()).first
                                         : next.insert(std::move(node)).position;
            if constexpr (std::same_as<Metric, counter>)
                it->second->set_total(entry.value);
            else
                it->second->set(entry.value);
        }
        children_.swap(next);
    }

  private:
    friend class registry;
    using children_map = std::map<label_values, std::unique_ptr<Metric>>;

    family(std::string name, std::string help, std::vector<std::string> label_names,
           std::vector<double> upper_bounds)
        : name_(std::move(name)),
          help_(std::move(help)),
          label_names_(std::move(label_names)),
          upper_bounds_(std::move(upper_bounds)) {
        // A family without labels has exactly one child: create it, so it renders as 0 from the
        // start instead of appearing only on its first update.
        if (label_names_.empty())
            children_.emplace(label_values{}, make_child());
    }

    std::unique_ptr<Metric> make_child() const {
        if constexpr (std::same_as<Metric, histogram>)
            return std::make_unique<histogram>(upper_bounds_);
        else
            return std::make_unique<Metric>();
    }

    void check_arity(const label_values& values) const {
        if (values.size() == label_names_.size())
            return;
        std::string names;
        for (const auto& label : label_names_)
            names += (names.empty() ? "" : ", ") + label;
        detail::throw_invalid_metric(
            "family '" + name_ + "' has " + std::to_string(label_names_.size()) + " label names (" +
            names + ") but " + std::to_string(values.size()) + " label values were given");
    }

    void check_utf8(const label_values& values) const {
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (!is_valid_utf8(values[i]))
                detail::throw_invalid_metric("family '" + name_ + "': the value of label '" +
                                             label_names_[i] + "' is not valid UTF-8");
        }
    }

    // name{a="x",b="y",le="0.5"} value: the braces only when there is a label.
    void append_sample(std::string& out, std::string_view suffix, const label_values& values,
                       std::string_view le, std::string_view value) const {
        out += name_;
        out += suffix;
        if (!values.empty() || !le.empty()) {
            out += '{';
            for (std::size_t i = 0; i < values.size(); ++i) {
                if (i > 0)
                    out += ',';
                out += label_names_[i];
                out += "=\"";
                detail::append_escaped_label_value(out, values[i]);
                out += '"';
            }
            if (!le.empty()) {
                if (!values.empty())
                    out += ',';
                out += "le=\"";
                out += le;
                out += '"';
            }
            out += '}';
        }
        out += ' ';
        out += value;
        out += '\n';
    }

    static std::string count_text(std::uint64_t count) {
        char buffer[24];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, count);
        return std::string(buffer, result.ptr);
    }

    // The family's lines of the text format; nothing for a family without children.
    void append_text(std::string& out) const {
        const std::lock_guard lock(mutex_);
        if (children_.empty())
            return;
        out += "# HELP ";
        out += name_;
        out += ' ';
        detail::append_escaped_help(out, help_);
        out += "\n# TYPE ";
        out += name_;
        out += ' ';
        out += to_string(type());
        out += '\n';
        for (const auto& [values, child] : children_) {
            if constexpr (std::same_as<Metric, histogram>) {
                const histogram_snapshot s = child->snapshot();
                for (std::size_t i = 0; i < s.upper_bounds.size(); ++i) {
                    append_sample(out, "_bucket", values, format_value(s.upper_bounds[i]),
                                  count_text(s.cumulative_counts[i]));
                }
                append_sample(out, "_bucket", values, "+Inf", count_text(s.count));
                append_sample(out, "_sum", values, {}, format_value(s.sum));
                append_sample(out, "_count", values, {}, count_text(s.count));
            } else {
                append_sample(out, {}, values, {}, format_value(child->value()));
            }
        }
    }

    const std::string name_;
    const std::string help_;
    const std::vector<std::string> label_names_;
    const std::vector<double> upper_bounds_;  // histograms only
    mutable std::mutex mutex_;
    children_map children_;  // ordered by label values: the render order is stable
};

}  // namespace kflow::metrics

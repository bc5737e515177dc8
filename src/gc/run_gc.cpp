// run_gc: removes what plan_gc chose, one item at a time, and says what it freed.
#include "dockerup/gc.hpp"
#include "dockerup/log.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace dockerup {
namespace {

std::string short_id(std::string_view id) {
  if (id.starts_with("sha256:")) return "sha256:" + std::string(id.substr(7, 12));
  return std::string(id.substr(0, 12));
}

/// Never forced: an image that came into use since the run looked is refused by the engine (409)
/// and stays. Docker refuses to delete an image with several tags by ID, so the extra tags are
/// removed first (by name: that only untags) and the image itself last, by ID.
void remove_image(const GcItem& item, Engine& engine) {
  for (std::size_t i = 1; i < item.tags.size(); ++i) engine.remove_image(item.tags[i]);
  engine.remove_image(item.id);
}

}  // namespace

std::string format_size(std::int64_t bytes) {
  constexpr double kib = 1024.0;
  double value = static_cast<double>(bytes);
  if (value < kib) return fmt::format("{} B", bytes);
  if (value < kib * kib) return fmt::format("{:.1f} KiB", value / kib);
  if (value < kib * kib * kib) return fmt::format("{:.1f} MiB", value / (kib * kib));
  return fmt::format("{:.1f} GiB", value / (kib * kib * kib));
}

std::string GcItem::describe() const {
  std::string names = tags.empty() ? "untagged" : fmt::format("{}", fmt::join(tags, ", "));
  return fmt::format("image {} ({}), {}: {}", short_id(id), names, format_size(size), reason);
}

std::vector<std::string> describe_gc_plan(const GcPlan& plan) {
  if (plan.items.empty()) return {"gc: nothing to remove"};
  std::vector<std::string> lines;
  for (const auto& item : plan.items) lines.push_back("would remove " + item.describe());
  lines.push_back(fmt::format("gc would remove {} item(s), freeing up to {}", plan.items.size(),
                              format_size(plan.bytes())));
  return lines;
}

GcReport run_gc(const GcPlan& plan, Engine& engine) {
  GcReport report;
  report.planned = plan;
  for (const auto& item : plan.items) {
    try {
      remove_image(item, engine);
    } catch (const std::exception& e) {
      log_warning("gc: cannot remove {}: {}; kept", item.describe(), e.what());
      report.failures.push_back({item, e.what()});
      continue;
    }
    log_info("gc: removed {}", item.describe());
    report.removed.push_back(item);
    report.bytes_freed += item.size;
  }
  if (!plan.items.empty()) {
    std::string failed = report.failures.empty()
                             ? ""
                             : fmt::format(", {} could not be removed", report.failures.size());
    log_info("gc: removed {} image(s), freed {}{}", report.removed.size(),
             format_size(report.bytes_freed), failed);
  }
  return report;
}

}  // namespace dockerup

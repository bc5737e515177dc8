// plan_gc: which images to remove after a run, and why. Every rule that keeps an image lives in
// protected_images(), so the safety rules can be read in one place.
#include "dockerup/gc.hpp"
#include "dockerup/image_ref.hpp"

#include <fmt/format.h>

namespace dockerup {
namespace {

/// Images nothing may remove: used by a container (any state, anyone's), referenced by a
/// declared spec, or kept for rollback.
std::set<std::string> protected_images(const GcInputs& inputs) {
  std::set<std::string> keep = inputs.keep_images;
  for (const auto& container : inputs.containers) {
    keep.insert(container.image_id);
    // Also by reference, in case the engine reported no image ID for this container.
    if (auto id = find_image_id(container.image, inputs.images)) keep.insert(*id);
  }
  for (const auto& spec : inputs.specs)
    if (auto id = find_image_id(spec.image, inputs.images)) keep.insert(*id);
  return keep;
}

/// Why `image` may go, or "" when it must stay.
std::string removal_reason(const ImageSummary& image, const GcInputs& inputs) {
  if (inputs.known_images.count(image.id))
    return image.tags.empty() ? "dangling and no longer used by any container"
                              : "no longer used by any container";
  if (inputs.mode == GcMode::Aggressive)
    return "not used by any container (gc=aggressive; dockerup did not pull or run it)";
  return {};  // not dockerup's: an operator may want it
}

}  // namespace

GcPlan plan_gc(const GcInputs& inputs) {
  GcPlan plan;
  if (inputs.mode == GcMode::Off) return plan;
  const std::set<std::string> keep = protected_images(inputs);
  for (const auto& image : inputs.images) {
    if (image.id.empty() || keep.count(image.id)) continue;
    std::string reason = removal_reason(image, inputs);
    if (reason.empty()) continue;
    plan.items.push_back({image.id, image.tags, image.size, std::move(reason)});
  }
  return plan;
}

std::int64_t GcPlan::bytes() const {
  std::int64_t total = 0;
  for (const auto& item : items) total += item.size;
  return total;
}

}  // namespace dockerup

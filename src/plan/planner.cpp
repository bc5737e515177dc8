// make_plan: decides, for every declared spec and every observed container, what to do and why.
// Safety rules live here, so they can be read in one place and unit-tested:
// - a container is removed only when the source that declared it was read completely and no
//   longer declares it (never because a source failed, a name is contested, or a cycle);
// - containers dockerup did not create are never touched, except one holding a declared name
//   (adopted by replacement) and, with exclusive=true, undeclared ones;
// - a spec whose image is unavailable changes nothing.
#include "dockerup/image_ref.hpp"
#include "dockerup/labels.hpp"
#include "dockerup/plan.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace dockerup {
namespace {

std::string label(const ContainerSummary& c, std::string_view key) {
  auto it = c.labels.find(std::string(key));
  return it == c.labels.end() ? std::string() : it->second;
}

std::string short_id(std::string_view id) {
  if (id.starts_with("sha256:")) id.remove_prefix(7);
  return std::string(id.substr(0, 12));
}

/// A source is complete when it was read in full this run: the source itself ("user-data") or
/// the directory holding the file is in complete_sources, and the source did not fail.
bool source_is_complete(const std::string& source, const DesiredState& desired) {
  if (source.empty() || desired.failed_sources.count(source)) return false;
  if (desired.complete_sources.count(source)) return true;
  auto slash = source.rfind('/');
  return slash != std::string::npos && desired.complete_sources.count(source.substr(0, slash));
}

class Planner {
 public:
  Planner(const DesiredState& desired, const ObservedState& observed, const PlanOptions& options)
      : desired_(desired), observed_(observed), options_(options) {
    for (const auto& c : observed_.containers) by_docker_name_[c.name] = &c;
  }

  Plan run() {
    auto specs = order_by_dependencies(desired_.specs, plan_.errors);
    for (const auto& spec : desired_.specs) declared_.insert(spec.name);
    plan_undeclared();
    for (const auto& spec : specs) plan_spec(spec);
    return std::move(plan_);
  }

 private:
  void add(ActionType type, std::string name, std::string reason, const ContainerSpec* spec = nullptr,
           std::string container_id = {}, std::string image = {}) {
    Action action{type, std::move(name), std::move(reason), std::nullopt, std::move(container_id),
                  std::move(image)};
    if (spec) action.spec = *spec;
    plan_.actions.push_back(std::move(action));
  }

  bool any_source_failed() const { return !desired_.failed_sources.empty(); }

  // Removals come first, so that names and host ports are free before anything is created;
  // among themselves dependents first (removal_order.cpp).
  void plan_undeclared() {
    for (const auto* removed : dependents_first(observed_.containers)) {
      const auto& c = *removed;
      if (options_.never_remove.count(c.id)) continue;
      if (c.managed()) {
        plan_undeclared_managed(c);
      } else if (options_.exclusive && !declared_.count(c.name) && !any_source_failed() &&
                 !desired_.protected_names.count(c.name)) {
        add(ActionType::Remove, c.name, "not declared anywhere (exclusive=true)", nullptr, c.id);
        plan_.actions.back().uses = used_ids(c);
      }
    }
  }

  void plan_undeclared_managed(const ContainerSummary& c) {
    std::string name = label(c, labels::name);
    if (declared_.count(name) || desired_.protected_names.count(name)) return;  // plan_spec's job
    std::string source = label(c, labels::source);
    if (!source_is_complete(source, desired_)) return;  // unknown is not "undeclared": keep it
    std::string what = c.name == name ? "" : fmt::format(" (leftover {})", c.name);
    add(ActionType::Remove, name,
        fmt::format("no longer declared by {}{}", source, what), nullptr, c.id);
    plan_.actions.back().uses = used_ids(c);
  }

  std::vector<std::string> used_ids(const ContainerSummary& c) const {
    std::vector<std::string> ids;
    for (const auto& used : c.uses)
      if (const auto* target = find_container(observed_.containers, used)) ids.push_back(target->id);
    return ids;
  }

  void plan_spec(const ContainerSpec& spec) {
    const ContainerSummary* existing = find(spec.name);
    existing = repair_leftovers(spec, existing);

    auto image_id = find_image_id(spec.image, observed_.images);
    if (!image_id) {
      plan_missing_image(spec, existing);
      return;
    }
    bool moved = options_.moved_images.count(spec.image) > 0;
    if (moved)  // dry run only: a real run pulled it already
      add(ActionType::Pull, spec.name,
          fmt::format("the registry has a new image under the tag {}", spec.image), &spec, {},
          spec.image);
    if (!existing) {
      add(ActionType::Create, spec.name, fmt::format("no container named {}", spec.name), &spec,
          {}, spec.image);
      plan_.actions.back().managed_value = managed_value_of(*image_id);
      changed_.insert(spec.name);
      return;
    }
    auto why = replace_reason(spec, *existing, *image_id);
    if (!why && moved) why = fmt::format("new image under the same tag ({})", spec.image);
    if (why) {
      add(ActionType::Replace, spec.name, *why, &spec, existing->id, spec.image);
      plan_.actions.back().managed_value = managed_value_of(*image_id);
      changed_.insert(spec.name);
      return;
    }
    plan_not_running(spec, *existing);
  }

  /// Temporary containers of an interrupted replacement (see executor): when the declared name is
  /// free, the best leftover gets it back (a proven "new" one first, else the "old" one); every
  /// other leftover is removed. Returns the container that now holds the declared name.
  const ContainerSummary* repair_leftovers(const ContainerSpec& spec,
                                           const ContainerSummary* existing) {
    // By exact name: an adopted container (no labels) is put aside under the same name.
    const std::string old_name = spec.name + std::string(labels::old_suffix);
    const std::string new_name = spec.name + std::string(labels::new_suffix);
    std::vector<const ContainerSummary*> leftovers;
    for (const auto* c : {find(old_name), find(new_name)})
      if (c) leftovers.push_back(c);
    if (!existing) {
      // A running leftover is a proven new container; otherwise the newest one.
      const ContainerSummary* best = nullptr;
      for (auto* c : leftovers)
        if (!best || (c->running() && !best->running()) ||
            (c->running() == best->running() && c->created > best->created))
          best = c;
      if (best) {
        add(ActionType::Rename, spec.name,
            fmt::format("{} was left by an interrupted replacement; restoring its name", best->name),
            &spec, best->id);
        existing = best;
      }
    }
    for (auto* c : leftovers)
      if (c != existing)
        add(ActionType::Remove, spec.name,
            fmt::format("{} was left by an interrupted replacement", c->name), &spec, c->id);
    return existing;
  }

  void plan_missing_image(const ContainerSpec& spec, const ContainerSummary* existing) {
    if (options_.pulls_attempted) {
      auto failed = options_.pull_errors.find(spec.image);
      std::string cause = failed == options_.pull_errors.end()
                              ? "it is not present locally"
                              : fmt::format("pulling it failed: {}", failed->second);
      plan_.errors.push_back(
          {fmt::format("container {}", spec.name),
           fmt::format("image {} is not available ({}); {}", spec.image, cause,
                       existing ? "the existing container is kept as it is"
                                : "the container is not created")});
      return;
    }
    // Dry run: nothing was pulled, so say what a real run would do first.
    add(ActionType::Pull, spec.name, fmt::format("image {} is not present locally", spec.image),
        &spec, {}, spec.image);
    if (!existing) {
      add(ActionType::Create, spec.name, fmt::format("no container named {}", spec.name), &spec,
          {}, spec.image);
      changed_.insert(spec.name);
    }
  }

  std::optional<std::string> replace_reason(const ContainerSpec& spec, const ContainerSummary& c,
                                            const std::string& image_id) const {
    if (!c.managed())
      return fmt::format("container {} was not created by dockerup; adopting it", c.name);
    if (label(c, labels::spec_hash) != spec_hash(spec))
      return fmt::format("spec changed (declared in {})", spec.source);
    if (c.image_id != image_id)
      return fmt::format("image {} changed: {} -> {}", spec.image, short_id(c.image_id),
                         short_id(image_id));
    for (const auto& dependency : dependencies(spec))
      if (changed_.count(dependency))
        return fmt::format("it depends on {}, which is being recreated", dependency);
    if (c.state == "dead") return std::string("container is dead");
    return std::nullopt;
  }

  void plan_not_running(const ContainerSpec& spec, const ContainerSummary& c) {
    if (c.running()) return;
    // A one-shot container (restart "no") that finished cleanly did its job: starting it every
    // run would re-run it forever (the original removed and relaunched such containers).
    if (c.state == "exited" && c.exit_code == 0 && spec.restart == "no") return;
    add(ActionType::Start, spec.name, fmt::format("container is {} ({})", c.state, c.status),
        &spec, c.id);
  }

  /// The io.dockerup.managed value for a new container of this image (labels.hpp).
  std::string managed_value_of(const std::string& image_id) const {
    for (const auto& image : observed_.images) {
      if (image.id != image_id) continue;
      auto carried = image.labels.find(std::string(labels::managed));
      return std::string(
          labels::managed_value_for(carried == image.labels.end() ? "" : carried->second));
    }
    return std::string(labels::managed_value);
  }

  const ContainerSummary* find(const std::string& docker_name) const {
    auto it = by_docker_name_.find(docker_name);
    return it == by_docker_name_.end() ? nullptr : it->second;
  }

  const DesiredState& desired_;
  const ObservedState& observed_;
  const PlanOptions& options_;
  std::map<std::string, const ContainerSummary*> by_docker_name_;
  std::set<std::string> declared_;
  std::set<std::string> changed_;  // names created or replaced so far, for their dependents
  Plan plan_;
};

}  // namespace

Plan make_plan(const DesiredState& desired, const ObservedState& observed,
               const PlanOptions& options) {
  return Planner(desired, observed, options).run();
}

}  // namespace dockerup

#include "merge.hpp"

#include <algorithm>

namespace dockerup {

namespace {

constexpr const char* kConflictOutcome =
    "neither declaration is used and a running container of that name is left as it is";

}  // namespace

void add_spec(DesiredState& state, ContainerSpec spec) {
  std::string where = "container " + spec.name;
  if (state.protected_names.count(spec.name) != 0) {
    state.errors.push_back(
        {where, fmt::format("declared more than once (again by {}); {}", spec.source,
                            kConflictOutcome)});
    return;
  }
  auto same_name = [&](const ContainerSpec& other) { return other.name == spec.name; };
  auto existing = std::find_if(state.specs.begin(), state.specs.end(), same_name);
  if (existing == state.specs.end()) {
    state.specs.push_back(std::move(spec));
    return;
  }
  state.errors.push_back(
      {where, fmt::format("declared by both {} and {}; {}", existing->source, spec.source,
                          kConflictOutcome)});
  state.protected_names.insert(spec.name);
  state.specs.erase(existing);
}

void merge_states(DesiredState& into, DesiredState from) {
  for (const auto& name : from.protected_names) {
    auto same_name = [&](const ContainerSpec& spec) { return spec.name == name; };
    auto existing = std::find_if(into.specs.begin(), into.specs.end(), same_name);
    if (existing != into.specs.end()) {
      into.errors.push_back({"container " + name,
                             fmt::format("declared by {} and more than once elsewhere; {}",
                                         existing->source, kConflictOutcome)});
      into.specs.erase(existing);
    }
    into.protected_names.insert(name);
  }
  for (auto& spec : from.specs) add_spec(into, std::move(spec));
  into.errors.insert(into.errors.end(), from.errors.begin(), from.errors.end());
  into.failed_sources.merge(from.failed_sources);
  into.complete_sources.merge(from.complete_sources);
}

}  // namespace dockerup

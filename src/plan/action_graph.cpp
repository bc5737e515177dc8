// The dependency graph between the actions of a plan: what the parallel executor may run at the
// same time, and what --dry-run shows as waves.
#include "dockerup/plan.hpp"

#include <algorithm>
#include <map>

namespace dockerup {
namespace {

bool is_undeclared_removal(const Action& action) {
  return action.type == ActionType::Remove && !action.spec;
}

bool is_rolling_replacement(const Action& action) {
  return action.type == ActionType::Replace && action.spec && action.spec->update.rolling;
}

void add_unique(std::vector<std::size_t>& to, std::size_t index) {
  if (std::find(to.begin(), to.end(), index) == to.end()) to.push_back(index);
}

}  // namespace

ActionGraph action_graph(const Plan& plan) {
  ActionGraph graph(plan.actions.size());
  std::map<std::string, std::size_t> last_on_name;  // name -> latest action on it so far
  std::vector<std::size_t> removals;                // undeclared removals so far
  std::optional<std::size_t> last_rolling;
  for (std::size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& action = plan.actions[i];
    auto& after = graph[i];
    if (auto same = last_on_name.find(action.name); same != last_on_name.end())
      add_unique(after, same->second);
    if (action.spec)
      for (const auto& dependency : dependencies(*action.spec))
        if (auto it = last_on_name.find(dependency); it != last_on_name.end())
          add_unique(after, it->second);
    if (is_undeclared_removal(action)) {
      // Dependents first: wait for the removals of the containers that use this one.
      for (auto removal : removals)
        if (std::ranges::count(plan.actions[removal].uses, action.container_id))
          add_unique(after, removal);
      removals.push_back(i);
    } else {
      for (auto removal : removals) add_unique(after, removal);
    }
    if (is_rolling_replacement(action)) {
      if (last_rolling) add_unique(after, *last_rolling);
      last_rolling = i;
    }
    std::sort(after.begin(), after.end());
    last_on_name[action.name] = i;
  }
  return graph;
}

std::vector<int> action_waves(const ActionGraph& graph) {
  std::vector<int> waves(graph.size(), 1);
  for (std::size_t i = 0; i < graph.size(); ++i)
    for (auto before : graph[i]) waves[i] = std::max(waves[i], waves[before] + 1);
  return waves;
}

}  // namespace dockerup

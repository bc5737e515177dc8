// The order to remove observed containers in: a container goes before the containers it uses
// (network container:X, links), the reverse of the order Docker let them be created in, so no
// container loses its network or link target while it is still shutting down.
#include "dockerup/plan.hpp"

#include <map>

namespace dockerup {

const ContainerSummary* find_container(const std::vector<ContainerSummary>& containers,
                                       const std::string& reference) {
  if (reference.empty()) return nullptr;
  const ContainerSummary* by_prefix = nullptr;
  int prefixed = 0;
  for (const auto& c : containers) {
    if (c.name == reference || c.id == reference) return &c;
    if (c.id.starts_with(reference)) by_prefix = &c, ++prefixed;
  }
  return prefixed == 1 ? by_prefix : nullptr;
}

std::vector<const ContainerSummary*> dependents_first(
    const std::vector<ContainerSummary>& containers) {
  // users[i]: the containers that use containers[i].
  std::map<const ContainerSummary*, std::vector<const ContainerSummary*>> users;
  for (const auto& c : containers)
    for (const auto& used : c.uses)
      if (const auto* target = find_container(containers, used); target && target != &c)
        users[target].push_back(&c);

  enum class Mark { None, Visiting, Done };
  std::map<const ContainerSummary*, Mark> marks;
  std::vector<const ContainerSummary*> order;
  // Depth-first: a container is appended after every container that uses it. Docker cannot
  // create a cycle; should a listing show one anyway, the Visiting mark ends the walk there.
  auto visit = [&](auto& self, const ContainerSummary* c) -> void {
    auto& mark = marks[c];
    if (mark != Mark::None) return;
    mark = Mark::Visiting;
    for (const auto* user : users[c]) self(self, user);
    marks[c] = Mark::Done;
    order.push_back(c);
  };
  for (const auto& c : containers) visit(visit, &c);
  return order;
}

}  // namespace dockerup

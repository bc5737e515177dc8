// Topological order of specs by their dependencies (volumes from, links, network container:X).
#include "dockerup/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

namespace dockerup {
namespace {

enum class Mark { None, Visiting, Done };

struct Walk {
  const std::map<std::string, const ContainerSpec*>& by_name;
  std::map<std::string, Mark> marks;
  std::vector<std::string> path;          // names currently being visited, for the cycle message
  std::set<std::string> on_cycle;         // every name found on a cycle (left out of the order)
  std::vector<ContainerSpec> ordered;
  Errors& errors;

  // Depth-first: a spec is appended after all of its dependencies.
  void visit(const std::string& name) {
    auto& mark = marks[name];
    if (mark == Mark::Done) return;
    if (mark == Mark::Visiting) {
      report_cycle(name);
      return;
    }
    mark = Mark::Visiting;
    path.push_back(name);
    const ContainerSpec& spec = *by_name.at(name);
    for (const auto& dependency : dependencies(spec))
      if (by_name.count(dependency)) visit(dependency);
    path.pop_back();
    marks[name] = Mark::Done;
    // Cycle members are marked while still on the path, so they are never appended.
    if (!on_cycle.count(name)) ordered.push_back(spec);
  }

  void report_cycle(const std::string& name) {
    auto start = std::find(path.begin(), path.end(), name);
    std::vector<std::string> cycle(start, path.end());
    cycle.push_back(name);
    for (const auto& member : cycle) on_cycle.insert(member);
    errors.push_back({fmt::format("container {}", name),
                      fmt::format("dependency cycle: {}; none of these containers is changed",
                                  fmt::join(cycle, " -> "))});
  }
};

}  // namespace

std::vector<ContainerSpec> order_by_dependencies(const std::vector<ContainerSpec>& specs,
                                                 Errors& errors) {
  std::map<std::string, const ContainerSpec*> by_name;
  for (const auto& spec : specs) by_name[spec.name] = &spec;
  Walk walk{by_name, {}, {}, {}, {}, errors};
  // Visit in declaration order so independent specs keep the order they were declared in.
  for (const auto& spec : specs) walk.visit(spec.name);
  return walk.ordered;
}

}  // namespace dockerup

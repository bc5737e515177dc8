#include "dockerup/plan.hpp"

#include <doctest/doctest.h>

namespace dockerup {
namespace {

using Graph = ActionGraph;

ContainerSpec spec_named(const std::string& name) {
  ContainerSpec spec;
  spec.name = name;
  spec.image = "app:v1";
  spec.source = "/conf/" + name + ".json";
  return spec;
}

Action act(ActionType type, const ContainerSpec& spec) {
  return {type, spec.name, "test", spec, "id-" + spec.name, spec.image};
}

Action remove_undeclared(const std::string& name) {
  return {ActionType::Remove, name, "not declared", std::nullopt, "id-" + name, ""};
}

}  // namespace

TEST_CASE("independent creates need nothing: one wave") {
  Plan plan;
  for (auto name : {"a", "b", "c"}) plan.actions.push_back(act(ActionType::Create, spec_named(name)));
  CHECK(action_graph(plan) == Graph{{}, {}, {}});
  CHECK(action_waves(action_graph(plan)) == std::vector<int>{1, 1, 1});
}

TEST_CASE("a container waits for the containers it links to, mounts from, or shares a network with") {
  auto db = spec_named("db");
  auto data = spec_named("data");
  auto app = spec_named("app");
  app.links["db"] = "database";
  VolumeSpec from;
  from.kind = VolumeSpec::Kind::From;
  from.from = "data";
  app.volumes.push_back(from);
  auto sidecar = spec_named("sidecar");
  sidecar.network = "container:app";
  auto other = spec_named("other");
  Plan plan;
  plan.actions = {act(ActionType::Create, db), act(ActionType::Create, data),
                  act(ActionType::Replace, app), act(ActionType::Start, sidecar),
                  act(ActionType::Create, other)};
  auto graph = action_graph(plan);
  CHECK(graph == Graph{{}, {}, {0, 1}, {2}, {}});
  CHECK(action_waves(graph) == std::vector<int>{1, 1, 2, 3, 1});
}

TEST_CASE("a dependency that needs no action is not waited for") {
  auto app = spec_named("app");
  app.links["db"] = "db";
  Plan plan;
  plan.actions = {act(ActionType::Create, app)};
  CHECK(action_graph(plan) == Graph{{}});
}

TEST_CASE("actions on one name keep their order; removals of undeclared containers come first") {
  auto web = spec_named("web");
  auto api = spec_named("api");
  Plan plan;
  plan.actions = {remove_undeclared("gone1"), remove_undeclared("gone2"),
                  act(ActionType::Rename, web), act(ActionType::Replace, web),
                  act(ActionType::Create, api)};
  auto graph = action_graph(plan);
  CHECK(graph == Graph{{}, {}, {0, 1}, {0, 1, 2}, {0, 1}});
  CHECK(action_waves(graph) == std::vector<int>{1, 1, 2, 3, 2});
}

TEST_CASE("removals go dependents first: a removal waits for the removals of its users") {
  Plan plan;
  // sidecar uses app's network, app links to db; "other" is unrelated.
  plan.actions = {remove_undeclared("sidecar"), remove_undeclared("app"),
                  remove_undeclared("other"), remove_undeclared("db")};
  plan.actions[0].uses = {"id-app"};
  plan.actions[1].uses = {"id-db"};
  auto graph = action_graph(plan);
  CHECK(graph == Graph{{}, {0}, {}, {1}});
  CHECK(action_waves(graph) == std::vector<int>{1, 2, 1, 3});
}

TEST_CASE("rolling replacements go one at a time; others do not wait for them") {
  auto r1 = spec_named("r1");
  auto r2 = spec_named("r2");
  auto plain = spec_named("plain");
  r1.update.rolling = r2.update.rolling = true;
  Plan plan;
  plan.actions = {act(ActionType::Replace, r1), act(ActionType::Replace, plain),
                  act(ActionType::Replace, r2), act(ActionType::Create, r1)};
  plan.actions[3].name = "r3";
  auto graph = action_graph(plan);
  CHECK(graph == Graph{{}, {}, {0}, {}});
}

TEST_CASE("every dependency comes earlier in the plan: plan order is a valid order") {
  auto a = spec_named("a");
  auto b = spec_named("b");
  b.links["a"] = "a";
  Plan plan;
  plan.actions = {remove_undeclared("x"), act(ActionType::Create, a), act(ActionType::Create, b),
                  act(ActionType::Start, a)};
  auto graph = action_graph(plan);
  for (std::size_t i = 0; i < graph.size(); ++i)
    for (auto before : graph[i]) CHECK(before < i);
}

}  // namespace dockerup

#include "dockerup/labels.hpp"
#include "dockerup/plan.hpp"

#include <doctest/doctest.h>

namespace dockerup {
namespace {

const std::string confdir = "/etc/dockerup/containers.d";

ContainerSpec spec_named(const std::string& name, const std::string& image = "app:v1") {
  ContainerSpec spec;
  spec.name = name;
  spec.image = image;
  spec.source = confdir + "/" + name + ".json";
  return spec;
}

ObservedState with_images() {
  ObservedState observed;
  observed.images.push_back({"sha256:aaa", {"app:v1"}, {}, 1, 1, {}});
  observed.images.push_back({"sha256:bbb", {"app:v2"}, {}, 1, 1, {}});
  return observed;
}

/// The container a previous run would have made for `spec`.
ContainerSummary managed(const ContainerSpec& spec, const std::string& image_id = "sha256:aaa",
                         const std::string& state = "running") {
  ContainerSummary c;
  c.id = "id-" + spec.name;
  c.name = spec.name;
  c.image = spec.image;
  c.image_id = image_id;
  c.state = state;
  c.status = state == "running" ? "Up 1 hour" : "Exited (137) 1 minute ago";
  c.exit_code = state == "running" ? -1 : 137;
  c.labels = {{std::string(labels::managed), "true"},
              {std::string(labels::name), spec.name},
              {std::string(labels::spec_hash), spec_hash(spec)},
              {std::string(labels::source), spec.source}};
  return c;
}

/// A running container someone started by hand: no dockerup labels.
ContainerSummary unlabelled(const std::string& id, const std::string& name,
                            const std::string& image_id = "sha256:aaa") {
  ContainerSummary c;
  c.id = id;
  c.name = name;
  c.image_id = image_id;
  c.state = "running";
  return c;
}

DesiredState declare(std::vector<ContainerSpec> specs) {
  DesiredState desired;
  desired.specs = std::move(specs);
  desired.complete_sources = {confdir};
  return desired;
}

std::vector<std::string> summary(const Plan& plan) {
  std::vector<std::string> lines;
  for (const auto& action : plan.actions)
    lines.push_back(std::string(to_string(action.type)) + " " + action.name);
  return lines;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("a declared container that does not exist is created") {
  auto plan = make_plan(declare({spec_named("web")}), with_images(), {});
  CHECK(summary(plan) == Lines{"create web"});
  CHECK(plan.actions[0].spec->name == "web");
  CHECK(plan.actions[0].reason == "no container named web");
}

TEST_CASE("a container that matches its spec and image is left alone") {
  auto web = spec_named("web");
  auto observed = with_images();
  observed.containers.push_back(managed(web));
  auto plan = make_plan(declare({web}), observed, {});
  CHECK(plan.actions.empty());
  CHECK(plan.errors.empty());
}

TEST_CASE("a changed spec replaces the container and says where it was declared") {
  auto web = spec_named("web");
  auto observed = with_images();
  observed.containers.push_back(managed(web));
  web.env["MODE"] = "fast";
  auto plan = make_plan(declare({web}), observed, {});
  REQUIRE(summary(plan) == Lines{"replace web"});
  CHECK(plan.actions[0].container_id == "id-web");
  CHECK(plan.actions[0].reason == "spec changed (declared in " + web.source + ")");
}

TEST_CASE("an update policy change alone does not replace the container") {
  auto web = spec_named("web");
  auto observed = with_images();
  observed.containers.push_back(managed(web));
  web.update.eager = true;
  CHECK(make_plan(declare({web}), observed, {}).actions.empty());
}

TEST_CASE("a tag that moved to another image replaces the container") {
  auto web = spec_named("web");
  auto observed = with_images();
  observed.containers.push_back(managed(web, "sha256:old"));
  auto plan = make_plan(declare({web}), observed, {});
  REQUIRE(summary(plan) == Lines{"replace web"});
  CHECK(plan.actions[0].reason == "image app:v1 changed: old -> aaa");
}

TEST_CASE("stopped containers are started, finished one-shot containers are not") {
  auto web = spec_named("web");
  auto data = spec_named("data");
  data.restart = "no";
  auto observed = with_images();
  observed.containers.push_back(managed(web, "sha256:aaa", "exited"));
  auto finished = managed(data, "sha256:aaa", "exited");
  finished.exit_code = 0;
  observed.containers.push_back(finished);
  auto plan = make_plan(declare({web, data}), observed, {});
  CHECK(summary(plan) == Lines{"start web"});
}

TEST_CASE("a created-but-never-started container is started") {
  auto web = spec_named("web");
  auto observed = with_images();
  observed.containers.push_back(managed(web, "sha256:aaa", "created"));
  CHECK(summary(make_plan(declare({web}), observed, {})) == Lines{"start web"});
}

TEST_CASE("a managed container whose file was deleted is removed, first") {
  auto web = spec_named("web");
  auto gone = spec_named("gone");
  auto observed = with_images();
  observed.containers.push_back(managed(gone));
  auto plan = make_plan(declare({web}), observed, {});
  CHECK(summary(plan) == Lines{"remove gone", "create web"});
  CHECK(plan.actions[0].reason == "no longer declared by " + gone.source);
}

TEST_CASE("removals are ordered dependents first, whatever order Docker listed them in") {
  auto db = spec_named("db");
  auto app = spec_named("app");
  auto sidecar = spec_named("sidecar");
  auto observed = with_images();
  // Listed dependencies first (Docker lists newest first, but need not).
  observed.containers = {managed(db), managed(app), managed(sidecar)};
  observed.containers[1].uses = {"db"};          // app links to db: by name
  observed.containers[2].uses = {"id-app"};      // sidecar shares app's network: by ID
  auto plan = make_plan(declare({}), observed, {});
  CHECK(summary(plan) == Lines{"remove sidecar", "remove app", "remove db"});
  CHECK(plan.actions[0].uses == std::vector<std::string>{"id-app"});
  CHECK(plan.actions[1].uses == std::vector<std::string>{"id-db"});  // resolved to the ID
  CHECK(action_graph(plan) == ActionGraph{{}, {0}, {1}});
}

TEST_CASE("find_container: by name, by ID, by a unique ID prefix") {
  std::vector<ContainerSummary> containers(2);
  containers[0].id = "abc123";
  containers[0].name = "one";
  containers[1].id = "abd456";
  containers[1].name = "two";
  CHECK(find_container(containers, "two") == &containers[1]);
  CHECK(find_container(containers, "abc123") == &containers[0]);
  CHECK(find_container(containers, "abd") == &containers[1]);
  CHECK(find_container(containers, "ab") == nullptr);  // ambiguous
  CHECK(find_container(containers, "") == nullptr);
  CHECK(find_container(containers, "three") == nullptr);
}

TEST_CASE("nothing is removed when its source failed or was not read completely") {
  auto gone = spec_named("gone");
  auto observed = with_images();
  observed.containers.push_back(managed(gone));

  SUBCASE("the file failed to parse") {
    auto desired = declare({});
    desired.failed_sources.insert(gone.source);
    CHECK(make_plan(desired, observed, {}).actions.empty());
  }
  SUBCASE("the confdir could not be read") {
    DesiredState desired;
    desired.failed_sources.insert(confdir);
    CHECK(make_plan(desired, observed, {}).actions.empty());
  }
  SUBCASE("user-data could not be fetched") {
    auto from_user_data = managed(spec_named("ud"));
    from_user_data.labels[std::string(labels::source)] = "user-data";
    observed.containers = {from_user_data};
    auto desired = declare({});
    desired.failed_sources.insert("user-data");
    CHECK(make_plan(desired, observed, {}).actions.empty());
  }
  SUBCASE("a container from a confdir that is no longer configured") {
    auto elsewhere = managed(spec_named("old"));
    elsewhere.labels[std::string(labels::source)] = "/srv/other/old.json";
    observed.containers = {elsewhere};
    CHECK(make_plan(declare({}), observed, {}).actions.empty());
  }
  SUBCASE("the name is protected (declared twice)") {
    auto desired = declare({});
    desired.protected_names.insert("gone");
    CHECK(make_plan(desired, observed, {}).actions.empty());
  }
}

TEST_CASE("containers dockerup did not create are left alone unless exclusive") {
  auto observed = with_images();
  observed.containers.push_back(unlabelled("hand", "by-hand"));
  auto desired = declare({});

  CHECK(make_plan(desired, observed, {}).actions.empty());

  PlanOptions exclusive;
  exclusive.exclusive = true;
  auto plan = make_plan(desired, observed, exclusive);
  CHECK(summary(plan) == Lines{"remove by-hand"});

  desired.failed_sources.insert("user-data");  // something may declare it: remove nothing
  CHECK(make_plan(desired, observed, exclusive).actions.empty());
}

TEST_CASE("exclusive never removes the container dockerup itself runs in") {
  auto observed = with_images();
  observed.containers.push_back(unlabelled("self", "dockerup", ""));
  PlanOptions exclusive;
  exclusive.exclusive = true;
  exclusive.never_remove = {"self"};
  CHECK(make_plan(declare({}), observed, exclusive).actions.empty());
}

TEST_CASE("a container holding a declared name without dockerup's labels is adopted") {
  auto web = spec_named("web");
  auto observed = with_images();
  observed.containers.push_back(unlabelled("legacy", "web"));
  auto plan = make_plan(declare({web}), observed, {});
  REQUIRE(summary(plan) == Lines{"replace web"});
  CHECK(plan.actions[0].container_id == "legacy");
  CHECK(plan.actions[0].reason.find("not created by dockerup") != std::string::npos);
}

TEST_CASE("an image that could not be pulled changes nothing and is reported") {
  auto web = spec_named("web", "registry.local:5000/app:v3");
  auto fresh = spec_named("fresh", "registry.local:5000/app:v3");
  auto observed = with_images();
  observed.containers.push_back(managed(web));
  PlanOptions options;
  options.pull_errors[web.image] = "connection refused";
  auto plan = make_plan(declare({web, fresh}), observed, options);
  CHECK(plan.actions.empty());
  REQUIRE(plan.errors.size() == 2);
  CHECK(plan.errors[0].where == "container web");
  CHECK(plan.errors[0].message.find("connection refused") != std::string::npos);
  CHECK(plan.errors[0].message.find("kept") != std::string::npos);
}

TEST_CASE("a dry run pulls missing images before creating") {
  PlanOptions dry;
  dry.pulls_attempted = false;
  auto plan = make_plan(declare({spec_named("web", "app:v9")}), with_images(), dry);
  CHECK(summary(plan) == Lines{"pull web", "create web"});
  CHECK(plan.actions[0].image == "app:v9");
}

TEST_CASE("dependencies are created first") {
  auto app = spec_named("app");
  app.volumes.push_back({VolumeSpec::Kind::From, "", "", false, "data"});
  app.links["db"] = "database";
  auto db = spec_named("db");
  auto data = spec_named("data");
  auto sidecar = spec_named("sidecar");
  sidecar.network = "container:app";
  auto plan = make_plan(declare({sidecar, app, db, data}), with_images(), {});
  CHECK(summary(plan) == Lines{"create data", "create db", "create app", "create sidecar"});
}

TEST_CASE("a dependency cycle is an error naming its containers, and they are not touched") {
  auto a = spec_named("a");
  a.links["b"] = "b";
  auto b = spec_named("b");
  b.volumes.push_back({VolumeSpec::Kind::From, "", "", false, "a"});
  auto c = spec_named("c");
  auto observed = with_images();
  observed.containers.push_back(managed(a, "sha256:old"));
  auto plan = make_plan(declare({a, b, c}), observed, {});
  CHECK(summary(plan) == Lines{"create c"});
  REQUIRE(plan.errors.size() == 1);
  CHECK(plan.errors[0].message.find("a -> b -> a") != std::string::npos);
}

TEST_CASE("dependents are recreated with the container they depend on") {
  auto db = spec_named("db");
  auto app = spec_named("app");
  app.links["db"] = "db";
  auto observed = with_images();
  observed.containers.push_back(managed(db, "sha256:old"));
  observed.containers.push_back(managed(app));
  auto plan = make_plan(declare({app, db}), observed, {});
  REQUIRE(summary(plan) == Lines{"replace db", "replace app"});
  CHECK(plan.actions[1].reason == "it depends on db, which is being recreated");
}

TEST_CASE("leftovers of an interrupted replacement are repaired") {
  auto web = spec_named("web");
  auto observed = with_images();

  SUBCASE("only the renamed old container is left: it gets its name back and is started") {
    auto old = managed(web, "sha256:aaa", "exited");
    old.name = "web.dockerup-old";
    observed.containers.push_back(old);
    auto plan = make_plan(declare({web}), observed, {});
    CHECK(summary(plan) == Lines{"rename web", "start web"});
    CHECK(plan.actions[0].container_id == old.id);
  }
  SUBCASE("the declared name exists: the temporary new container is removed") {
    observed.containers.push_back(managed(web));
    auto temp = managed(web);
    temp.id = "temp";
    temp.name = "web.dockerup-new";
    observed.containers.push_back(temp);
    auto plan = make_plan(declare({web}), observed, {});
    CHECK(summary(plan) == Lines{"remove web"});
    CHECK(plan.actions[0].container_id == "temp");
  }
  SUBCASE("leftovers of an undeclared spec are removed with it") {
    auto temp = managed(web);
    temp.name = "web.dockerup-new";
    observed.containers.push_back(temp);
    CHECK(summary(make_plan(declare({}), observed, {})) == Lines{"remove web"});
  }
}

TEST_CASE("describe gives one line with the reason") {
  Action action{ActionType::Replace, "web", "spec changed", std::nullopt, "id", "app:v1"};
  CHECK(action.describe() == "replace web: spec changed");
}


TEST_CASE("managed(): a value the container's image carries too does not count") {
  ObservedState observed;
  observed.images.push_back({"sha256:plain", {"plain:1"}, {}, 0, 0, {}});
  observed.images.push_back(
      {"sha256:forged", {"forged:1"}, {}, 0, 0, {{"io.dockerup.managed", "true"}}});
  auto container = [](std::string image_id, std::string value) {
    ContainerSummary c;
    c.image_id = std::move(image_id);
    if (!value.empty()) c.labels["io.dockerup.managed"] = std::move(value);
    return c;
  };
  observed.containers = {container("sha256:plain", "true"), container("sha256:forged", "true"),
                         container("sha256:forged", "true.own"), container("sha256:plain", "yes"),
                         container("sha256:plain", ""), container("sha256:gone", "true")};
  attach_image_labels(observed);
  CHECK(observed.containers[0].managed());        // an earlier version's container
  CHECK_FALSE(observed.containers[1].managed());  // the label came with the image
  CHECK(observed.containers[2].managed());        // dockerup's container of that image
  CHECK_FALSE(observed.containers[3].managed());  // not one of dockerup's values
  CHECK_FALSE(observed.containers[4].managed());
  CHECK(observed.containers[5].managed());        // image not listed: nothing to compare
  CHECK(observed.containers[1].image_labels.at("io.dockerup.managed") == "true");
}

TEST_CASE("a new container of an image carrying io.dockerup.managed=true gets the other value") {
  DesiredState desired;
  desired.specs = {spec_named("web", "forged:1"), spec_named("db", "plain:1")};
  ObservedState observed;
  observed.images.push_back({"sha256:plain", {"plain:1"}, {}, 0, 0, {}});
  observed.images.push_back(
      {"sha256:forged", {"forged:1"}, {}, 0, 0, {{"io.dockerup.managed", "true"}}});
  Plan plan = make_plan(desired, observed, {});
  REQUIRE(plan.actions.size() == 2);
  for (const auto& action : plan.actions)
    CHECK(action.managed_value == (action.name == "web" ? "true.own" : "true"));
}

}  // namespace dockerup

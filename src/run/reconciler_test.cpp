#include "dockerup/executor.hpp"
#include "dockerup/history.hpp"
#include "dockerup/reconciler.hpp"

#include "conf_spec.hpp"
#include "fake_engine.hpp"
#include "file_size_limit.hpp"
#include "image_id.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace dockerup {
namespace {

using testing::FakeEngine;
using Lines = std::vector<std::string>;

ContainerSpec spec_named(const std::string& name, const std::string& image = "app:v1") {
  return testing::conf_spec(name, image);
}

/// The run failed (exit 1) with exactly one error, which says `what`.
void check_one_error(const RunResult& result, const std::string& what) {
  CHECK(result.exit_code == 1);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].message.find(what) != std::string::npos);
}

struct Host {
  FakeEngine engine;
  std::vector<ContainerSpec> specs;
  std::set<std::string> failed;
  Settings settings;
  History* history = nullptr;

  testing::TempDir temp;
  std::filesystem::path cache = temp.path();

  Host() {
    settings.pull = false;
    settings.start_wait = 0;
    settings.parallel = 1;  // calls in plan order, so tests can compare them; see parallel tests
    settings.cache_dir = cache.string();  // never the host's /var/cache/dockerup
    engine.add_image("app:v1", testing::image_id("v1"));
  }

  RunResult run() {
    RunContext context{.engine = engine,
                       .load_desired =
                           [this](Settings&) {
                             DesiredState desired;
                             desired.specs = specs;
                             desired.failed_sources = failed;
                             desired.complete_sources = {"/conf"};
                             return desired;
                           },
                       .hooks = {.sleep = [](int) {}, .stop_requested = [] { return false; }},
                       .history = history,
                       .now = [] { return std::int64_t{1000}; }};
    return reconcile_once(settings, context);
  }
};

}  // namespace

TEST_CASE("first run creates, second run only lists (O(1) API calls)") {
  Host host;
  host.specs = {spec_named("a"), spec_named("b")};
  auto first = host.run();
  CHECK(first.exit_code == 0);
  CHECK(host.engine.mutations() == Lines{"create a", "start a", "create b", "start b"});

  host.engine.clear_calls();
  auto second = host.run();
  CHECK(second.exit_code == 0);
  CHECK(second.plan.actions.empty());
  CHECK(host.engine.calls() == Lines{"list_containers", "list_images"});
}

TEST_CASE("when containers cannot be listed nothing is changed") {
  Host host;
  host.specs = {spec_named("a")};
  host.engine.fail_on("list_containers", "connection refused");
  auto result = host.run();
  CHECK(result.exit_code == 1);
  CHECK_FALSE(result.observed);
  CHECK(host.engine.mutations().empty());
  CHECK(result.errors.at(0).message.find("nothing was changed") != std::string::npos);
}

TEST_CASE("when images cannot be listed nothing is changed (the original removed everything)") {
  Host host;
  host.run();  // nothing declared yet
  host.specs = {spec_named("a")};
  host.engine.fail_on("list_images", "timeout");
  auto result = host.run();
  CHECK(result.exit_code == 1);
  CHECK(host.engine.mutations().empty());
}

TEST_CASE("a failed file keeps its container; a deleted one removes it") {
  Host host;
  host.specs = {spec_named("a"), spec_named("b")};
  host.run();
  host.specs = {spec_named("b")};
  host.failed = {"/conf/a.json"};
  auto kept = host.run();
  CHECK(kept.plan.actions.empty());
  CHECK(host.engine.container("a"));

  host.failed.clear();
  host.run();
  CHECK_FALSE(host.engine.container("a"));
  CHECK(host.engine.container("b"));
}

TEST_CASE("missing images are pulled even with pull off; a failed pull is an error") {
  Host host;
  host.engine.add_registry_image("app:v2", testing::image_id("v2"));
  host.specs = {spec_named("a", "app:v2"), spec_named("b", "app:v3")};
  auto result = host.run();
  CHECK(result.exit_code == 1);
  CHECK(host.engine.container("a"));
  CHECK_FALSE(host.engine.container("b"));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].where == "container b");
  CHECK(result.errors[0].message.find("manifest unknown") != std::string::npos);
}

TEST_CASE("with pull on, a tag that moved in the registry replaces the container") {
  Host host;
  host.settings.pull = true;
  host.engine.add_registry_image("app:v1", testing::image_id("v1"));
  host.specs = {spec_named("a")};
  host.run();
  auto first_id = host.engine.container("a")->id;

  host.engine.add_registry_image("app:v1", testing::image_id("v1b"));  // pushed again under the same tag
  auto result = host.run();
  CHECK(result.exit_code == 0);
  CHECK(host.engine.container("a")->id != first_id);
  CHECK(host.engine.container("a")->image_id == testing::image_id("v1b"));
}

TEST_CASE("a registry that cannot be reached leaves the running container as it is") {
  Host host;
  host.specs = {spec_named("a")};
  host.run();
  auto id = host.engine.container("a")->id;
  host.settings.pull = true;  // app:v1 is not in the fake registry: the check fails
  auto result = host.run();
  CHECK(host.engine.container("a")->id == id);
  CHECK(host.engine.container("a")->state == "running");
  CHECK(result.exit_code == 0);  // the container runs as declared; the failed check is logged
}

TEST_CASE("a created container that does not stay up fails the run") {
  Host host;
  std::string error;
  SUBCASE("it exits right after creation") {
    host.engine.exits_on_start("app:v1", 2);
    error = "not running";
  }
  SUBCASE("it crash-loops, even while listed as running") {
    host.engine.crash_loops("app:v1", 3);
    error = "restarted 3 time(s)";
  }
  host.specs = {spec_named("a")};
  check_one_error(host.run(), error);
}

TEST_CASE("a dry run changes nothing") {
  Host host;
  host.settings.dry_run = true;
  host.specs = {spec_named("a"), spec_named("b", "app:v9")};
  auto result = host.run();
  CHECK(host.engine.mutations().empty());
  CHECK(result.plan.actions.size() == 3);  // create a, pull app:v9, create b
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("rollback through a run: the previous image comes back and is held there") {
  testing::TempDir dir;
  History history(dir.path());
  Host host;
  host.history = &history;
  host.engine.add_image("app:v2", testing::image_id("v2"));
  host.specs = {spec_named("a", "app:v1")};
  host.run();
  host.specs = {spec_named("a", "app:v2")};
  host.run();
  REQUIRE(host.engine.container("a")->image_id == testing::image_id("v2"));
  auto h = history.load("a");
  REQUIRE(h.previous);
  CHECK(h.previous->image_id == testing::image_id("v1"));

  h.rollback_requested = true;  // what `dockerup rollback a` writes
  history.save(h);
  auto rolled = host.run();
  CHECK(rolled.exit_code == 0);
  CHECK(host.engine.container("a")->image_id == testing::image_id("v1"));
  CHECK(history.load("a").hold);

  host.engine.clear_calls();
  host.run();  // held: the declared app:v2 does not come back
  CHECK(host.engine.mutations().empty());
  CHECK(host.engine.container("a")->image_id == testing::image_id("v1"));

  host.engine.add_image("app:v3", testing::image_id("v3"));
  host.specs = {spec_named("a", "app:v3")};  // a new declaration releases the hold
  host.run();
  CHECK(host.engine.container("a")->image_id == testing::image_id("v3"));
  CHECK_FALSE(history.load("a").hold);
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("after an update the old image is garbage-collected; a dry run only lists it") {
  Host host;
  host.engine.add_image("app:v2", testing::image_id("v2"));
  host.engine.add_image("other:v1", testing::image_id("other"));  // never dockerup's: stays
  host.specs = {spec_named("a", "app:v1")};
  host.run();
  host.specs = {spec_named("a", "app:v2")};

  host.engine.clear_calls();
  host.settings.dry_run = true;
  auto dry = host.run();
  CHECK(host.engine.mutations().empty());
  CHECK(dry.plan.actions.size() == 1);
  host.settings.dry_run = false;
  auto result = host.run();
  CHECK(result.exit_code == 0);
  auto images = host.engine.list_images();
  auto has = [&](const std::string& id) {
    return std::any_of(images.begin(), images.end(), [&](auto& i) { return i.id == id; });
  };
  CHECK_FALSE(has(testing::image_id("v1")));
  CHECK(has(testing::image_id("v2")));
  CHECK(has(testing::image_id("other")));
  REQUIRE(result.gc.removed.size() == 1);
  CHECK(result.gc.removed[0].id == testing::image_id("v1"));

  host.engine.clear_calls();
  host.settings.gc = GcMode::Off;
  host.run();
  CHECK(host.engine.mutations().empty());
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("with rollback history, GC keeps only the previous image of declared containers") {
  Host host;
  History history(host.cache.string() + "/h");
  host.history = &history;
  host.engine.add_image("app:v2", testing::image_id("v2"));
  host.engine.add_image("app:v3", testing::image_id("v3"));
  host.engine.add_image("gone:1", testing::image_id("gone"));
  host.specs = {spec_named("a", "app:v1"), spec_named("g", "gone:1")};
  host.run();
  host.specs = {spec_named("a", "app:v2")};  // g.json deleted
  host.run();
  auto has = [&](const std::string& id) {
    auto images = host.engine.list_images();
    return std::any_of(images.begin(), images.end(), [&](auto& i) { return i.id == id; });
  };
  CHECK_FALSE(has(testing::image_id("gone")));  // a removed spec's image goes
  CHECK(has(testing::image_id("v1")));          // previous of a: kept for rollback
  host.specs = {spec_named("a", "app:v3")};
  host.run();
  CHECK_FALSE(has(testing::image_id("v1")));  // two updates later it goes
  CHECK(has(testing::image_id("v2")));
  CHECK(has(testing::image_id("v3")));
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("the run reports the interval its sources set (user-data \"interval\")") {
  Host host;
  host.settings.interval = 60;
  FakeEngine& engine = host.engine;
  RunContext context{.engine = engine,
                     .load_desired =
                         [](Settings& s) {
                           s.interval = 30;  // what a user-data settings key does
                           return DesiredState{};
                         },
                     .hooks = {.sleep = [](int) {}, .stop_requested = [] { return false; }}};
  CHECK(reconcile_once(host.settings, context).interval == 30);
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("health_timeout reaches the executor: a rolling replacement waits that long, no more") {
  Host host;
  host.engine.add_image("app:v2", "sha256:v2");
  host.engine.health_of("app:v2", "starting");  // never becomes healthy
  host.settings.health_timeout = 3;
  auto spec = spec_named("a");
  spec.update.rolling = true;
  host.specs = {spec};
  host.run();
  auto old_id = host.engine.container("a")->id;

  host.specs[0].image = "app:v2";
  auto result = host.run();
  CHECK(result.exit_code == 1);
  bool timed_out = false;
  for (const auto& error : result.errors)
    timed_out = timed_out || error.message.find("not healthy after 3 s") != std::string::npos;
  CHECK(timed_out);
  CHECK(host.engine.container("a")->id == old_id);  // the previous container is back
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("a dry run asks the registry (read only) and shows a tag that moved as a replace") {
  Host host;
  host.settings.pull = true;
  host.engine.add_registry_image("app:v1", "sha256:v1");
  host.specs = {spec_named("a"), spec_named("b", "app:v2")};
  host.engine.add_image("app:v2", "sha256:v2");
  host.engine.add_registry_image("app:v2", "sha256:v2");
  host.run();  // pulls both: the local images now carry the registry's digests

  host.engine.add_registry_image("app:v1", "sha256:v1b");  // pushed again under the same tag
  host.settings.dry_run = true;
  host.engine.clear_calls();
  auto result = host.run();
  CHECK(host.engine.mutations().empty());
  CHECK(host.engine.calls() == Lines{"list_containers", "list_images", "registry_digest app:v1",
                                     "registry_digest app:v2"});
  std::vector<std::string> described;
  for (const auto& action : result.plan.actions) described.push_back(action.describe());
  CHECK(described == Lines{"pull a: the registry has a new image under the tag app:v1",
                           "replace a: new image under the same tag (app:v1)"});
  CHECK(result.exit_code == 0);
}

TEST_CASE("a dry run with pull off or an unreachable registry promises no replacement") {
  Host host;
  host.specs = {spec_named("a")};
  host.run();
  host.settings.dry_run = true;
  host.engine.clear_calls();
  CHECK(host.run().plan.actions.empty());  // pull=false: the registry is not asked
  CHECK(host.engine.calls() == Lines{"list_containers", "list_images"});
  host.settings.pull = true;               // app:v1 is not in the fake registry: unreachable
  CHECK(host.run().plan.actions.empty());
}

}  // namespace dockerup

namespace dockerup {

// Docker copies an image's labels onto its containers: an image labelled like dockerup's own
// containers must not make a hand-started container look managed (issue 12, finding 5).
TEST_CASE("a container that only carries its image's dockerup labels is not touched") {
  Host host;
  host.engine.add_image("forged:1", testing::image_id("forged"));
  host.engine.label_image(testing::image_id("forged"), {{"io.dockerup.managed", "true"},
                                            {"io.dockerup.name", "gone"},
                                            {"io.dockerup.source", "/conf/gone.json"}});
  ContainerSummary by_hand;
  by_hand.name = "by-hand";
  by_hand.image = "forged:1";
  by_hand.image_id = testing::image_id("forged");
  by_hand.state = "running";
  host.engine.add_container(by_hand);
  REQUIRE(host.engine.container("by-hand")->labels.at("io.dockerup.managed") == "true");

  host.specs = {spec_named("a")};  // "/conf" is read completely and does not declare "gone"
  auto result = host.run();
  CHECK(result.exit_code == 0);
  CHECK(host.engine.container("by-hand"));
  CHECK(host.engine.mutations() == Lines{"create a", "start a"});
}

TEST_CASE("dockerup's own container of an image carrying its labels is still recognised") {
  Host host;
  host.engine.add_image("labelled:1", testing::image_id("labelled"));
  host.engine.label_image(testing::image_id("labelled"), {{"io.dockerup.managed", "true"}});
  host.specs = {spec_named("web", "labelled:1")};
  CHECK(host.run().exit_code == 0);
  const ContainerSummary* web = host.engine.container("web");
  REQUIRE(web);
  CHECK(web->labels.at("io.dockerup.managed") == "true.own");  // not the image's value

  host.engine.clear_calls();
  auto second = host.run();  // recognised: no replacement, no "adopting"
  CHECK(second.plan.actions.empty());
  CHECK(host.engine.mutations().empty());

  host.specs.clear();  // undeclared: its own container goes, as any managed one
  host.run();
  CHECK_FALSE(host.engine.container("web"));
}

TEST_CASE("containers of earlier versions (io.dockerup.managed=true) are still managed") {
  Host host;
  ContainerSummary earlier;
  earlier.name = "old";
  earlier.image = "app:v1";
  earlier.image_id = testing::image_id("v1");
  earlier.state = "running";
  earlier.labels = managed_labels(spec_named("old"));  // what the previous version wrote
  host.engine.add_container(earlier);
  host.specs = {spec_named("old")};
  auto kept = host.run();
  CHECK(kept.plan.actions.empty());  // same spec, same image: recognised, kept

  host.specs.clear();
  auto removed = host.run();
  REQUIRE(removed.plan.actions.size() == 1);
  CHECK(removed.plan.actions[0].reason == "no longer declared by /conf/old.json");
  CHECK_FALSE(host.engine.container("old"));
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("parallel: a run creates many containers at once and the next run is a no-op") {
  Host host;
  host.settings.parallel = 8;
  // (Not "c<i>": the fake engine's container IDs are "c<n>" and it finds by ID or name.)
  for (int i = 0; i < 16; ++i) host.specs.push_back(spec_named("svc" + std::to_string(i)));
  host.engine.meet_on("start svc", 8);  // starts go in groups of eight under way together
  auto first = host.run();
  CHECK(host.engine.meetings_met());
  CHECK(first.exit_code == 0);
  for (int i = 0; i < 16; ++i) CHECK(host.engine.container("svc" + std::to_string(i)));
  host.engine.clear_calls();
  auto second = host.run();
  CHECK(second.plan.actions.empty());
  CHECK(host.engine.calls() == Lines{"list_containers", "list_images"});
}

TEST_CASE("image checks run at the same time, each distinct reference once") {
  Host host;
  host.settings.pull = true;
  host.settings.parallel = 8;
  for (auto ref : {"app:v1", "db:v1", "cache:v1"}) {
    host.engine.add_image(ref, std::string("sha256:") + ref);
    host.engine.add_registry_image(ref, std::string("sha256:") + ref);
  }
  host.specs = {spec_named("a", "app:v1"), spec_named("b", "db:v1"), spec_named("c", "cache:v1"),
                spec_named("d", "app:v1"), spec_named("e", "db:v1")};
  host.engine.meet_on("registry_digest", 3);
  auto result = host.run();
  CHECK(host.engine.meetings_met());
  auto calls = host.engine.calls();
  for (auto ref : {"app:v1", "db:v1", "cache:v1"})
    CHECK(std::count(calls.begin(), calls.end(), std::string("registry_digest ") + ref) == 1);
}

TEST_CASE("a phase that throws is an error of the run with context; the run goes on") {
  Host host;
  host.specs = {spec_named("a")};
  RunContext context{.engine = host.engine,
                     .load_desired =
                         [&host](Settings&) {
                           DesiredState desired;
                           desired.specs = host.specs;
                           desired.complete_sources = {"/conf"};
                           return desired;
                         },
                     .hooks = {.sleep = [](int) {}, .stop_requested = [] { return false; }}};
  context.make_auth = [](const Settings&) -> std::unique_ptr<RegistryAuthSource> {
    throw Failure("credential helper crashed");
  };
  RunResult result;
  CHECK_NOTHROW(result = reconcile_once(host.settings, context));
  CHECK(result.exit_code == 1);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].where == "registry");
  CHECK(result.errors[0].message.find("credential helper crashed") != std::string::npos);
  CHECK(host.engine.container("a"));  // anonymous pulls; the rest of the run still happened
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("cache files that cannot be written are errors of the run; nothing else changes") {
  Host host;
  History history(host.cache.string(), cache_phase::history);
  host.history = &history;
  host.specs = {spec_named("a")};
  RunResult result;
  {
    testing::FileSizeLimit full;  // every write fails, as on a full disk
    result = host.run();
  }
  // Created and running all the same; the history and the image ledger could not be written.
  CHECK(host.engine.mutations() == Lines{"create a", "start a"});
  CHECK(host.engine.container("a")->state == "running");
  CHECK(result.exit_code == 1);
  std::set<std::string> phases;
  for (const auto& error : result.errors) {
    auto phase = cache_error_phase(error);
    REQUIRE_MESSAGE(phase, error.str());
    phases.insert(*phase);
    CHECK(error.message.find("cannot write " + host.cache.string()) == 0);
  }
  CHECK(phases == std::set<std::string>{"history", "gc"});
  CHECK(result.errors.size() == 2);  // each said once

  // With room again the next run is clean, and changes nothing.
  host.engine.clear_calls();
  auto next = host.run();
  CHECK(next.errors.empty());
  CHECK(next.exit_code == 0);
  CHECK(host.engine.mutations().empty());
}

TEST_CASE("a corrupt history file is moved aside, an error of the run that found it") {
  Host host;
  History history(host.cache.string(), cache_phase::history);
  host.history = &history;
  host.specs = {spec_named("a")};
  host.run();
  std::filesystem::create_directories(host.cache / "history");
  {
    std::ofstream torn(host.cache / "history/a.json");
    torn << R"({"name": "a", "rollback_requested": true)";
  }
  auto result = host.run();
  CHECK(host.engine.container("a")->state == "running");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].where == "cache (history)");
  CHECK(result.errors[0].message.find("moved aside") != std::string::npos);
  CHECK(result.exit_code == 1);
  CHECK(host.run().errors.empty());  // said once: the next run finds no file
}

}  // namespace dockerup

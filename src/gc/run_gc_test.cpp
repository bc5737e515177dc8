#include "dockerup/gc.hpp"
#include "dockerup/gc_ledger.hpp"
#include "dockerup/labels.hpp"
#include "dockerup/atomic_file.hpp"
#include "dockerup/lkg.hpp"

#include "fake_engine.hpp"
#include "file_size_limit.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace dockerup {
namespace {

using testing::FakeEngine;
using Calls = std::vector<std::string>;
using Ids = std::set<std::string>;

using testing::TempDir;

GcItem item(std::string id, std::vector<std::string> tags, std::int64_t size) {
  return {std::move(id), std::move(tags), size, "no longer used by any container"};
}

bool has_image(FakeEngine& engine, const std::string& id) {
  auto images = engine.list_images();
  return std::any_of(images.begin(), images.end(), [&](auto& i) { return i.id == id; });
}

ContainerSummary managed(std::string name, std::string image_ref, std::string image_id) {
  ContainerSummary c;
  c.name = name;
  c.image = std::move(image_ref);
  c.image_id = std::move(image_id);
  c.state = "running";
  c.labels = {{std::string(labels::managed), "true"}, {std::string(labels::name), name}};
  return c;
}

ContainerSpec spec(std::string name, std::string image_ref) {
  ContainerSpec s;
  s.name = std::move(name);
  s.image = std::move(image_ref);
  s.source = "/etc/dockerup/containers.d/" + s.name + ".json";
  return s;
}

/// What a run tells GC, owning the lists GcRunFacts refers to.
struct FinishedRun {
  bool complete = true;
  std::set<std::string> failed_sources;
  std::vector<ContainerSpec> specs;
  std::vector<ContainerSummary> before, after;
  std::vector<ImageSummary> images;

  operator GcRunFacts() const {
    return {.observed_completely = complete, .failed_sources = failed_sources, .specs = specs,
            .containers_before = before, .containers_after = after, .images_after = images};
  }
};

/// A complete run: the engine as it is now.
FinishedRun finished_run(FakeEngine& engine, std::vector<ContainerSpec> specs) {
  FinishedRun run;
  run.specs = std::move(specs);
  run.after = engine.list_containers();
  run.images = engine.list_images();
  engine.clear_calls();
  return run;
}

Settings gc_settings(const TempDir& cache, GcMode mode = GcMode::On) {
  Settings settings;
  settings.cache_dir = cache.path();
  settings.gc = mode;
  return settings;
}

/// A host where "web" ran app:v1 (sha256:v1) and now runs app:v2 (sha256:v2) after an update:
/// the first run recorded sha256:v1 in the ledger, the second finds it unused.
struct UpdatedHost {
  FakeEngine engine;
  TempDir cache;
  std::string web_id;

  UpdatedHost() {
    engine.add_image("app:v1", "sha256:v1");
    engine.add_image("tools:1", "sha256:tools");  // never dockerup's
    web_id = engine.add_container(managed("web", "app:v1", "sha256:v1"));
    collect_garbage(gc_settings(cache), finished_run(engine, {spec("web", "app:v1")}), engine, {});

    engine.add_image("app:v1", "sha256:v2");  // the tag moved: sha256:v1 is now dangling
    engine.remove(web_id, true);
    engine.add_container(managed("web", "app:v1", "sha256:v2"));
  }

  FinishedRun second_run() { return finished_run(engine, {spec("web", "app:v1")}); }
};

}  // namespace

TEST_CASE("run_gc removes every planned image and counts the bytes") {
  FakeEngine engine;
  engine.add_image("a:1", "sha256:a");
  engine.add_image("b:1", "sha256:b");
  GcPlan plan{{item("sha256:a", {"a:1"}, 1000), item("sha256:b", {"b:1"}, 500)}};
  GcReport report = run_gc(plan, engine);
  CHECK(engine.mutations() == Calls{"remove_image sha256:a", "remove_image sha256:b"});
  CHECK(report.removed.size() == 2);
  CHECK(report.failures.empty());
  CHECK(report.bytes_freed == 1500);
  CHECK_FALSE(report.dry_run);
  CHECK_FALSE(has_image(engine, "sha256:a"));
}

TEST_CASE("run_gc goes on after an image that came into use (409) and reports it") {
  FakeEngine engine;
  engine.add_image("a:1", "sha256:a");
  engine.add_image("b:1", "sha256:b");
  engine.add_image("c:1", "sha256:c");
  ContainerSummary started;
  started.name = "by-hand";
  started.image = "b:1";
  started.image_id = "sha256:b";
  started.state = "running";
  engine.add_container(started);  // started after GC planned

  GcPlan plan{{item("sha256:a", {"a:1"}, 1), item("sha256:b", {"b:1"}, 2),
               item("sha256:c", {"c:1"}, 4)}};
  GcReport report = run_gc(plan, engine);
  CHECK(engine.mutations() ==
        Calls{"remove_image sha256:a", "remove_image sha256:b", "remove_image sha256:c"});
  REQUIRE(report.failures.size() == 1);
  CHECK(report.failures[0].item.id == "sha256:b");
  CHECK(report.failures[0].error.find("in use") != std::string::npos);
  CHECK(report.removed.size() == 2);
  CHECK(report.bytes_freed == 5);
  CHECK(has_image(engine, "sha256:b"));
}

TEST_CASE("run_gc untags an image with several tags before removing it by ID") {
  FakeEngine engine;
  engine.add_image("a:1", "sha256:a");
  engine.add_image("a:latest", "sha256:a");
  GcReport report = run_gc(GcPlan{{item("sha256:a", {"a:1", "a:latest"}, 1)}}, engine);
  CHECK(engine.mutations() == Calls{"remove_image a:latest", "remove_image sha256:a"});
  CHECK(report.removed.size() == 1);
}

TEST_CASE("run_gc with an empty plan touches nothing") {
  FakeEngine engine;
  GcReport report = run_gc(GcPlan{}, engine);
  CHECK(engine.calls().empty());
  CHECK(report.removed.empty());
  CHECK(report.bytes_freed == 0);
}

TEST_CASE("collect_garbage removes the image an update left behind, and nothing else") {
  UpdatedHost host;
  GcReport report = collect_garbage(gc_settings(host.cache), host.second_run(), host.engine, {});
  CHECK(host.engine.mutations() == Calls{"remove_image sha256:v1"});
  REQUIRE(report.removed.size() == 1);
  CHECK(report.removed[0].reason.find("dangling") != std::string::npos);
  CHECK(has_image(host.engine, "sha256:v2"));
  CHECK(has_image(host.engine, "sha256:tools"));
  // The ledger forgot the removed image and remembers the one in use.
  CHECK(ImageLedger::load(host.cache.path()).images() == Ids{"sha256:v2"});
}

TEST_CASE("collect_garbage keeps the previous image while the rollback history needs it") {
  UpdatedHost host;
  collect_garbage(gc_settings(host.cache), host.second_run(), host.engine, {"sha256:v1"});
  CHECK(host.engine.mutations().empty());
  CHECK(ImageLedger::load(host.cache.path()).contains("sha256:v1"));

  // Once the history lets it go, the next run removes it.
  collect_garbage(gc_settings(host.cache), host.second_run(), host.engine, {});
  CHECK(host.engine.mutations() == Calls{"remove_image sha256:v1"});
}

TEST_CASE("collect_garbage removes the image of a removed spec") {
  FakeEngine engine;
  TempDir cache;
  engine.add_image("worker:3", "sha256:worker");
  std::string id = engine.add_container(managed("worker", "worker:3", "sha256:worker"));
  collect_garbage(gc_settings(cache), finished_run(engine, {spec("worker", "worker:3")}), engine,
                  {});
  CHECK(engine.mutations().empty());

  engine.remove(id, true);  // the planner removed it: the spec is gone
  collect_garbage(gc_settings(cache), finished_run(engine, {}), engine, {});
  CHECK(engine.mutations() == Calls{"remove_image sha256:worker"});
}

TEST_CASE("collect_garbage with gc=aggressive also removes images dockerup never touched") {
  UpdatedHost host;
  GcReport report = collect_garbage(gc_settings(host.cache, GcMode::Aggressive),
                                    host.second_run(), host.engine, {});
  CHECK(host.engine.mutations() == Calls{"remove_image sha256:v1", "remove_image sha256:tools"});
  CHECK(report.removed.size() == 2);
  CHECK(has_image(host.engine, "sha256:v2"));
}

TEST_CASE("collect_garbage in a dry run plans but removes nothing and writes nothing") {
  UpdatedHost host;
  const std::string ledger_before = *read_whole_file(host.cache.path() + "/images.json");
  Settings settings = gc_settings(host.cache);
  settings.dry_run = true;
  GcReport report = collect_garbage(settings, host.second_run(), host.engine, {});
  CHECK(report.dry_run);
  CHECK(host.engine.mutations().empty());
  REQUIRE(report.planned.items.size() == 1);
  CHECK(report.planned.items[0].id == "sha256:v1");
  CHECK(report.planned.items[0].size == 1000);
  CHECK(report.removed.empty());
  CHECK(*read_whole_file(host.cache.path() + "/images.json") == ledger_before);
}

TEST_CASE("collect_garbage with gc=off removes nothing but still keeps the ledger") {
  FakeEngine engine;
  TempDir cache;
  engine.add_image("app:v1", "sha256:v1");
  engine.add_container(managed("web", "app:v1", "sha256:v1"));
  GcReport report =
      collect_garbage(gc_settings(cache, GcMode::Off), finished_run(engine, {}), engine, {});
  CHECK(engine.mutations().empty());
  CHECK(report.planned.items.empty());
  CHECK(ImageLedger::load(cache.path()).images() == Ids{"sha256:v1"});
}

TEST_CASE("collect_garbage does nothing after a run that could not observe everything") {
  UpdatedHost host;
  FinishedRun result = host.second_run();
  SUBCASE("engine not observed completely") { result.complete = false; }
  SUBCASE("a source could not be read") {
    result.failed_sources.insert("/etc/dockerup/containers.d/web.json");
  }
  Settings settings = gc_settings(host.cache, GcMode::Aggressive);
  GcReport report = collect_garbage(settings, result, host.engine, {});
  CHECK(host.engine.mutations().empty());
  CHECK(report.planned.items.empty());
  CHECK(report.removed.empty());
}

TEST_CASE("collect_garbage never removes an image of a container started by hand") {
  FakeEngine engine;
  TempDir cache;
  engine.add_image("app:v1", "sha256:v1");
  std::string id = engine.add_container(managed("web", "app:v1", "sha256:v1"));
  collect_garbage(gc_settings(cache), finished_run(engine, {spec("web", "app:v1")}), engine, {});
  engine.remove(id, true);
  ContainerSummary by_hand;
  by_hand.name = "debug";
  by_hand.image = "app:v1";
  by_hand.image_id = "sha256:v1";
  by_hand.state = "exited";
  engine.add_container(by_hand);
  collect_garbage(gc_settings(cache, GcMode::Aggressive), finished_run(engine, {}), engine, {});
  CHECK(engine.mutations().empty());
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("an image ledger that cannot be saved is an error of the gc phase; GC is done") {
  UpdatedHost host;
  GcReport report;
  {
    testing::FileSizeLimit full;  // every write fails, as on a full disk
    report = collect_garbage(gc_settings(host.cache), host.second_run(), host.engine, {});
  }
  CHECK_FALSE(has_image(host.engine, "sha256:v1"));  // removed all the same
  REQUIRE(report.cache_errors.size() == 1);
  CHECK(report.cache_errors[0].str().find("cache (gc): cannot write " + host.cache / "images.json") ==
        0);
  // Still the first run's ledger: sha256:v1 is forgotten by the next save.
  CHECK(ImageLedger::load(host.cache.path()).contains("sha256:v1"));
}

TEST_CASE("a corrupt image ledger is moved aside and reported; GC then removes less") {
  UpdatedHost host;
  write_file_atomically(host.cache / "images.json", R"({"version": 1, "images": ["app:v1"]})");
  GcReport report = collect_garbage(gc_settings(host.cache), host.second_run(), host.engine, {});
  CHECK(has_image(host.engine, "sha256:v1"));  // no longer known as dockerup's: kept
  REQUIRE(report.cache_errors.size() == 1);
  CHECK(report.cache_errors[0].where == "cache (gc)");
  CHECK(report.cache_errors[0].message.find("the image ledger is invalid") != std::string::npos);
  CHECK(report.cache_errors[0].message.find("moved aside to " + host.cache / "images.json.corrupt-") !=
        std::string::npos);
}

}  // namespace dockerup

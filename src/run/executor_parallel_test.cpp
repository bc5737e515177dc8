// The executor with parallel > 1: what runs together, what never does, and that parallel=1 is
// exactly the plan order. Concurrency is proven with meetings (a wait until k tasks are inside at
// once, bounded), never with timing.
#include "dockerup/executor.hpp"

#include "fake_engine.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace dockerup {
namespace {

using testing::FakeEngine;
using Lines = std::vector<std::string>;

ContainerSpec spec_named(const std::string& name, const std::string& image = "app:v2") {
  ContainerSpec spec;
  spec.name = name;
  spec.image = image;
  spec.source = "/conf/" + name + ".json";
  return spec;
}

/// The sleep hook: counts sleepers of each length at once, and may hold them until `size` of them
/// are inside together (at most 20 s; `met` turns false if they never are).
struct Sleeps {
  std::mutex mutex;
  std::condition_variable cv;
  int size = 0;  // 0: no meeting
  std::map<int, int> inside, most;
  int arrived = 0;
  bool met = true;
  std::function<void()> on_met;  ///< called once a group is complete, before it goes on

  void operator()(int seconds) {
    std::unique_lock lock(mutex);
    most[seconds] = std::max(most[seconds], ++inside[seconds]);
    if (size > 0) {
      int group = arrived++ / size;
      if (arrived % size == 0 && on_met) on_met();
      cv.notify_all();
      met = cv.wait_for(lock, std::chrono::seconds(20),
                        [&] { return arrived >= (group + 1) * size; }) && met;
    }
    --inside[seconds];
  }
};

struct Host {
  FakeEngine engine;
  Sleeps sleeps;
  std::atomic<bool> stop{false};
  Plan plan;

  Host() {
    engine.add_image("app:v1", "sha256:v1");
    engine.add_image("app:v2", "sha256:v2");
  }

  Executor executor(int parallel) {
    ExecutorOptions options{.stop_timeout = 10, .start_wait = 2, .rolling_wait = 7,
                            .health_timeout = 5, .parallel = parallel};
    return Executor(engine, options,
                    ExecutorHooks{.sleep = [this](int s) { sleeps(s); },
                                  .stop_requested = [this] { return stop.load(); }});
  }

  /// A running container made from app:v1 by an earlier run, and a plan step replacing it.
  void replace(const std::string& name, bool rolling = false, const std::string& image = "app:v2") {
    auto old_spec = spec_named(name, "app:v1");
    ContainerSummary c;
    c.name = name;
    c.image = "app:v1";
    c.image_id = "sha256:v1";
    c.state = "running";
    c.labels = managed_labels(old_spec);
    auto id = engine.add_container(c);
    auto spec = spec_named(name, image);
    spec.update.rolling = rolling;
    plan.actions.push_back({ActionType::Replace, name, "image changed", spec, id, spec.image});
  }

  void create(const ContainerSpec& spec) {
    plan.actions.push_back({ActionType::Create, spec.name, "missing", spec, "", spec.image});
  }

  void remove_undeclared(const std::string& name) {
    ContainerSummary c;
    c.name = name;
    c.image = "app:v1";
    c.image_id = "sha256:v1";
    c.state = "running";
    auto id = engine.add_container(c);
    plan.actions.push_back({ActionType::Remove, name, "not declared", std::nullopt, id, ""});
  }

  bool on_v2(const std::string& name) const {
    auto* c = engine.container(name);
    return c && c->image_id == "sha256:v2" && c->state == "running";
  }
};

}  // namespace

TEST_CASE("parallel=1 runs the actions exactly in plan order") {
  Host host;
  host.remove_undeclared("gone");
  auto db = spec_named("db");
  auto app = spec_named("app");
  app.links["db"] = "db";
  host.create(db);
  host.replace("web");
  host.create(app);
  host.create(spec_named("other"));
  auto report = host.executor(1).execute(host.plan);
  CHECK(report.failures() == 0);
  CHECK(host.engine.mutations() ==
        Lines{"stop gone", "remove gone +volumes", "create db", "start db", "stop web",
              "rename web web.dockerup-old", "create web", "start web",
              "remove web.dockerup-old +volumes", "create app", "start app", "create other",
              "start other"});
  REQUIRE(report.outcomes.size() == 5);
  CHECK(report.outcomes[2].action.name == "web");
}

TEST_CASE("independent replacements wait at the same time: N replacements take about one wait") {
  Host host;
  for (auto name : {"a", "b", "c", "d"}) host.replace(name);
  host.sleeps.size = 4;  // every replacement's start_wait must be under way at once
  auto report = host.executor(8).execute(host.plan);
  CHECK(host.sleeps.met);
  CHECK(host.sleeps.most[2] == 4);
  CHECK(report.failures() == 0);
  for (auto name : {"a", "b", "c", "d"}) CHECK(host.on_v2(name));
  CHECK(host.engine.containers().size() == 4);  // every old one removed
}

TEST_CASE("waits hold no slot: six replacements wait at once, engine work two at a time") {
  Host host;
  for (auto name : {"a", "b", "c", "d", "e", "f"}) host.replace(name);
  host.engine.meet_on("stop", 6);    // every old container's stop wait under way together
  host.sleeps.size = 6;              // then every new container's start_wait
  host.engine.meet_on("create", 2);  // creates pair up: two slots are used...
  auto report = host.executor(2).execute(host.plan);
  CHECK(host.engine.meetings_met());
  CHECK(host.sleeps.met);
  CHECK(host.engine.most_at_once("stop") == 6);
  CHECK(host.sleeps.most[2] == 6);
  CHECK(host.engine.most_at_once("create") == 2);  // ...and never a third
  CHECK(report.failures() == 0);
  REQUIRE(report.outcomes.size() == 6);
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(report.outcomes[i].action.name == host.plan.actions[i].name);
    CHECK(host.on_v2(host.plan.actions[i].name));
  }
  CHECK(host.engine.containers().size() == 6);  // every old one removed
}

TEST_CASE("a removal's stop wait holds no slot either") {
  Host host;
  for (auto name : {"old1", "old2", "old3"}) host.remove_undeclared(name);
  host.engine.meet_on("stop", 3);
  auto report = host.executor(2).execute(host.plan);
  CHECK(host.engine.meetings_met());
  CHECK(report.failures() == 0);
  CHECK(host.engine.containers().empty());
}

TEST_CASE("a container is created only after what it depends on is created and started") {
  for (int round = 0; round < 20; ++round) {
    Host host;
    auto data = spec_named("data");
    auto db = spec_named("db");
    auto app = spec_named("app");
    app.links["db"] = "db";
    VolumeSpec from;
    from.kind = VolumeSpec::Kind::From;
    from.from = "data";
    app.volumes.push_back(from);
    auto sidecar = spec_named("sidecar");
    sidecar.network = "container:app";
    for (const auto& spec : {data, db, app, sidecar, spec_named("x"), spec_named("y")})
      host.create(spec);
    auto report = host.executor(8).execute(host.plan);
    CHECK(report.failures() == 0);
    auto calls = host.engine.mutations();
    auto at = [&](const std::string& call) {
      return std::find(calls.begin(), calls.end(), call) - calls.begin();
    };
    CHECK(at("start data") < at("create app"));
    CHECK(at("start db") < at("create app"));
    CHECK(at("start app") < at("create sidecar"));
  }
}

TEST_CASE("removals of undeclared containers come before everything else") {
  Host host;
  host.remove_undeclared("old1");
  host.remove_undeclared("old2");
  host.create(spec_named("a"));
  host.create(spec_named("b"));
  host.executor(8).execute(host.plan);
  auto calls = host.engine.mutations();
  auto at = [&](const std::string& call) {
    return std::find(calls.begin(), calls.end(), call) - calls.begin();
  };
  for (auto removal : {"remove old1 +volumes", "remove old2 +volumes"})
    for (auto create : {"create a", "create b"}) CHECK(at(removal) < at(create));
}

TEST_CASE("rolling replacements stay one at a time while the others run alongside") {
  Host host;
  for (auto name : {"r1", "r2", "r3"}) host.replace(name, true);
  for (auto name : {"p1", "p2"}) host.replace(name);
  auto report = host.executor(8).execute(host.plan);
  CHECK(report.failures() == 0);
  CHECK(host.sleeps.most[7] == 1);  // rolling_wait: never two rolling replacements at once
  auto calls = host.engine.mutations();
  auto at = [&](const std::string& call) {
    return std::find(calls.begin(), calls.end(), call) - calls.begin();
  };
  CHECK(at("remove r1.dockerup-old +volumes") < at("stop r2"));
  CHECK(at("remove r2.dockerup-old +volumes") < at("stop r3"));
  for (auto name : {"r1", "r2", "r3", "p1", "p2"}) CHECK(host.on_v2(name));
}

TEST_CASE("a failed rolling replacement halts the remaining rolling ones, not the others") {
  Host host;
  host.engine.add_image("app:bad", "sha256:bad");
  host.engine.exits_on_start("app:bad", 1);
  host.replace("r1", true, "app:bad");
  host.replace("r2", true);
  host.replace("plain");
  auto report = host.executor(8).execute(host.plan);
  REQUIRE(report.outcomes.size() == 3);
  REQUIRE(report.outcomes[0].error);
  CHECK(report.outcomes[0].error->message.find("previous container was restored") !=
        std::string::npos);
  REQUIRE(report.outcomes[1].error);
  CHECK(report.outcomes[1].error->message.find("rolling update halted because r1 failed") !=
        std::string::npos);
  CHECK_FALSE(report.outcomes[2].error);
  CHECK(host.engine.container("r1")->image_id == "sha256:v1");
  CHECK(host.engine.container("r1")->state == "running");
  CHECK(host.engine.container("r2")->image_id == "sha256:v1");
  CHECK(host.on_v2("plain"));
}

TEST_CASE("a failed replacement restores its old container while the others go on") {
  Host host;
  host.engine.add_image("app:bad", "sha256:bad");
  host.engine.exits_on_start("app:bad", 3);
  host.replace("a");
  host.replace("b", false, "app:bad");
  host.replace("c");
  auto report = host.executor(8).execute(host.plan);
  CHECK(report.failures() == 1);
  CHECK(host.on_v2("a"));
  CHECK(host.on_v2("c"));
  CHECK(host.engine.container("b")->image_id == "sha256:v1");
  CHECK(host.engine.container("b")->state == "running");
  CHECK(host.engine.containers().size() == 3);
}

TEST_CASE("a stop request lets the running actions finish and starts no new one") {
  Host host;
  for (auto name : {"r1", "r2", "r3"}) host.replace(name, true);
  for (auto name : {"p1", "p2"}) host.replace(name);
  // r1's rolling_wait and both plain start_waits are under way together (so all three began,
  // and r2 cannot have: it waits for r1) when SIGTERM arrives.
  host.sleeps.size = 3;
  host.sleeps.on_met = [&host] { host.stop = true; };
  auto report = host.executor(2).execute(host.plan);
  CHECK(host.sleeps.met);
  CHECK(report.interrupted);
  REQUIRE(report.outcomes.size() == 3);
  CHECK(report.failures() == 0);
  for (auto name : {"r1", "p1", "p2"}) CHECK(host.on_v2(name));
  for (auto name : {"r2", "r3"}) CHECK(host.engine.container(name)->image_id == "sha256:v1");
  CHECK(host.engine.containers().size() == 5);  // nothing half done: one container per name
}

}  // namespace dockerup

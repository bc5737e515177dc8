#include "dockerup/executor.hpp"
#include "dockerup/labels.hpp"

#include "fake_engine.hpp"

#include <doctest/doctest.h>

namespace dockerup {
namespace {

using testing::FakeEngine;
using Lines = std::vector<std::string>;

ContainerSpec web_spec(const std::string& image = "app:v2") {
  ContainerSpec spec;
  spec.name = "web";
  spec.image = image;
  spec.source = "/etc/dockerup/containers.d/web.json";
  return spec;
}

struct Fixture {
  FakeEngine engine;
  std::vector<int> slept;
  Executor executor{engine,
                    ExecutorOptions{.stop_timeout = 10, .start_wait = 2, .rolling_wait = 7,
                                    .health_timeout = 5, .parallel = 1},
                    ExecutorHooks{.sleep = [this](int s) { slept.push_back(s); },
                                  .stop_requested = [] { return false; }}};

  Fixture() {
    engine.add_image("app:v1", "sha256:v1");
    engine.add_image("app:v2", "sha256:v2");
  }

  /// A running web container made from app:v1 by an earlier run.
  std::string old_web() {
    ContainerSummary c;
    c.name = "web";
    c.image = "app:v1";
    c.image_id = "sha256:v1";
    c.state = "running";
    c.labels = managed_labels(web_spec("app:v1"));
    return engine.add_container(c);
  }

  Plan replace_plan(const std::string& old_id, ContainerSpec spec) {
    Plan plan;
    plan.actions.push_back({ActionType::Replace, "web", "image changed", spec, old_id, spec.image});
    return plan;
  }
};

}  // namespace

TEST_CASE("create makes a labelled container and starts it") {
  Fixture f;
  Plan plan;
  auto spec = web_spec();
  plan.actions.push_back({ActionType::Create, "web", "missing", spec, "", spec.image});
  auto report = f.executor.execute(plan);
  CHECK(report.failures() == 0);
  CHECK(f.engine.mutations() == Lines{"create web", "start web"});
  auto* web = f.engine.container("web");
  REQUIRE(web);
  CHECK(web->state == "running");
  CHECK(web->labels.at(std::string(labels::managed)) == "true");
  CHECK(web->labels.at(std::string(labels::spec_hash)) == spec_hash(spec));
  CHECK(web->labels.at(std::string(labels::source)) == spec.source);
}

TEST_CASE("default replacement: old stopped and put aside, new proven, old removed") {
  Fixture f;
  auto old_id = f.old_web();
  auto report = f.executor.execute(f.replace_plan(old_id, web_spec()));
  CHECK(report.failures() == 0);
  CHECK(f.engine.mutations() == Lines{"stop web", "rename web web.dockerup-old", "create web",
                                      "start web", "remove web.dockerup-old +volumes"});
  CHECK(f.slept == std::vector<int>{2});
  REQUIRE(f.engine.containers().size() == 1);
  CHECK(f.engine.container("web")->image_id == "sha256:v2");
}

TEST_CASE("default replacement whose new container exits restores the old one") {
  Fixture f;
  auto old_id = f.old_web();
  f.engine.exits_on_start("app:v2", 3);
  auto report = f.executor.execute(f.replace_plan(old_id, web_spec()));
  REQUIRE(report.failures() == 1);
  CHECK(report.outcomes[0].error->message.find("exited with code 3") != std::string::npos);
  CHECK(report.outcomes[0].error->message.find("previous container was restored") !=
        std::string::npos);
  CHECK(f.engine.mutations() ==
        Lines{"stop web", "rename web web.dockerup-old", "create web", "start web",
              "remove web +volumes", "rename web.dockerup-old web", "start web"});
  REQUIRE(f.engine.containers().size() == 1);
  CHECK(f.engine.container("web")->id == old_id);
  CHECK(f.engine.container("web")->state == "running");
}

TEST_CASE("default replacement whose create fails restores the old one") {
  Fixture f;
  auto old_id = f.old_web();
  f.engine.fail_on("create web", "no space left on device");
  auto report = f.executor.execute(f.replace_plan(old_id, web_spec()));
  REQUIRE(report.failures() == 1);
  CHECK(report.outcomes[0].error->message.find("no space left") != std::string::npos);
  CHECK(f.engine.container("web")->id == old_id);
  CHECK(f.engine.container("web")->state == "running");
}

TEST_CASE("eager replacement starts the new one before the old one is stopped") {
  Fixture f;
  auto old_id = f.old_web();
  auto spec = web_spec();
  spec.update.eager = true;
  auto report = f.executor.execute(f.replace_plan(old_id, spec));
  CHECK(report.failures() == 0);
  CHECK(f.engine.mutations() == Lines{"create web.dockerup-new", "start web.dockerup-new",
                                      "stop web", "remove web +volumes",
                                      "rename web.dockerup-new web"});
  REQUIRE(f.engine.containers().size() == 1);
  CHECK(f.engine.container("web")->image_id == "sha256:v2");
}

TEST_CASE("eager replacement whose new container fails leaves the old one untouched") {
  Fixture f;
  auto old_id = f.old_web();
  auto spec = web_spec();
  spec.update.eager = true;
  f.engine.exits_on_start("app:v2", 1);
  auto report = f.executor.execute(f.replace_plan(old_id, spec));
  REQUIRE(report.failures() == 1);
  CHECK(report.outcomes[0].error->message.find("left untouched") != std::string::npos);
  CHECK(f.engine.mutations() ==
        Lines{"create web.dockerup-new", "start web.dockerup-new", "remove web.dockerup-new +volumes"});
  CHECK(f.engine.container("web")->id == old_id);
}

TEST_CASE("eager with a fixed host port falls back to the default order") {
  Fixture f;
  auto old_id = f.old_web();
  auto spec = web_spec();
  spec.update.eager = true;
  spec.ports.push_back({80, 8080, "tcp", ""});
  f.executor.execute(f.replace_plan(old_id, spec));
  CHECK(f.engine.mutations().at(0) == "stop web");
}

TEST_CASE("a failed action is reported and the run goes on") {
  Fixture f;
  Plan plan;
  auto a = web_spec();
  a.name = "a";
  auto b = web_spec();
  b.name = "b";
  f.engine.fail_on("create a", "boom");
  plan.actions.push_back({ActionType::Create, "a", "missing", a, "", a.image});
  plan.actions.push_back({ActionType::Create, "b", "missing", b, "", b.image});
  auto report = f.executor.execute(plan);
  CHECK(report.failures() == 1);
  CHECK(report.outcomes[0].error->where == "container a");
  CHECK(report.outcomes[0].error->message == "create failed: boom");
  CHECK(f.engine.container("b"));
}

TEST_CASE("a stop request is honoured between actions, never inside one") {
  FakeEngine engine;
  engine.add_image("app:v2", "sha256:v2");
  int asked = 0;
  Executor executor(engine,
                    ExecutorOptions{.stop_timeout = 10, .start_wait = 0, .rolling_wait = 0,
                                    .health_timeout = 0},
                    ExecutorHooks{.sleep = [](int) {}, .stop_requested = [&asked] { return ++asked > 1; }});
  Plan plan;
  auto a = web_spec();
  a.name = "a";
  auto b = web_spec();
  b.name = "b";
  plan.actions.push_back({ActionType::Create, "a", "missing", a, "", a.image});
  plan.actions.push_back({ActionType::Create, "b", "missing", b, "", b.image});
  auto report = executor.execute(plan);
  CHECK(report.interrupted);
  CHECK(report.outcomes.size() == 1);
  CHECK(engine.mutations() == Lines{"create a", "start a"});
}

TEST_CASE("rolling: one at a time, an unhealthy one is rolled back and halts the rest") {
  Fixture f;
  f.engine.add_image("app:bad", "sha256:bad");
  f.engine.health_of("app:v2", "healthy");
  f.engine.health_of("app:bad", "unhealthy");
  Plan plan;
  for (std::string name : {"one", "two", "three"}) {
    auto old_spec = web_spec("app:v1");
    old_spec.name = name;
    ContainerSummary c;
    c.name = name;
    c.image = "app:v1";
    c.image_id = "sha256:v1";
    c.state = "running";
    c.labels = managed_labels(old_spec);
    auto id = f.engine.add_container(c);
    auto spec = web_spec(name == "two" ? "app:bad" : "app:v2");
    spec.name = name;
    spec.update.rolling = true;
    plan.actions.push_back({ActionType::Replace, name, "image changed", spec, id, spec.image});
  }
  auto report = f.executor.execute(plan);
  REQUIRE(report.outcomes.size() == 3);
  CHECK_FALSE(report.outcomes[0].error);
  REQUIRE(report.outcomes[1].error);
  CHECK(report.outcomes[1].error->message.find("unhealthy") != std::string::npos);
  CHECK(report.outcomes[1].error->message.find("previous container was restored") !=
        std::string::npos);
  REQUIRE(report.outcomes[2].error);
  CHECK(report.outcomes[2].error->message.find("rolling update halted because two failed") !=
        std::string::npos);
  CHECK(f.engine.container("one")->image_id == "sha256:v2");
  CHECK(f.engine.container("two")->image_id == "sha256:v1");
  CHECK(f.engine.container("two")->state == "running");
  CHECK(f.engine.container("three")->image_id == "sha256:v1");
  CHECK(f.slept.empty());  // HEALTHCHECK answers at once here: no fixed waiting
}

TEST_CASE("rolling without a HEALTHCHECK waits rolling_wait seconds") {
  Fixture f;
  auto old_id = f.old_web();
  auto spec = web_spec();
  spec.update.rolling = true;
  auto report = f.executor.execute(f.replace_plan(old_id, spec));
  CHECK(report.failures() == 0);
  CHECK(f.slept == std::vector<int>{7});
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("replacing our own container hands over instead of stopping ourselves") {
  FakeEngine engine;
  engine.add_image("app:v1", "sha256:v1");
  engine.add_image("app:v2", "sha256:v2");
  ContainerSummary self;
  self.name = "dockerup";
  self.image_id = "sha256:v1";
  self.state = "running";
  auto self_id = engine.add_container(self);
  ExecutorOptions options{.stop_timeout = 10, .start_wait = 0, .rolling_wait = 0,
                          .health_timeout = 0, .self_id = self_id};
  Executor executor(engine, options, ExecutorHooks{.sleep = [](int) {}, .stop_requested = [] { return false; }});
  ContainerSpec spec;
  spec.name = "dockerup";
  spec.image = "app:v2";
  spec.update.eager = true;
  Plan plan;
  plan.actions.push_back({ActionType::Replace, "dockerup", "image changed", spec, self_id, "app:v2"});
  auto report = executor.execute(plan);
  CHECK(report.failures() == 0);
  CHECK(engine.mutations() ==
        std::vector<std::string>{"create dockerup.dockerup-new", "start dockerup.dockerup-new",
                                 "rename dockerup dockerup.dockerup-old",
                                 "rename dockerup.dockerup-new dockerup"});
  CHECK(report.handed_over_to == engine.container("dockerup")->id);
  CHECK(engine.container("dockerup.dockerup-old")->state == "running");  // stopped by the successor
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("eager: when the old container cannot be removed, the new one keeps serving") {
  Fixture f;
  auto old_id = f.old_web();
  auto spec = web_spec();
  spec.update.eager = true;
  f.engine.fail_on("remove web", "device busy");
  auto report = f.executor.execute(f.replace_plan(old_id, spec));
  REQUIRE(report.failures() == 1);
  CHECK(report.outcomes[0].error->message.find("new one runs") != std::string::npos);
  REQUIRE(f.engine.container("web"));
  CHECK(f.engine.container("web")->image_id == "sha256:v2");
  CHECK(f.engine.container("web")->state == "running");
  CHECK(f.engine.container("web.dockerup-old")->id == old_id);
}

TEST_CASE("eager: when the old container cannot be stopped, the new one is given up") {
  Fixture f;
  auto old_id = f.old_web();
  auto spec = web_spec();
  spec.update.eager = true;
  f.engine.fail_on("stop web", "timeout");
  auto report = f.executor.execute(f.replace_plan(old_id, spec));
  REQUIRE(report.failures() == 1);
  CHECK(f.engine.containers().size() == 1);
  CHECK(f.engine.container("web")->id == old_id);
  CHECK(f.engine.container("web")->state == "running");
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("a new container caught up while crash-looping does not count as started") {
  for (bool eager : {false, true}) {
    Fixture f;
    auto old_id = f.old_web();
    auto spec = web_spec();
    spec.update.eager = eager;
    f.engine.crash_loops("app:v2", 2);
    auto report = f.executor.execute(f.replace_plan(old_id, spec));
    REQUIRE(report.failures() == 1);
    CHECK(report.outcomes[0].error->message.find("restarted 2 time(s)") != std::string::npos);
    REQUIRE(f.engine.containers().size() == 1);
    CHECK(f.engine.container("web")->id == old_id);
    CHECK(f.engine.container("web")->state == "running");
  }
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("a failure echoing the create body is logged and reported without env values") {
  for (bool show_secrets : {false, true}) {
    FakeEngine engine;
    engine.add_image("app:v2", "sha256:v2");
    engine.fail_on("create web", "invalid env FOO=bar, Env [\"FOO=bar\"]: {\"Env\":[\"FOO=bar\"]}");
    ExecutorOptions options;
    options.show_secrets = show_secrets;
    Executor executor{engine, options, ExecutorHooks{.sleep = [](int) {}, .stop_requested = [] { return false; }}};
    auto spec = web_spec();
    spec.env = {{"FOO", "bar"}};
    Plan plan;
    plan.actions.push_back({ActionType::Create, "web", "missing", spec, "", spec.image});
    auto report = executor.execute(plan);
    REQUIRE(report.failures() == 1);
    CAPTURE(show_secrets);
    CHECK(report.outcomes[0].error->message ==
          (show_secrets ? "create failed: invalid env FOO=bar, Env [\"FOO=bar\"]: {\"Env\":[\"FOO=bar\"]}"
                        : "create failed: invalid env FOO=(hidden), Env [\"FOO=(hidden)\"]: "
                          "{\"Env\":[\"FOO=(hidden)\"]}"));
  }
}

}  // namespace dockerup

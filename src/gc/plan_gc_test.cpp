#include "dockerup/gc.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace dockerup {
namespace {

ImageSummary image(std::string id, std::vector<std::string> tags, std::int64_t size = 1 << 20) {
  ImageSummary summary;
  summary.id = std::move(id);
  summary.tags = std::move(tags);
  summary.size = size;
  return summary;
}

ContainerSummary container(std::string name, std::string image_ref, std::string image_id,
                           std::string state = "running") {
  ContainerSummary summary;
  summary.id = "id-" + name;
  summary.name = std::move(name);
  summary.image = std::move(image_ref);
  summary.image_id = std::move(image_id);
  summary.state = std::move(state);
  return summary;
}

ContainerSpec spec(std::string name, std::string image_ref) {
  ContainerSpec s;
  s.name = std::move(name);
  s.image = std::move(image_ref);
  return s;
}

/// A host after an update of "web" from app:v1 (sha256:old) to app:v2 (sha256:new), plus an
/// image nobody uses that dockerup never touched (sha256:other).
GcInputs after_update() {
  GcInputs inputs;
  inputs.images = {image("sha256:old", {}), image("sha256:new", {"app:v2"}),
                   image("sha256:other", {"tools:1"})};
  inputs.containers = {container("web", "app:v2", "sha256:new")};
  inputs.specs = {spec("web", "app:v2")};
  inputs.known_images = {"sha256:old", "sha256:new"};
  return inputs;
}

std::vector<std::string> ids(const GcPlan& plan) {
  std::vector<std::string> result;
  for (const auto& item : plan.items) result.push_back(item.id);
  std::sort(result.begin(), result.end());
  return result;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("plan_gc removes a known image that nothing uses any more") {
  GcInputs inputs = after_update();
  inputs.images[0].tags = {"app:v1"};
  GcPlan plan = plan_gc(inputs);
  REQUIRE(plan.items.size() == 1);
  CHECK(plan.items[0].id == "sha256:old");
  CHECK(plan.items[0].tags == Ids{"app:v1"});
  CHECK(plan.items[0].size == 1 << 20);
  CHECK(plan.items[0].reason == "no longer used by any container");
}

TEST_CASE("plan_gc calls a known untagged image dangling") {
  GcPlan plan = plan_gc(after_update());
  REQUIRE(plan.items.size() == 1);
  CHECK(plan.items[0].id == "sha256:old");
  CHECK(plan.items[0].reason.find("dangling") != std::string::npos);
}

TEST_CASE("plan_gc never removes an image a container uses, whatever its state or owner") {
  for (std::string state : {"running", "exited", "created", "paused", "dead"}) {
    CAPTURE(state);
    GcInputs inputs = after_update();
    inputs.containers.push_back(container("by-hand", "sha256:old", "sha256:old", state));
    CHECK(ids(plan_gc(inputs)).empty());
  }
}

TEST_CASE("plan_gc keeps an image a container names by reference when its ID is missing") {
  GcInputs inputs = after_update();
  inputs.images[0].tags = {"app:v1"};
  inputs.containers.push_back(container("odd", "app:v1", ""));
  CHECK(ids(plan_gc(inputs)).empty());
}

TEST_CASE("plan_gc never removes an image a declared spec references") {
  GcInputs inputs = after_update();
  inputs.images[0].tags = {"app:v1"};
  SUBCASE("by tag") { inputs.specs.push_back(spec("worker", "app:v1")); }
  SUBCASE("by a Docker Hub spelling of the tag") {
    inputs.images[0].tags = {"app:latest"};
    inputs.specs.push_back(spec("worker", "docker.io/library/app"));
  }
  SUBCASE("when the spec's container is stopped") {
    inputs.specs.push_back(spec("worker", "app:v1"));
    inputs.containers.push_back(container("other", "app:v2", "sha256:new", "exited"));
  }
  CHECK(ids(plan_gc(inputs)).empty());
}

TEST_CASE("plan_gc never removes an image kept for rollback") {
  GcInputs inputs = after_update();
  inputs.keep_images = {"sha256:old"};
  CHECK(ids(plan_gc(inputs)).empty());
}

TEST_CASE("plan_gc leaves images dockerup never pulled nor ran, unless gc=aggressive") {
  GcInputs inputs = after_update();
  inputs.known_images.clear();
  CHECK(ids(plan_gc(inputs)).empty());

  inputs.mode = GcMode::Aggressive;
  GcPlan plan = plan_gc(inputs);
  CHECK(ids(plan) == Ids{"sha256:old", "sha256:other"});
  for (const auto& item : plan.items) CHECK(item.reason.find("aggressive") != std::string::npos);
}

TEST_CASE("gc=aggressive still keeps used, declared and rollback images") {
  GcInputs inputs = after_update();
  inputs.mode = GcMode::Aggressive;
  inputs.images.push_back(image("sha256:declared", {"db:5"}));
  inputs.images.push_back(image("sha256:stopped", {"job:1"}));
  inputs.images.push_back(image("sha256:rollback", {"api:1"}));
  inputs.specs.push_back(spec("db", "db:5"));
  inputs.containers.push_back(container("job", "job:1", "sha256:stopped", "exited"));
  inputs.keep_images = {"sha256:rollback"};
  CHECK(ids(plan_gc(inputs)) == Ids{"sha256:old", "sha256:other"});
}

TEST_CASE("gc=off plans nothing") {
  GcInputs inputs = after_update();
  inputs.mode = GcMode::Off;
  CHECK(plan_gc(inputs).items.empty());
  inputs.known_images.clear();
  CHECK(plan_gc(inputs).items.empty());
}

TEST_CASE("plan_gc ignores a known ID that is no longer on the host") {
  GcInputs inputs = after_update();
  inputs.known_images.insert("sha256:gone");
  CHECK(ids(plan_gc(inputs)) == Ids{"sha256:old"});
}

TEST_CASE("a GC plan describes each item with its size, and the total") {
  GcPlan plan;
  plan.items.push_back({"sha256:0123456789abcdef", {"app:v1", "app:old"}, 1258291,
                        "no longer used by any container"});
  plan.items.push_back({"sha256:fedcba9876543210", {}, 2 * 1048576, "dangling"});
  CHECK(plan.bytes() == 1258291 + 2 * 1048576);
  auto lines = describe_gc_plan(plan);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] ==
        "would remove image sha256:0123456789ab (app:v1, app:old), 1.2 MiB: no longer used by "
        "any container");
  CHECK(lines[1] == "would remove image sha256:fedcba987654 (untagged), 2.0 MiB: dangling");
  CHECK(lines[2] == "gc would remove 2 item(s), freeing up to 3.2 MiB");
  CHECK(describe_gc_plan(GcPlan{}) == Ids{"gc: nothing to remove"});
}

TEST_CASE("sizes are written in the largest fitting unit") {
  CHECK(format_size(0) == "0 B");
  CHECK(format_size(1023) == "1023 B");
  CHECK(format_size(1536) == "1.5 KiB");
  CHECK(format_size(1258291) == "1.2 MiB");
  CHECK(format_size(3LL * 1024 * 1024 * 1024) == "3.0 GiB");
}

}  // namespace dockerup

#include "dockerup/executor.hpp"
#include "dockerup/history.hpp"
#include "dockerup/spec_parser.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"

namespace dockerup {
namespace {

struct TempCache {
  testing::TempDir temp;
  std::string dir = temp.path();
};

ContainerSpec web(const std::string& image = "app:v2") {
  ContainerSpec spec;
  spec.name = "web";
  spec.image = image;
  spec.source = "/conf/web.json";
  spec.env = {{"MODE", "new"}};
  spec.volumes.push_back({VolumeSpec::Kind::Bind, "/srv", "/data", true, ""});
  spec.ports.push_back({80, 8080, "tcp", "127.0.0.1"});
  spec.memory_bytes = 64 << 20;
  spec.command = std::vector<std::string>{"httpd", "-f"};
  return spec;
}

}  // namespace

TEST_CASE("canonical_json parses back into the same spec") {
  auto spec = web();
  spec.links["db"] = "database";
  spec.volumes.push_back({VolumeSpec::Kind::From, "", "", false, "data"});
  spec.volumes.push_back({VolumeSpec::Kind::Anonymous, "", "/cache", false, ""});
  spec.restart = "no";
  spec.stop_signal = "SIGINT";
  auto parsed = parse_spec_text(canonical_json(spec), spec.source, "ignored");
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.spec);
  CHECK(*parsed.spec == spec);
}

TEST_CASE("history round-trips through its file") {
  TempCache cache;
  History history(cache.dir);
  CHECK_FALSE(history.load("web").current);
  ContainerHistory h;
  h.name = "web";
  h.current = HistoryEntry{canonical_json(web()), "sha256:new", 20};
  h.previous = HistoryEntry{canonical_json(web("app:v1")), "sha256:old", 10};
  h.hold = Hold{"abc", "sha256:x"};
  h.rollback_requested = true;
  history.save(h);
  auto loaded = history.load("web");
  REQUIRE(loaded.current);
  CHECK(loaded.current->image_id == "sha256:new");
  CHECK(loaded.previous->since == 10);
  CHECK(loaded.hold->spec_hash == "abc");
  CHECK(loaded.rollback_requested);
  CHECK(history.kept_images({web()}) == std::set<std::string>{"sha256:old"});
  ContainerSpec other;
  other.name = "other";
  CHECK(history.kept_images({other}).empty());
}

TEST_CASE("a requested rollback pins the previous spec and image; success sets the hold") {
  TempCache cache;
  History history(cache.dir);
  auto old_spec = web("app:v1");
  old_spec.env = {{"MODE", "old"}};
  ContainerHistory h;
  h.name = "web";
  h.current = HistoryEntry{canonical_json(web()), "sha256:v2", 20};
  h.previous = HistoryEntry{canonical_json(old_spec), "sha256:v1", 10};
  h.rollback_requested = true;
  history.save(h);

  DesiredState desired;
  desired.specs = {web()};
  desired.specs[0].update.eager = true;
  std::vector<ImageSummary> images{{"sha256:v2", {"app:v2"}, {}, 1, 1, {}},
                                   {"sha256:v1", {}, {}, 1, 1, {}}};
  auto rolled = apply_history(desired, images, history);
  CHECK(rolled == std::set<std::string>{"web"});
  const auto& pinned = desired.specs[0];
  CHECK(pinned.image == "sha256:v1");
  CHECK(pinned.env.at("MODE") == "old");
  CHECK(pinned.source == "/conf/web.json");
  CHECK(pinned.update.eager);

  // The executor replaced the container: record it as the rollback.
  ObservedState before;
  before.containers.push_back({"old-id", "web", "app:v2", "sha256:v2", {}, "running", "", -1, 20});
  ObservedState after;
  after.images = images;
  after.containers.push_back({"new-id", "web", "sha256:v1", "sha256:v1", {}, "running", "", -1, 30});
  ExecutionReport report;
  report.outcomes.push_back(
      {Action{ActionType::Replace, "web", "rollback", pinned, "old-id", pinned.image}, std::nullopt});
  record_history(history, {web()}, rolled, before, report, after, 30);
  auto recorded = history.load("web");
  CHECK_FALSE(recorded.rollback_requested);
  REQUIRE(recorded.hold);
  CHECK(recorded.hold->spec_hash == spec_hash(web()));
  CHECK(recorded.hold->image_id == "sha256:v2");
  CHECK(recorded.current->image_id == "sha256:v1");
  CHECK(recorded.previous->image_id == "sha256:v2");

  SUBCASE("while the declaration is unchanged, the hold keeps the rolled-back spec") {
    DesiredState again;
    again.specs = {web()};
    CHECK(apply_history(again, images, history).empty());
    CHECK(again.specs[0].image == "sha256:v1");
  }
  SUBCASE("a new declaration releases the hold") {
    DesiredState changed;
    changed.specs = {web("app:v3")};
    apply_history(changed, images, history);
    CHECK(changed.specs[0].image == "app:v3");
    CHECK_FALSE(history.load("web").hold);
  }
}

TEST_CASE("a replacement records what ran before as previous") {
  TempCache cache;
  History history(cache.dir);
  ObservedState before;
  before.containers.push_back({"old-id", "web", "app:v1", "sha256:v1", {}, "running", "", -1, 5});
  ObservedState after;
  after.containers.push_back({"new-id", "web", "app:v2", "sha256:v2", {}, "running", "", -1, 9});
  ExecutionReport report;
  report.outcomes.push_back(
      {Action{ActionType::Replace, "web", "image changed", web(), "old-id", "app:v2"}, std::nullopt});
  record_history(history, {web()}, {}, before, report, after, 9);
  auto h = history.load("web");
  REQUIRE(h.current);
  REQUIRE(h.previous);
  CHECK(h.current->image_id == "sha256:v2");
  CHECK(h.previous->image_id == "sha256:v1");

  SUBCASE("a failed action records nothing") {
    ExecutionReport failed;
    failed.outcomes.push_back({Action{ActionType::Replace, "web", "x", web("app:v3"), "new-id",
                                      "app:v3"},
                               Error{"container web", "boom"}});
    record_history(history, {web()}, {}, after, failed, after, 12);
    CHECK(history.load("web").current->image_id == "sha256:v2");
  }
}

}  // namespace dockerup

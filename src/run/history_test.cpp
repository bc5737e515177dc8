#include "dockerup/executor.hpp"
#include "dockerup/history.hpp"
#include "dockerup/spec_parser.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "image_id.hpp"
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
  h.current = HistoryEntry{canonical_json(web()), testing::image_id("new"), 20};
  h.previous = HistoryEntry{canonical_json(web("app:v1")), testing::image_id("old"), 10};
  h.hold = Hold{"abc", testing::image_id("x")};
  h.rollback_requested = true;
  history.save(h);
  auto loaded = history.load("web");
  REQUIRE(loaded.current);
  CHECK(loaded.current->image_id == testing::image_id("new"));
  CHECK(loaded.previous->since == 10);
  CHECK(loaded.hold->spec_hash == "abc");
  CHECK(loaded.rollback_requested);
  CHECK(history.kept_images({web()}) == std::set<std::string>{testing::image_id("old")});
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
  h.current = HistoryEntry{canonical_json(web()), testing::image_id("v2"), 20};
  h.previous = HistoryEntry{canonical_json(old_spec), testing::image_id("v1"), 10};
  h.rollback_requested = true;
  history.save(h);

  DesiredState desired;
  desired.specs = {web()};
  desired.specs[0].update.eager = true;
  std::vector<ImageSummary> images{{testing::image_id("v2"), {"app:v2"}, {}, 1, 1, {}},
                                   {testing::image_id("v1"), {}, {}, 1, 1, {}}};
  auto rolled = apply_history(desired, images, history);
  CHECK(rolled == std::set<std::string>{"web"});
  const auto& pinned = desired.specs[0];
  CHECK(pinned.image == testing::image_id("v1"));
  CHECK(pinned.env.at("MODE") == "old");
  CHECK(pinned.source == "/conf/web.json");
  CHECK(pinned.update.eager);

  // The executor replaced the container: record it as the rollback.
  ObservedState before;
  before.containers.push_back({"old-id", "web", "app:v2", testing::image_id("v2"), {}, "running", "", -1, 20, {}});
  ObservedState after;
  after.images = images;
  after.containers.push_back({"new-id", "web", testing::image_id("v1"), testing::image_id("v1"), {}, "running", "", -1, 30, {}});
  ExecutionReport report;
  report.outcomes.push_back(
      {Action{ActionType::Replace, "web", "rollback", pinned, "old-id", pinned.image}, std::nullopt});
  record_history(history, {web()}, rolled, before, report, after, 30);
  auto recorded = history.load("web");
  CHECK_FALSE(recorded.rollback_requested);
  REQUIRE(recorded.hold);
  CHECK(recorded.hold->spec_hash == spec_hash(web()));
  CHECK(recorded.hold->image_id == testing::image_id("v2"));
  CHECK(recorded.current->image_id == testing::image_id("v1"));
  CHECK(recorded.previous->image_id == testing::image_id("v2"));

  SUBCASE("while the declaration is unchanged, the hold keeps the rolled-back spec") {
    DesiredState again;
    again.specs = {web()};
    CHECK(apply_history(again, images, history).empty());
    CHECK(again.specs[0].image == testing::image_id("v1"));
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
  before.containers.push_back({"old-id", "web", "app:v1", testing::image_id("v1"), {}, "running", "", -1, 5, {}});
  ObservedState after;
  after.containers.push_back({"new-id", "web", "app:v2", testing::image_id("v2"), {}, "running", "", -1, 9, {}});
  ExecutionReport report;
  report.outcomes.push_back(
      {Action{ActionType::Replace, "web", "image changed", web(), "old-id", "app:v2"}, std::nullopt});
  record_history(history, {web()}, {}, before, report, after, 9);
  auto h = history.load("web");
  REQUIRE(h.current);
  REQUIRE(h.previous);
  CHECK(h.current->image_id == testing::image_id("v2"));
  CHECK(h.previous->image_id == testing::image_id("v1"));

  SUBCASE("a failed action records nothing") {
    ExecutionReport failed;
    failed.outcomes.push_back({Action{ActionType::Replace, "web", "x", web("app:v3"), "new-id",
                                      "app:v3"},
                               Error{"container web", "boom"}});
    record_history(history, {web()}, {}, after, failed, after, 12);
    CHECK(history.load("web").current->image_id == testing::image_id("v2"));
  }
}

}  // namespace dockerup

namespace dockerup {
namespace {

/// What a local user would plant: a rollback request to a privileged container mounting /.
std::string planted_history(const std::string& image_id, const std::string& name = "web") {
  std::string spec = R"({\"name\": \"web\", \"image\": \"busybox\", \"privileged\": true, )"
                     R"(\"volumes\": [{\"hostPath\": \"/\", \"containerPath\": \"/host\"}]})";
  return fmt::format(R"({{"name": "{}", "current": {{"spec": "{}", "image_id": "{}"}},)"
                     R"( "previous": {{"spec": "{}", "image_id": "{}"}}, "rollback_requested": true}})",
                     name, spec, image_id, spec, image_id);
}

bool rolls_back(const History& history) {
  DesiredState desired;
  desired.specs = {web()};
  return !apply_history(desired, {}, history).empty() || desired.specs[0].privileged;
}

std::size_t corrupt_copies(const std::string& folder) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    n += entry.path().filename().string().starts_with("web.json.corrupt-");
  return n;
}

}  // namespace

TEST_CASE("history that dockerup did not write is moved aside, never acted upon") {
  TempCache cache;
  History history(cache.dir);
  history.save(ContainerHistory{"web", std::nullopt, std::nullopt, std::nullopt, false});
  std::string file = cache.dir + "/history/web.json";
  // The planted file itself is well-formed: only these details give it away.
  std::ofstream(file) << planted_history(testing::image_id("v1"));
  REQUIRE(rolls_back(history));  // the control: a file root wrote is acted upon

  std::size_t moved = 0;
  for (std::string text :
       {planted_history("sha256:v1"), planted_history(testing::image_id("v1"), "other"),
        planted_history("busybox:latest"), std::string("{\"name\": \"web\", \"current\": 1}"),
        std::string("{\"name\": \"web\", \"previous\": {\"spec\": \"{\\\"image\\\": 1}\", "
                    "\"image_id\": \"") + testing::image_id("v1") + "\"}}",
        std::string("[not json")}) {
    CAPTURE(text);
    std::ofstream(file, std::ios::trunc) << text;
    CHECK_FALSE(rolls_back(history));
    CHECK_FALSE(std::filesystem::exists(file));
    CHECK(corrupt_copies(cache.dir + "/history") == ++moved);
  }

  SUBCASE("a well-formed file of another owner is not trusted either") {
    if (::geteuid() != 0) return;  // only root can make a file of another owner
    std::ofstream(file) << planted_history(testing::image_id("v1"));
    REQUIRE(::chown(file.c_str(), 65534, 65534) == 0);
    CHECK_FALSE(rolls_back(history));
  }
  SUBCASE("nor one in a history folder others can write") {
    std::ofstream(file) << planted_history(testing::image_id("v1"));
    ::chmod((cache.dir + "/history").c_str(), 0777);
    CHECK_FALSE(rolls_back(history));
  }
  SUBCASE("nor a symlink to a file elsewhere") {
    std::ofstream(cache.dir + "/elsewhere") << planted_history(testing::image_id("v1"));
    std::filesystem::create_symlink(cache.dir + "/elsewhere", file);
    CHECK_FALSE(rolls_back(history));
  }
}

}  // namespace dockerup

namespace dockerup {
namespace {

/// A history object whose clock is an hour ahead, so no file counts as just written.
struct CachedHistory {
  TempCache cache;
  History history{cache.dir, "history",
                  [] { return std::chrono::system_clock::now() + std::chrono::hours(1); }};

  void save_current(const std::string& image) {
    ContainerHistory h;
    h.name = "web";
    h.current = HistoryEntry{canonical_json(web(image)), testing::image_id(image), 20};
    history.save(h);
  }
};

}  // namespace

TEST_CASE("history parse cache: an unchanged file is not parsed again") {
  CachedHistory f;
  f.save_current("app:v1");
  CHECK(f.history.load("web").current->image_id == testing::image_id("app:v1"));
  CHECK(f.history.load("web").current->image_id == testing::image_id("app:v1"));
  CHECK(f.history.parses() == 1);
}

TEST_CASE("history parse cache: a rewritten file (rollback request, new version) is read") {
  CachedHistory f;
  f.save_current("app:v1");
  f.history.load("web");
  ContainerHistory h = f.history.load("web");
  h.rollback_requested = true;
  History(f.cache.dir).save(h);  // as `dockerup rollback` does, from another process
  CHECK(f.history.load("web").rollback_requested);
  f.save_current("app:v2");
  CHECK(f.history.load("web").current->image_id == testing::image_id("app:v2"));
  CHECK(f.history.parses() == 3);
  std::filesystem::remove(f.cache.dir + "/history/web.json");
  CHECK_FALSE(f.history.load("web").current);
}

TEST_CASE("history parse cache: a cached file made writable by others is moved aside") {
  CachedHistory f;
  f.save_current("app:v1");
  f.history.load("web");
  REQUIRE(::chmod((f.cache.dir + "/history/web.json").c_str(), 0666) == 0);
  CHECK_FALSE(f.history.load("web").current);
  CHECK_FALSE(f.history.take_problems().empty());
}

TEST_CASE("history parse cache: a file written within the last seconds is parsed every time") {
  TempCache cache;
  History history(cache.dir, "history", [] { return std::chrono::system_clock::time_point(); });
  ContainerHistory h;
  h.name = "web";
  h.current = HistoryEntry{canonical_json(web()), testing::image_id("new"), 20};
  history.save(h);
  history.load("web");
  history.load("web");
  CHECK(history.parses() == 2);
}

}  // namespace dockerup

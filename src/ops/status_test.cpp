#include "dockerup/status.hpp"

#include "dockerup/cache_files.hpp"
#include "dockerup/labels.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace dockerup;

namespace {

ContainerSpec spec(const std::string& name, const std::string& image) {
  ContainerSpec s;
  s.name = name;
  s.image = image;
  return s;
}

ContainerSummary container(const std::string& name, const std::string& state,
                           const std::string& image_id) {
  ContainerSummary c;
  c.id = "id-" + name;
  c.name = name;
  c.state = state;
  c.image_id = image_id;
  c.labels = {{std::string(labels::managed), "true"}, {std::string(labels::name), name}};
  return c;
}

/// web was replaced and runs; db failed to start; cache had nothing to do.
RunResult sample_result() {
  RunResult result;
  result.observed = true;
  result.exit_code = 1;
  result.desired.specs = {spec("web", "app:v2"), spec("db", "db:1"), spec("cache", "cache:3")};
  result.final_observed.containers = {container("web", "running", "sha256:aaaabbbbccccdddd1111"),
                                      container("db", "exited", "sha256:eeee")};
  Action replace{ActionType::Replace, "web", "image app:v2 moved", std::nullopt, "old", "app:v2"};
  Action create{ActionType::Create, "db", "missing", std::nullopt, "", "db:1"};
  result.report.outcomes = {{replace, std::nullopt},
                            {create, Error{"container db", "exec: not found"}}};
  result.errors = {Error{"container db", "exec: not found"}};
  return result;
}

std::chrono::system_clock::time_point at(std::time_t seconds) {
  return std::chrono::system_clock::from_time_t(seconds);
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/dockerup-status-test.XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("a run's status names every declared container with its state and last action") {
  RunStatus status = make_run_status(sample_result(), at(1795440000), std::chrono::seconds(3),
                                     std::nullopt);
  CHECK(status.time == "2026-11-23T13:20:00Z");
  CHECK(status.duration_seconds == doctest::Approx(3.0));
  CHECK(status.result == "failed");
  CHECK(status.exit_code == 1);
  CHECK(status.actions == 2);
  CHECK(status.failed_actions == 1);
  CHECK(status.last_success.empty());
  REQUIRE(status.errors.size() == 1);
  CHECK(status.errors[0] == "container db: exec: not found");
  REQUIRE(status.containers.size() == 3);

  const ContainerStatus& web = status.containers[0];
  CHECK(web.name == "web");
  CHECK(web.image == "app:v2");
  CHECK(web.image_id == "sha256:aaaabbbbccccdddd1111");
  CHECK(web.state == "running");
  CHECK(web.last_action == "replace");
  CHECK(web.last_action_reason == "image app:v2 moved");
  CHECK(web.last_action_result == "ok");
  CHECK(web.last_action_time == status.time);
  CHECK(web.last_error.empty());

  const ContainerStatus& db = status.containers[1];
  CHECK(db.state == "exited");
  CHECK(db.last_action == "create");
  CHECK(db.last_action_result == "failed");
  CHECK(db.last_error == "exec: not found");

  const ContainerStatus& cache = status.containers[2];
  CHECK(cache.state == "missing");
  CHECK(cache.image_id.empty());
  CHECK(cache.last_action.empty());
}

TEST_CASE("a later run keeps the earlier last action and success time of untouched containers") {
  RunResult first = sample_result();
  first.exit_code = 0;
  first.errors.clear();
  first.report.outcomes.pop_back();
  RunStatus earlier = make_run_status(first, at(1000), std::chrono::seconds(1), std::nullopt);
  CHECK(earlier.result == "ok");
  CHECK(earlier.last_success == earlier.time);

  RunResult quiet = sample_result();
  quiet.report.outcomes.clear();
  quiet.errors = {Error{"container cache", "is not running"}};
  RunStatus later = make_run_status(quiet, at(2000), std::chrono::seconds(1), earlier);
  CHECK(later.result == "failed");
  CHECK(later.last_success == earlier.time);
  CHECK(later.containers[0].last_action == "replace");
  CHECK(later.containers[0].last_action_time == earlier.time);
  CHECK(later.containers[2].last_error == "is not running");
}

TEST_CASE("while the engine is unreachable, states are unknown and image IDs are kept") {
  RunStatus earlier = make_run_status(sample_result(), at(1000), std::chrono::seconds(1),
                                      std::nullopt);
  RunResult down;
  down.observed = false;
  down.exit_code = 1;
  down.desired.specs = {spec("web", "app:v2")};
  down.errors = {Error{"docker", "cannot observe the engine: connection refused"}};
  RunStatus status = make_run_status(down, at(2000), std::chrono::milliseconds(20), earlier);
  CHECK(status.result == "unreachable");
  REQUIRE(status.containers.size() == 1);
  CHECK(status.containers[0].state == "unknown");
  CHECK(status.containers[0].image_id == "sha256:aaaabbbbccccdddd1111");
}

TEST_CASE("an interrupted run says so") {
  RunResult result = sample_result();
  result.report.interrupted = true;
  CHECK(result_name(result) == "interrupted");
}

TEST_CASE("status JSON reads back to the same status") {
  RunStatus status = make_run_status(sample_result(), at(1795440000), std::chrono::seconds(3),
                                     std::nullopt);
  status.errors.push_back("a \"quoted\" error\nover two lines");
  std::string text = status_to_json(status);
  CHECK(text.find("\"result\": \"failed\"") != std::string::npos);
  CHECK(text.find("\"image_id\": \"sha256:aaaabbbbccccdddd1111\"") != std::string::npos);
  std::string error;
  auto back = status_from_json(text, error);
  REQUIRE_MESSAGE(back, error);
  CHECK(*back == status);
}

TEST_CASE("status JSON that is not ours is refused with a reason, never a crash") {
  std::string error;
  CHECK_FALSE(status_from_json("", error));
  CHECK(error.find("not a status file") != std::string::npos);
  CHECK_FALSE(status_from_json("[1, 2]", error));
  CHECK_FALSE(status_from_json("{\"time\": \"x\"}", error));
  CHECK(error == "\"result\" is missing");
  CHECK_FALSE(status_from_json("{\"result\": \"ok\", \"exit_code\": 1e300}", error));
  CHECK(error.find("exit_code") != std::string::npos);
  CHECK_FALSE(status_from_json("{\"result\": \"ok\", \"containers\": [3]}", error));
  CHECK_FALSE(status_from_json("{\"result\": \"ok\", \"errors\": \"no\"}", error));
  CHECK(status_from_json("{\"result\": \"ok\"}", error));  // fields may be added or dropped
}

TEST_CASE("the status table has a header, one row per container and the errors") {
  RunStatus status = make_run_status(sample_result(), at(1795440000), std::chrono::seconds(3),
                                     std::nullopt);
  std::string table = render_status_table(status);
  CHECK(table.find("last run:     2026-11-23T13:20:00Z (3.0 s), result failed, exit code 1") !=
        std::string::npos);
  CHECK(table.find("last success: never") != std::string::npos);
  CHECK(table.find("NAME   IMAGE    IMAGE ID      STATE    LAST ACTION") != std::string::npos);
  CHECK(table.find("web    app:v2   aaaabbbbcccc  running  replace 2026-11-23T13:20:00Z") !=
        std::string::npos);
  CHECK(table.find("create (failed)") != std::string::npos);
  CHECK(table.find("cache  cache:3  -             missing  -") != std::string::npos);
  CHECK(table.find("errors:\n  container db: exec: not found\n") != std::string::npos);
  for (std::size_t at_newline = table.find('\n'); at_newline != std::string::npos;
       at_newline = table.find('\n', at_newline + 1))
    CHECK(table[at_newline - 1] != ' ');  // no trailing blanks
}

TEST_CASE("the status file is saved and loaded from the cache dir") {
  TempDir dir;
  std::string cache = (dir.path / "cache").string();
  std::string error;
  CHECK_FALSE(load_run_status(cache, error));
  CHECK(error.empty());  // no file yet: not an error, just nothing

  RunStatus status = make_run_status(sample_result(), at(1000), std::chrono::seconds(1),
                                     std::nullopt);
  save_run_status(cache, status);
  auto loaded = load_run_status(cache, error);
  REQUIRE_MESSAGE(loaded, error);
  CHECK(*loaded == status);

  std::ofstream(status_file_path(cache)) << "{torn";
  CHECK_FALSE(load_run_status(cache, error));
  CHECK(error.find("status.json") != std::string::npos);
}

TEST_CASE("record_run_status carries the previous file over, and skips dry runs") {
  TempDir dir;
  Settings settings;
  settings.cache_dir = (dir.path / "cache").string();
  settings.dry_run = true;
  RunResult dry = sample_result();
  CHECK_FALSE(record_run_status(settings, dry, at(1000), std::chrono::seconds(1)));
  std::string error;
  CHECK_FALSE(load_run_status(settings.cache_dir, error));

  settings.dry_run = false;
  RunResult ok = sample_result();
  ok.exit_code = 0;
  ok.errors.clear();
  record_run_status(settings, ok, at(1000), std::chrono::seconds(1));
  RunResult failed = sample_result();
  failed.report.outcomes.clear();
  auto second = record_run_status(settings, failed, at(2000), std::chrono::seconds(1));
  REQUIRE(second);
  CHECK(second->last_success == format_utc(at(1000)));
  CHECK(second->containers[0].last_action == "replace");
  auto loaded = load_run_status(settings.cache_dir, error);
  REQUIRE(loaded);
  CHECK(*loaded == *second);
}

TEST_CASE("a corrupt status file is moved aside and rebuilt, an error of the run that found it") {
  TempDir dir;
  Settings settings;
  settings.cache_dir = (dir.path / "cache").string();
  std::filesystem::create_directories(settings.cache_dir);
  std::ofstream(status_file_path(settings.cache_dir)) << "{torn";
  RunResult ok = sample_result();
  ok.exit_code = 0;
  ok.errors.clear();
  auto written = record_run_status(settings, ok, at(1000), std::chrono::seconds(1));
  REQUIRE(written);
  // Said once, by the run that found it: in its errors, its exit code and the new file.
  REQUIRE(ok.errors.size() == 1);
  CHECK(cache_error_phase(ok.errors[0]) == "status");
  CHECK(ok.errors[0].message.find("moved aside") != std::string::npos);
  CHECK(ok.exit_code == 1);
  CHECK(written->result == run_result::failed);
  CHECK(written->errors == std::vector<std::string>{ok.errors[0].str()});
  std::string error;
  CHECK(load_run_status(settings.cache_dir, error));
  CHECK(error.empty());
  int moved = 0;
  for (const auto& entry : std::filesystem::directory_iterator(settings.cache_dir))
    moved += entry.path().filename().string().starts_with("status.json.corrupt-");
  CHECK(moved == 1);
}

TEST_CASE("a status file that is a symlink is never followed, read or written through") {
  TempDir dir;
  std::string cache = (dir.path / "cache").string();
  std::filesystem::create_directories(cache);
  std::ofstream(dir.path / "target") << "precious";
  std::filesystem::create_symlink(dir.path / "target", status_file_path(cache));
  std::string error;
  CHECK_FALSE(load_run_status(cache, error));
  save_run_status(cache, make_run_status(sample_result(), at(1), std::chrono::seconds(1),
                                         std::nullopt));
  std::ifstream target(dir.path / "target");
  std::string text;
  std::getline(target, text);
  CHECK(text == "precious");
  CHECK_FALSE(std::filesystem::is_symlink(status_file_path(cache)));
}

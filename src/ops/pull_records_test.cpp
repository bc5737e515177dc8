// The records of running pulls: what `dockerup status` shows while a run pulls, and never a
// pull of a run that is gone.
#include "dockerup/pull_records.hpp"

#include "dockerup/cache_files.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/run_lock.hpp"
#include "fake_engine.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <thread>

namespace dockerup {
namespace {

using namespace std::chrono;
using testing::FakeEngine;

const system_clock::time_point kStart = sys_days{year{2026} / 11 / 23} + hours(13) + minutes(37);

ContainerSpec spec_of(const std::string& name, const std::string& image) {
  ContainerSpec spec;
  spec.name = name;
  spec.image = image;
  return spec;
}

struct Host {
  testing::TempDir dir;
  std::string cache = dir / "cache";
  FakeEngine fake;
  std::unique_ptr<RunLock> lock;

  std::unique_ptr<RunLock> take_lock() {
    std::string why;
    return RunLock::acquire(cache, false, why);
  }
  PullRecordingEngine engine() { return PullRecordingEngine(fake, cache, [] { return kStart; }); }
  std::vector<std::string> record_files() const { return CacheFiles(cache).file_names("pulls"); }
};

}  // namespace

TEST_CASE("pulls are shown while they run, with their progress, and gone when they end") {
  Host host;
  host.lock = host.take_lock();
  REQUIRE(host.lock);
  for (std::string image : {"reg.example/app:v2", "reg.example/db:v7"}) {
    host.fake.add_registry_image(image, "sha256:" + image.substr(12, 2));
    host.fake.hold_pulls(image);
  }
  host.fake.hold_pulls("reg.example/gone:v1");  // not in the registry: its pull fails
  auto engine = host.engine();
  std::vector<ContainerSpec> specs{spec_of("app", "reg.example/app:v2"),
                                   spec_of("db", "reg.example/db:v7"),
                                   spec_of("gone", "reg.example/gone:v1")};
  ImageRefresh refresh;
  std::thread run([&] { refresh = refresh_images(specs, {}, true, 4, engine); });

  // All three pulls at once (up to 4 run together), each shown as it is.
  bool all_held = host.fake.wait_for_held_pulls(3);
  auto pulls = live_pulls(host.cache);
  host.fake.release_pulls();
  run.join();
  REQUIRE(all_held);
  REQUIRE(pulls.size() == 3);
  std::vector<std::string> lines;
  for (const auto& pull : pulls) lines.push_back(describe_pull(pull));
  std::sort(lines.begin(), lines.end());
  CHECK(lines == std::vector<std::string>{
                     "pulling reg.example/app:v2 since 2026-11-23T13:37:00Z (1/2 layers, 0.5 MB of 1.0 MB)",
                     "pulling reg.example/db:v7 since 2026-11-23T13:37:00Z (1/2 layers, 0.5 MB of 1.0 MB)",
                     "pulling reg.example/gone:v1 since 2026-11-23T13:37:00Z (1/2 layers, 0.5 MB of 1.0 MB)"});
  CHECK(pulls[0].pid == getpid());

  std::string json = add_pulls_json("{\"result\": \"ok\"}", {pulls[0]});
  CHECK(json.find("\"result\": \"ok\"") != std::string::npos);
  CHECK(json.find("\"pulling\": [") != std::string::npos);
  CHECK(json.find("\"image\": \"" + pulls[0].image + "\"") != std::string::npos);
  CHECK(json.find("\"since\": \"2026-11-23T13:37:00Z\"") != std::string::npos);
  CHECK(json.find("\"bytes_done\": 500000") != std::string::npos);
  CHECK(add_pulls_json("{}", {}).find("\"pulling\": []") != std::string::npos);

  // Ended, worked or not: no record is left and status shows no pull.
  CHECK(refresh.pulled);
  CHECK(refresh.errors.count("reg.example/gone:v1") == 1);
  CHECK(host.record_files().empty());
  CHECK(live_pulls(host.cache).empty());
}

TEST_CASE("a record left by a run that is gone is never a live pull; the next run removes it") {
  Host host;
  PullRecord crashed{999999, "reg.example/app:v2", "2026-11-23T12:00:00Z", {3, 1, 10, 20}};
  PullRecord mine{getpid(), "reg.example/db:v7", "2026-11-23T13:00:00Z", {}};
  CacheFiles files(host.cache);
  files.write("pulls/999999-1.json", pull_record_to_json(crashed));
  files.write(fmt::format("pulls/{}-1.json", getpid()), pull_record_to_json(mine));
  CHECK(live_pulls(host.cache).empty());  // nobody holds the lock

  host.lock = host.take_lock();
  REQUIRE(host.lock);
  // The lock holder's own record counts; the other pid holds no lock.
  CHECK(live_pulls(host.cache) == std::vector<PullRecord>{mine});

  auto engine = host.engine();  // a run starting: what others left is stale
  CHECK(host.record_files() == std::vector<std::string>{fmt::format("{}-1.json", getpid())});
  host.lock.reset();
  CHECK(live_pulls(host.cache).empty());
}

TEST_CASE("pull records: what is written reads back; anything else is no record") {
  PullRecord record{42, "reg.example:5000/team/app@sha256:ab", "2026-11-23T13:37:00Z",
                    {5, 2, 1500000, 3200000}};
  CHECK(pull_record_from_json(pull_record_to_json(record)) == record);
  CHECK(describe_pull(record) == "pulling reg.example:5000/team/app@sha256:ab since "
                                 "2026-11-23T13:37:00Z (2/5 layers, 1.5 MB of 3.2 MB)");
  CHECK_FALSE(pull_record_from_json("not json"));
  CHECK_FALSE(pull_record_from_json("[]"));
  CHECK_FALSE(pull_record_from_json(R"({"pid": 1, "image": "a"})"));
  CHECK_FALSE(pull_record_from_json(R"({"pid": -1, "image": "a", "since": "", "layers_done": 0,
                                        "layers_total": 0, "bytes_done": 0, "bytes_total": 0})"));
}

}  // namespace dockerup

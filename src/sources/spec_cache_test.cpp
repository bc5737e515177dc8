// The containers.d parse cache of --server: what is reused, what is read again, and that the
// trust checks of strict_modes still decide every run.
#include "dockerup/lkg.hpp"
#include "dockerup/sources.hpp"
#include "dockerup/spec_cache.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>

using namespace dockerup;
using namespace dockerup::testing;

namespace {

using Clock = std::chrono::system_clock;

/// A confdir with web.json and db.json, loaded with one cache whose clock is an hour ahead, so
/// no file counts as just changed (that rule has its own test).
struct CachedConfdir {
  TempDir conf;
  TempDir cache_dir;
  LastKnownGood store{cache_dir.path()};
  SpecFileCache cache{[] { return Clock::now() + std::chrono::hours(1); }};
  bool strict_modes = true;

  CachedConfdir() {
    write_text(conf / "web.json", container_json("web", "busybox:1"));
    write_text(conf / "db.json", container_json("db", "busybox:2"));
  }

  SourceLoad load() {
    return load_confdir(conf.path(), {.strict_modes = strict_modes,
                                      .last_known_good = &store,
                                      .parsed = &cache});
  }
};

/// Sets the file's mtime to `seconds` past the epoch (ctime moves to now as a side effect).
void set_mtime(const std::string& path, time_t seconds) {
  timespec times[2] = {{seconds, 0}, {seconds, 0}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

std::string image_of(const SourceLoad& load, const std::string& name) {
  for (const auto& spec : load.state.specs)
    if (spec.name == name) return spec.image;
  return "";
}

}  // namespace

TEST_CASE("spec cache: an unchanged file is not parsed again and yields the same spec") {
  for (bool strict : {true, false}) {
    CAPTURE(strict);
    CachedConfdir f;
    f.strict_modes = strict;
    SourceLoad first = f.load();
    CHECK(f.cache.parses() == 2);
    SourceLoad second = f.load();
    CHECK(f.cache.parses() == 2);
    CHECK(second.state.errors.empty());
    CHECK(names_of(second.state) == names_of(first.state));
    CHECK(image_of(second, "web") == "busybox:1");
    CHECK(second.state.specs[0].source == f.conf / "db.json");
    CHECK(second.state.complete_sources == std::set<std::string>{f.conf.path()});
  }
}

TEST_CASE("spec cache: a file edited to the same size with a new mtime is parsed again") {
  CachedConfdir f;
  set_mtime(f.conf / "web.json", 1'000'000);
  f.load();
  write_text(f.conf / "web.json", container_json("web", "busybox:3"));  // same length
  set_mtime(f.conf / "web.json", 1'000'001);
  SourceLoad load = f.load();
  CHECK(f.cache.parses() == 3);
  CHECK(image_of(load, "web") == "busybox:3");
  CHECK(f.store.confdir_file("web.json") == container_json("web", "busybox:3"));
}

TEST_CASE("spec cache: a removed file is gone, an added one is read") {
  CachedConfdir f;
  f.load();
  std::filesystem::remove(f.conf / "db.json");
  write_text(f.conf / "cache.json", container_json("cache", "busybox:4"));
  SourceLoad load = f.load();
  CHECK(names_of(load.state) == std::vector<std::string>{"cache", "web"});
  CHECK(f.cache.parses() == 3);
  CHECK(f.cache.size() == 2);
  CHECK_FALSE(f.cache.stamp_of(f.conf / "db.json"));
  TempDir other;  // a reload pointed the confdir elsewhere: nothing of the old one is kept
  write_text(other / "web.json", container_json("web", "busybox:1"));
  load_confdir(other.path(), {.parsed = &f.cache});
  CHECK(f.cache.size() == 1);
  CHECK(f.cache.stamp_of(other / "web.json"));
}

TEST_CASE("spec cache: a cached file made group-writable is refused on the next run") {
  CachedConfdir f;
  f.load();
  REQUIRE(f.cache.stamp_of(f.conf / "web.json"));
  REQUIRE(::chmod((f.conf / "web.json").c_str(), 0664) == 0);
  SourceLoad load = f.load();
  CHECK(mentions(load.state.errors, "writable by group or others"));
  CHECK(mentions(load.state.errors, f.conf / "web.json"));
  CHECK_FALSE(f.cache.stamp_of(f.conf / "web.json"));
  // Its last valid version stands in, as for any refused file, and says so.
  REQUIRE(load.warnings.size() == 1);
  CHECK(load.warnings[0].find("using its last valid version") != std::string::npos);
}

TEST_CASE("spec cache: the trust check runs even when the stamp matches") {
  TempDir dir;
  write_text(dir / "web.json", container_json("web", "busybox:1"), 0664);
  CheckedRead first = read_checked_file(dir / "web.json");
  REQUIRE(first.found);
  CheckedRead again = read_checked_file(dir / "web.json", first.stamp);
  CHECK(again.unchanged);
  CHECK(again.text.empty());
  CHECK(again.untrusted.find("writable by group or others") != std::string::npos);
}

TEST_CASE("spec cache: a file changed within the last seconds is parsed again next run") {
  TempDir conf;
  write_text(conf / "web.json", container_json("web", "busybox:1"));
  struct stat info {};
  REQUIRE(::stat((conf / "web.json").c_str(), &info) == 0);
  auto changed = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(info.st_ctim.tv_sec) + std::chrono::nanoseconds(info.st_ctim.tv_nsec)));
  auto now = changed + std::chrono::seconds(1);
  SpecFileCache cache{[&now] { return now; }};
  ConfdirOptions options{.parsed = &cache};
  load_confdir(conf.path(), options);
  load_confdir(conf.path(), options);
  CHECK(cache.parses() == 2);  // a second write in the same clock tick could hide behind its stamp
  now = changed + std::chrono::minutes(1);
  load_confdir(conf.path(), options);
  load_confdir(conf.path(), options);
  CHECK(cache.parses() == 3);
}

TEST_CASE("spec cache: unknown-field warnings are said every run, cached or not") {
  CachedConfdir f;
  write_text(f.conf / "web.json", R"({"name": "web", "image": "busybox:1", "colour": "red"})");
  SourceLoad first = f.load();
  SourceLoad second = f.load();
  CHECK(f.cache.parses() == 2);
  REQUIRE_FALSE(first.warnings.empty());
  CHECK(second.warnings == first.warnings);
}

#include "dockerup/confdir_watch.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"
#include <poll.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>

using namespace dockerup;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using testing::TempDir;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

/// Whether the fd becomes readable within `timeout_ms`. Only used for things that must happen:
/// the bound is generous, and a loaded machine only makes the test slower, never wrong.
bool readable(int fd, int timeout_ms = 20000) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, timeout_ms) > 0;
}

/// What the server loop does: wait for the fd, then drain. false when nothing arrived.
bool changed(ConfdirWatch& watch) { return readable(watch.fd()) && watch.drain(); }

/// A watch without its thread: inotify queues an event before the file system call returns, so
/// take_events() right after a change sees it. Which events count is checked with no timing.
struct OpenWatch {
  ConfdirWatch watch;
  explicit OpenWatch(const std::string& confdir) {
    std::string error;
    REQUIRE(watch.open(confdir, error));
  }
  bool changed() { return watch.take_events(); }
};

/// After the watch moved from `left_behind` to `watched`: a file written in the folder it left
/// does not count, one in the folder it watches now does.
void check_only_watched_counts(OpenWatch& open, const fs::path& left_behind,
                               const fs::path& watched) {
  write_text(left_behind / "web.json", "{}");
  CHECK_FALSE(open.changed());
  write_text(watched / "web.json", "{}");
  CHECK(open.changed());
}

using TimePoint = Burst::TimePoint;
constexpr WatchTiming kTiming{300ms, 1000ms};
const TimePoint kStart = TimePoint(std::chrono::hours(1));

}  // namespace

TEST_CASE("a new, written, renamed, chmod'ed or deleted container file counts") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  OpenWatch open(dir / "containers.d");
  CHECK_FALSE(open.changed());

  write_text(dir / "containers.d/a.json", "{}");
  write_text(dir / "containers.d/b.json", "{}");
  CHECK(open.changed());
  CHECK_FALSE(open.changed());  // both were read at once: one burst

  write_text(dir / "containers.d/.c.tmp", "{}");
  CHECK_FALSE(open.changed());  // not a container file (yet)
  fs::rename(dir / "containers.d/.c.tmp", dir / "containers.d/c.json");
  CHECK(open.changed());

  fs::permissions(dir / "containers.d/c.json", fs::perms::group_write, fs::perm_options::add);
  CHECK(open.changed());

  fs::remove(dir / "containers.d/a.json");
  CHECK(open.changed());
}

TEST_CASE("files that are not container files do not count") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  OpenWatch open(dir / "containers.d/");
  write_text(dir / "containers.d/.web.json.swp", "x");
  write_text(dir / "containers.d/notes.txt", "x");
  write_text(dir / "dockerup.conf", "pull=false");  // beside the confdir
  fs::rename(dir / "dockerup.conf", dir / "status.json");  // a cache beside it, say
  CHECK_FALSE(open.changed());
  write_text(dir / "containers.d/web.json", "{}");  // and it still works
  CHECK(open.changed());
}

TEST_CASE("a confdir that does not exist yet is watched once it appears") {
  TempDir dir;
  OpenWatch open(dir / "containers.d");
  fs::create_directory(dir / "containers.d");
  CHECK(open.changed());
  write_text(dir / "containers.d/web.json", "{}");
  CHECK(open.changed());
}

TEST_CASE("a replaced confdir is followed: the new folder counts, the old one not") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  fs::create_directory(dir / "next");
  OpenWatch open(dir / "containers.d");

  fs::rename(dir / "containers.d", dir / "old");
  fs::rename(dir / "next", dir / "containers.d");
  CHECK(open.changed());
  check_only_watched_counts(open, dir / "old", dir / "containers.d");
}

TEST_CASE("a confdir behind a symlink is followed when the link is swapped") {
  TempDir dir;
  fs::create_directory(dir / "v1");
  fs::create_directory(dir / "v2");
  fs::create_directory_symlink(dir / "v1", dir / "containers.d");
  OpenWatch open(dir / "containers.d");

  fs::create_directory_symlink(dir / "v2", dir / "link.tmp");
  fs::rename(dir / "link.tmp", dir / "containers.d");
  CHECK(open.changed());
  check_only_watched_counts(open, dir / "v1", dir / "v2");
}

TEST_CASE("follow moves the watch to another confdir") {
  TempDir dir;
  fs::create_directory(dir / "one");
  fs::create_directory(dir / "two");
  OpenWatch open(dir / "one");
  open.watch.follow(dir / "two");
  CHECK(open.watch.confdir() == dir / "two");
  check_only_watched_counts(open, dir / "one", dir / "two");
}

TEST_CASE("a burst ends when it has been quiet for `quiet`") {
  Burst burst(kTiming, kStart);
  CHECK(burst.left(kStart) == 300ms);
  CHECK(burst.left(kStart + 299ms) == 1ms);
  CHECK(burst.left(kStart + 300ms) <= 0ms);
  burst.event(kStart + 200ms);  // another file of the same `cp -r`
  CHECK(burst.left(kStart + 300ms) == 200ms);
  CHECK(burst.left(kStart + 500ms) <= 0ms);
}

TEST_CASE("a change that never stops still ends the burst after the longest burst") {
  Burst burst(kTiming, kStart);
  TimePoint now = kStart;
  int events = 0;
  while (burst.left(now) > 0ms && events < 1000) {  // an event every 10 ms, for ever
    now += 10ms;
    burst.event(now);
    ++events;
  }
  CHECK(now == kStart + 1000ms);
  CHECK(events == 100);
}

TEST_CASE("the watch thread signals a change at the end of its burst") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  ConfdirWatch watch(WatchTiming{20ms, 100ms});
  std::string error;
  REQUIRE(watch.start(dir / "containers.d", error));
  CHECK_FALSE(watch.drain());  // nothing happened yet
  write_text(dir / "containers.d/a.json", "{}");
  CHECK(changed(watch));
  // (How many signals a burst makes is Burst's rule, tested above with a clock moved by hand.)
}

TEST_CASE("a watch stops while a burst is going on") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  // A burst that would last an hour: if stopping waited for it, the test would time out.
  auto watch = std::make_unique<ConfdirWatch>(WatchTiming{1h, 1h});
  std::string error;
  REQUIRE(watch->start(dir / "containers.d", error));
  write_text(dir / "containers.d/web.json", "{}");
  watch.reset();
}

TEST_CASE("before start there is nothing to poll") {
  ConfdirWatch watch;
  CHECK(watch.fd() == -1);
  CHECK(!watch.drain());
  CHECK(!watch.take_events());
  watch.follow("/nonexistent");  // harmless
  CHECK(watch.fd() == -1);
}

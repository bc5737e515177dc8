#include "dockerup/confdir_watch.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"
#include <poll.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

using namespace dockerup;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using testing::TempDir;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

bool readable(int fd, int timeout_ms = 1000) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, timeout_ms) > 0;
}

/// What the server loop does: wait for the fd, then drain. false when nothing arrived.
bool changed(ConfdirWatch& watch) { return readable(watch.fd()) && watch.drain(); }

/// Nothing signalled within a while (longer than a burst takes to settle).
bool quiet(ConfdirWatch& watch) { return !readable(watch.fd(), 250); }

constexpr WatchTiming kFast{50ms, 400ms};

}  // namespace

TEST_CASE("a new, written, renamed or deleted container file is reported once per burst") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  ConfdirWatch watch(kFast);
  std::string error;
  REQUIRE(watch.start(dir / "containers.d", error));
  CHECK(!readable(watch.fd(), 50));

  write_text(dir / "containers.d/a.json", "{}");
  write_text(dir / "containers.d/b.json", "{}");
  CHECK(changed(watch));
  CHECK(quiet(watch));  // both files were one burst
  CHECK(!watch.drain());

  write_text(dir / "containers.d/.c.tmp", "{}");
  fs::rename(dir / "containers.d/.c.tmp", dir / "containers.d/c.json");
  CHECK(changed(watch));

  fs::permissions(dir / "containers.d/c.json", fs::perms::group_write, fs::perm_options::add);
  CHECK(changed(watch));

  fs::remove(dir / "containers.d/a.json");
  CHECK(changed(watch));
}

TEST_CASE("files that are not container files are not signalled") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  ConfdirWatch watch(kFast);
  std::string error;
  REQUIRE(watch.start(dir / "containers.d/", error));
  write_text(dir / "containers.d/.web.json.swp", "x");
  write_text(dir / "containers.d/notes.txt", "x");
  write_text(dir / "dockerup.conf", "pull=false");  // beside the confdir
  fs::rename(dir / "dockerup.conf", dir / "status.json");  // a cache beside it, say
  CHECK(quiet(watch));
  write_text(dir / "containers.d/web.json", "{}");  // and it still works
  CHECK(changed(watch));
}

TEST_CASE("a confdir that does not exist yet is watched once it appears") {
  TempDir dir;
  ConfdirWatch watch(kFast);
  std::string error;
  REQUIRE(watch.start(dir / "containers.d", error));
  fs::create_directory(dir / "containers.d");
  CHECK(changed(watch));
  write_text(dir / "containers.d/web.json", "{}");
  CHECK(changed(watch));
}

TEST_CASE("a replaced confdir is followed: the new folder counts, the old one not") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  fs::create_directory(dir / "next");
  ConfdirWatch watch(kFast);
  std::string error;
  REQUIRE(watch.start(dir / "containers.d", error));

  fs::rename(dir / "containers.d", dir / "old");
  fs::rename(dir / "next", dir / "containers.d");
  CHECK(changed(watch));

  write_text(dir / "old/stale.json", "{}");
  CHECK(quiet(watch));
  write_text(dir / "containers.d/web.json", "{}");
  CHECK(changed(watch));
}

TEST_CASE("a confdir behind a symlink is followed when the link is swapped") {
  TempDir dir;
  fs::create_directory(dir / "v1");
  fs::create_directory(dir / "v2");
  fs::create_directory_symlink(dir / "v1", dir / "containers.d");
  ConfdirWatch watch(kFast);
  std::string error;
  REQUIRE(watch.start(dir / "containers.d", error));

  fs::create_directory_symlink(dir / "v2", dir / "link.tmp");
  fs::rename(dir / "link.tmp", dir / "containers.d");
  CHECK(changed(watch));
  write_text(dir / "v2/web.json", "{}");
  CHECK(changed(watch));
}

TEST_CASE("follow moves the watch to another confdir") {
  TempDir dir;
  fs::create_directory(dir / "one");
  fs::create_directory(dir / "two");
  ConfdirWatch watch(kFast);
  std::string error;
  REQUIRE(watch.start(dir / "one", error));
  watch.follow(dir / "two");
  CHECK(watch.confdir() == dir / "two");
  write_text(dir / "one/web.json", "{}");
  CHECK(quiet(watch));
  write_text(dir / "two/web.json", "{}");
  CHECK(changed(watch));
}

TEST_CASE("a change that never stops still ends the wait after the longest burst") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  ConfdirWatch watch(kFast);
  std::string error;
  REQUIRE(watch.start(dir / "containers.d", error));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; !done && i < 200; ++i) {
      write_text(dir / "containers.d/busy.json", std::to_string(i));
      std::this_thread::sleep_for(10ms);
    }
  });
  auto started = std::chrono::steady_clock::now();
  bool signalled = readable(watch.fd(), 3000);
  auto took = std::chrono::steady_clock::now() - started;
  done = true;
  writer.join();
  CHECK(signalled);
  CHECK(took >= 350ms);  // it did wait for the burst...
  CHECK(took < 1500ms);  // ...but not for ever
}

TEST_CASE("a watch stops cleanly while a burst is going on") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  auto watch = std::make_unique<ConfdirWatch>(WatchTiming{1000ms, 5000ms});
  std::string error;
  REQUIRE(watch->start(dir / "containers.d", error));
  write_text(dir / "containers.d/web.json", "{}");
  std::this_thread::sleep_for(50ms);  // the thread is now waiting for the burst to end
  auto started = std::chrono::steady_clock::now();
  watch.reset();
  CHECK(std::chrono::steady_clock::now() - started < 500ms);
}

TEST_CASE("before start there is nothing to poll") {
  ConfdirWatch watch;
  CHECK(watch.fd() == -1);
  CHECK(!watch.drain());
  watch.follow("/nonexistent");  // harmless
  CHECK(watch.fd() == -1);
}

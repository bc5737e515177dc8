#include "dockerup/confdir_watch.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace dockerup;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = fs::temp_directory_path() / "dockerup-watch-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

bool readable(int fd, int timeout_ms = 200) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, timeout_ms) > 0;
}

/// What the server loop does: wait for the fd, then drain. false when nothing arrived.
bool changed(ConfdirWatch& watch) { return readable(watch.fd()) && watch.drain(); }

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
  CHECK(!readable(watch.fd(), 100));  // both files were one burst

  write_text(dir / "containers.d/.c.tmp", "{}");
  fs::rename(dir / "containers.d/.c.tmp", dir / "containers.d/c.json");
  CHECK(changed(watch));

  fs::permissions(dir / "containers.d/c.json", fs::perms::group_write, fs::perm_options::add);
  CHECK(changed(watch));

  fs::remove(dir / "containers.d/a.json");
  CHECK(changed(watch));
}

TEST_CASE("files that are not container files wake the loop but do not count") {
  TempDir dir;
  fs::create_directory(dir / "containers.d");
  ConfdirWatch watch(kFast);
  std::string error;
  REQUIRE(watch.start(dir / "containers.d/", error));
  write_text(dir / "containers.d/.web.json.swp", "x");
  write_text(dir / "containers.d/notes.txt", "x");
  write_text(dir / "dockerup.conf", "pull=false");  // beside the confdir, written in place
  REQUIRE(readable(watch.fd()));
  CHECK(!watch.drain());
  CHECK(!readable(watch.fd(), 50));
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
  if (readable(watch.fd(), 100)) CHECK(!watch.drain());
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
  if (readable(watch.fd(), 100)) CHECK(!watch.drain());
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
  REQUIRE(readable(watch.fd()));
  auto started = std::chrono::steady_clock::now();
  bool relevant = watch.drain();
  auto took = std::chrono::steady_clock::now() - started;
  done = true;
  writer.join();
  CHECK(relevant);
  CHECK(took >= 350ms);  // it did wait for the burst...
  CHECK(took < 1500ms);  // ...but not for ever
}

TEST_CASE("before start there is nothing to poll") {
  ConfdirWatch watch;
  CHECK(watch.fd() == -1);
  CHECK(!watch.drain());
  watch.follow("/nonexistent");  // harmless
  CHECK(watch.fd() == -1);
}

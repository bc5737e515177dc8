#include "dockerup/atomic_file.hpp"
#include "dockerup/trusted_path.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace dockerup {
namespace fs = std::filesystem;

namespace {

void put(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string text_of(const std::string& path) {
  return read_whole_file(path).value_or("<missing>");
}

mode_t mode_of(const std::string& path) {
  struct stat info {};
  ::lstat(path.c_str(), &info);
  return info.st_mode & 07777;
}

// Root can chown to nobody; others cannot make a file of another owner.
bool can_chown() { return ::geteuid() == 0; }

}  // namespace

TEST_CASE("a symlinked temp file never makes the writer overwrite its target") {
  testing::TempDir dir;
  put(dir / "target", "precious");
  // The old writer used FILE.tmp.PID: plant that, and every name a guess could give.
  fs::create_symlink(dir / "target", dir / ("status.json.tmp." + std::to_string(::getpid())));
  write_file_atomically(dir / "status.json", "{}");
  CHECK(text_of(dir / "target") == "precious");
  CHECK(text_of(dir / "status.json") == "{}");
  CHECK(mode_of(dir / "status.json") == 0600);
}

TEST_CASE("cache folders are created 0700 and files 0600") {
  testing::TempDir dir;
  write_file_atomically(dir / "cache/history/web.json", "x");
  CHECK(mode_of(dir / "cache") == 0700);
  CHECK(mode_of(dir / "cache/history") == 0700);
  CHECK(mode_of(dir / "cache/history/web.json") == 0600);
}

TEST_CASE("a folder writable by group or others is not trusted, a root-owned sticky parent is") {
  testing::TempDir dir;
  fs::create_directories(dir / "cache");
  ::chmod((dir / "cache").c_str(), 0775);
  CHECK(check_trusted_dir(dir / "cache").find("writable by group or others (mode 0775)") !=
        std::string::npos);
  CHECK_THROWS_AS(TrustedDir::open(dir / "cache", false), Untrusted);
  CHECK_THROWS_AS(write_file_atomically(dir / "cache/x", "x"), Untrusted);
  ::chmod((dir / "cache").c_str(), 0700);
  CHECK(check_trusted_dir(dir / "cache") == "");
  // /tmp (root, 1777) above a private folder is fine; /tmp itself as the folder is not.
  CHECK(check_trusted_dir("/tmp") != "");
  CHECK(check_trusted_dir(dir / "cache/not-yet") == "");
  ::chmod(dir.path().c_str(), 0777);  // a parent without the sticky bit
  CHECK(check_trusted_dir(dir / "cache/not-yet").find(dir.path()) != std::string::npos);
  ::chmod(dir.path().c_str(), 0700);
}

TEST_CASE("a folder or file owned by another user is not trusted") {
  if (!can_chown()) return;  // as a user, nothing of another owner can be made
  testing::TempDir dir;
  fs::create_directories(dir / "cache");
  REQUIRE(::chown((dir / "cache").c_str(), 65534, 65534) == 0);
  CHECK(check_trusted_dir(dir / "cache").find("owned by uid 65534") != std::string::npos);
  REQUIRE(::chown((dir / "cache").c_str(), 0, 0) == 0);
  put(dir / "cache/file", "x");
  REQUIRE(::chown((dir / "cache/file").c_str(), 65534, 65534) == 0);
  auto cache = TrustedDir::open(dir / "cache", false);
  REQUIRE(cache);
  CHECK_THROWS_AS(cache->read("file"), Untrusted);
  CheckedRead checked = read_checked_file(dir / "cache/file");
  CHECK(checked.found);
  CHECK(checked.text == "x");
  CHECK(checked.untrusted.find("owned by uid 65534") != std::string::npos);
}

TEST_CASE("symlinks are followed only through checked folders") {
  testing::TempDir dir;
  fs::create_directories(dir / "real/cache");
  fs::create_symlink("real", dir / "link");
  auto opened = TrustedDir::open(dir / "link/cache", false);
  REQUIRE(opened);
  CHECK(opened->path() == dir / "real/cache");
  // A file in the cache that is a symlink is never followed.
  put(dir / "secret", "s");
  fs::create_symlink(dir / "secret", dir / "real/cache/images.json");
  CHECK_THROWS_AS(opened->read("images.json"), Untrusted);
  // A symlinked source file (containers.d/x.json -> elsewhere) is read through checked folders.
  CheckedRead checked = read_checked_file(dir / "real/cache/images.json");
  CHECK(checked.text == "s");
  CHECK(checked.untrusted == "");
  ::chmod(dir.path().c_str(), 0777);
  CHECK(read_checked_file(dir / "real/cache/images.json").untrusted.find(dir.path() + ": writable") !=
        std::string::npos);
  ::chmod(dir.path().c_str(), 0700);
}

TEST_CASE("a missing file or folder is not an error") {
  testing::TempDir dir;
  CHECK_FALSE(TrustedDir::open(dir / "none", false));
  CHECK_FALSE(read_checked_file(dir / "none/x").found);
  auto here = TrustedDir::open(dir.path(), false);
  REQUIRE(here);
  CHECK_FALSE(here->read("none"));
}

TEST_CASE("move_aside keeps the file under a corrupt- name and never replaces an earlier one") {
  testing::TempDir dir;
  auto here = TrustedDir::open(dir.path(), false);
  put(dir / "images.json", "1");
  std::string first = here->move_aside("images.json");
  put(dir / "images.json", "2");
  std::string second = here->move_aside("images.json");
  CHECK(first != second);
  CHECK(first.find("/images.json.corrupt-") != std::string::npos);
  CHECK(text_of(first) == "1");
  CHECK(text_of(second) == "2");
  CHECK(here->file_names().size() == 2);
}

}  // namespace dockerup

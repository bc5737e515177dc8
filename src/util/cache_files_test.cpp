#include "dockerup/cache_files.hpp"

#include "dockerup/atomic_file.hpp"
#include "dockerup/trusted_path.hpp"

#include <doctest/doctest.h>

#include "file_size_limit.hpp"
#include "temp_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace dockerup {
namespace fs = std::filesystem;

TEST_CASE("cache files: written, read back, listed and removed") {
  testing::TempDir dir;
  CacheFiles cache(dir / "cache");
  CHECK_FALSE(cache.read("history/web.json"));
  CHECK(cache.file_names("history").empty());
  cache.write("history/web.json", "w");
  CHECK(cache.read("history/web.json") == "w");
  CHECK(cache.file_names("history") == std::vector<std::string>{"web.json"});
  cache.remove("history/web.json");
  CHECK_FALSE(cache.read("history/web.json"));
}

TEST_CASE("a cache file that is a symlink is moved aside, not followed") {
  testing::TempDir dir;
  CacheFiles cache(dir / "cache");
  cache.write("images.json", "old");
  std::ofstream(dir / "secret") << "secret";
  fs::remove(dir / "cache/images.json");
  fs::create_symlink(dir / "secret", dir / "cache/images.json");
  CHECK_FALSE(cache.read("images.json"));
  CHECK_FALSE(fs::is_symlink(dir / "cache/images.json"));
  CHECK(cache.file_names("").empty());  // the symlink was renamed, the secret is untouched
  CHECK(read_whole_file(dir / "secret") == "secret");
}

TEST_CASE("a cache subfolder writable by others is moved aside and rebuilt") {
  testing::TempDir dir;
  CacheFiles cache(dir / "cache");
  cache.write("history/web.json", "planted?");
  ::chmod((dir / "cache/history").c_str(), 0777);
  CHECK_FALSE(cache.read("history/web.json"));
  cache.write("history/web.json", "fresh");
  struct stat info {};
  ::stat((dir / "cache/history").c_str(), &info);
  CHECK((info.st_mode & 07777) == 0700);
  CHECK(cache.read("history/web.json") == "fresh");
}

TEST_CASE("set_aside renames a corrupt file and never throws") {
  testing::TempDir dir;
  CacheFiles cache(dir / "cache");
  cache.write("status.json", "{not json");
  cache.set_aside("status.json", "not JSON");
  CHECK_FALSE(cache.read("status.json"));
  auto names = cache.file_names("");
  REQUIRE(names.size() == 1);
  CHECK(names[0].starts_with("status.json.corrupt-"));
  cache.set_aside("missing.json", "whatever");  // nothing to move: no exception
}

TEST_CASE("a cache dir that is not trusted is an error, not a silent fallback") {
  testing::TempDir dir;
  fs::create_directories(dir / "cache");
  ::chmod((dir / "cache").c_str(), 0777);
  CacheFiles cache(dir / "cache");
  CHECK_THROWS_AS(cache.read("images.json"), Untrusted);
  CHECK_THROWS_AS(cache.write("images.json", "x"), Untrusted);
}

TEST_CASE("a cache write that fails is reported once, as an error of the phase, with its reason") {
  testing::TempDir dir;
  CacheFiles cache(dir / "cache", cache_phase::history);
  cache.write("history/web.json", "old");
  bool written = true;
  {
    testing::FileSizeLimit full;  // every write fails, as on a full disk
    written = cache.try_write("history/web.json", "new");
  }
  CHECK_FALSE(written);
  Errors problems = cache.take_problems();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].where == "cache (history)");
  CHECK(cache_error_phase(problems[0]) == "history");
  // Which file and the system's reason.
  CHECK(problems[0].message.find("cannot write " + dir / "cache/history/web.json") == 0);
  CHECK(problems[0].message.find("File too large") != std::string::npos);
  CHECK(cache.take_problems().empty());  // taken once
  CHECK(cache.read("history/web.json") == "old");  // the old file is intact, no temp file left
  CHECK(cache.file_names("history") == std::vector<std::string>{"web.json"});
  CHECK_THROWS_AS(([&] {
                    testing::FileSizeLimit full;
                    cache.write("history/web.json", "new");
                  })(),
                  Failure);
}

TEST_CASE("corrupt and untrusted cache files are problems of the phase; copies share them") {
  testing::TempDir dir;
  CacheFiles cache(dir / "cache", cache_phase::status);
  CacheFiles copy = cache;
  cache.write("status.json", "{torn");
  copy.set_aside("status.json", "not JSON");
  std::ofstream(dir / "elsewhere") << "x";
  fs::create_symlink(dir / "elsewhere", dir / "cache/images.json");
  CHECK_FALSE(cache.read("images.json"));
  Errors problems = cache.take_problems();
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].str().starts_with("cache (status): " + dir / "cache/status.json: not JSON; "
                                      "moved aside to " + dir / "cache/status.json.corrupt-"));
  CHECK(problems[1].message.find("moved aside") != std::string::npos);
}

TEST_CASE("a cache made without a phase collects nothing (its problems are logged)") {
  testing::TempDir dir;
  CacheFiles cache(dir / "cache");
  cache.write("status.json", "{torn");
  cache.set_aside("status.json", "not JSON");
  CHECK(cache.take_problems().empty());
  CHECK_FALSE(cache_error_phase(Error{"container web", "cache (x)"}));
  CHECK_FALSE(cache_error_phase(Error{"cache (history", "m"}));
}

}  // namespace dockerup

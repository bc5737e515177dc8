#include "dockerup/lkg.hpp"
#include "dockerup/sources.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include <sys/stat.h>
#include <unistd.h>

using namespace dockerup;
using dockerup::testing::container_json;
using dockerup::testing::mentions;
using dockerup::testing::names_of;
using dockerup::testing::TempDir;
using dockerup::testing::write_text;

namespace {

/// A confdir whose valid files are copied to a last-known-good store, starting with web.json
/// (web on busybox:1).
struct ConfdirWithCopies {
  TempDir conf;
  TempDir cache;
  LastKnownGood store{cache.path()};
  ConfdirOptions options;

  explicit ConfdirWithCopies(bool strict_modes)
      : options{.strict_modes = strict_modes, .last_known_good = &store} {
    write_text(conf / "web.json", container_json("web", "busybox:1"));
  }

  SourceLoad load() { return load_confdir(conf.path(), options); }
};

}  // namespace

TEST_CASE("load_confdir reads every *.json file directly in the folder, sorted") {
  TempDir dir;
  write_text(dir / "b.json", container_json("bravo", "busybox:1"));
  write_text(dir / "a.json", container_json("", "busybox:2"));
  write_text(dir / "notes.txt", "not a container");
  write_text(dir / "c.json.bak", container_json("backup", "busybox:3"));
  std::filesystem::create_directories(dir / "folder.json");
  write_text(dir / "sub/d.json", container_json("nested", "busybox:4"));

  SourceLoad load = load_confdir(dir.path());

  CHECK(load.state.errors.empty());
  CHECK(names_of(load.state) == std::vector<std::string>{"a", "bravo"});
  REQUIRE(load.state.specs.size() == 2);
  CHECK(load.state.specs[0].source == dir / "a.json");
  CHECK(load.state.specs[0].image == "busybox:2");
  CHECK(load.state.specs[1].source == dir / "b.json");
  CHECK(load.state.complete_sources == std::set<std::string>{dir.path()});
  CHECK(load.state.failed_sources.empty());
}

TEST_CASE("an invalid or unreadable file fails alone and its error names it") {
  TempDir dir;
  write_text(dir / "good.json", container_json("good", "busybox"));
  write_text(dir / "broken.json", "{\"name\": \"broken\", ");
  std::filesystem::create_symlink(dir / "missing-target", dir / "dangling.json");

  SourceLoad load = load_confdir(dir.path());

  CHECK(names_of(load.state) == std::vector<std::string>{"good"});
  CHECK(load.state.failed_sources ==
        std::set<std::string>{dir / "broken.json", dir / "dangling.json"});
  CHECK(load.state.complete_sources.count(dir.path()) == 1);
  CHECK(mentions(load.state.errors, dir / "broken.json"));
  CHECK(mentions(load.state.errors, dir / "dangling.json: cannot read the file"));
}

TEST_CASE("two files declaring one name: error naming both, name protected, neither used") {
  TempDir dir;
  write_text(dir / "one.json", container_json("web", "busybox:1"));
  write_text(dir / "two.json", container_json("web", "busybox:2"));
  write_text(dir / "three.json", container_json("db", "busybox:3"));

  SourceLoad load = load_confdir(dir.path());

  CHECK(names_of(load.state) == std::vector<std::string>{"db"});
  CHECK(load.state.protected_names == std::set<std::string>{"web"});
  REQUIRE(load.state.errors.size() == 1);
  CHECK(load.state.errors[0].where == "container web");
  CHECK(load.state.errors[0].message.find(dir / "one.json") != std::string::npos);
  CHECK(load.state.errors[0].message.find(dir / "two.json") != std::string::npos);
  CHECK(load.state.failed_sources.empty());
}

TEST_CASE("a missing confdir is failed, not complete") {
  TempDir dir;
  std::string missing = dir / "nope";

  SourceLoad load = load_confdir(missing);

  CHECK(load.state.specs.empty());
  CHECK(load.state.failed_sources == std::set<std::string>{missing});
  CHECK(load.state.complete_sources.empty());
  CHECK(mentions(load.state.errors, missing));
}

TEST_CASE("a confdir that is a file is failed too") {
  TempDir dir;
  write_text(dir / "plain", "x");
  SourceLoad load = load_confdir(dir / "plain");
  CHECK(load.state.failed_sources == std::set<std::string>{dir / "plain"});
  CHECK(load.state.complete_sources.empty());
}

TEST_CASE("strict modes refuse a group- or world-writable file, naming file and mode") {
  TempDir dir;
  write_text(dir / "safe.json", container_json("safe", "busybox"));
  write_text(dir / "open.json", container_json("open", "busybox"), 0664);

  SourceLoad strict = load_confdir(dir.path(), {.strict_modes = true});
  CHECK(names_of(strict.state) == std::vector<std::string>{"safe"});
  CHECK(strict.state.failed_sources == std::set<std::string>{dir / "open.json"});
  CHECK(mentions(strict.state.errors, dir / "open.json"));
  CHECK(mentions(strict.state.errors, "0664"));

  SourceLoad relaxed = load_confdir(dir.path(), {.strict_modes = false});
  CHECK(names_of(relaxed.state) == std::vector<std::string>{"open", "safe"});
}

TEST_CASE("check_file_mode accepts 0644 and 0600, refuses 0646 and 0620") {
  TempDir dir;
  write_text(dir / "f", "x", 0644);
  CHECK_FALSE(check_file_mode(dir / "f").has_value());
  ::chmod((dir / "f").c_str(), 0600);
  CHECK_FALSE(check_file_mode(dir / "f").has_value());
  ::chmod((dir / "f").c_str(), 0646);
  REQUIRE(check_file_mode(dir / "f").has_value());
  CHECK(check_file_mode(dir / "f")->message.find("0646") != std::string::npos);
  ::chmod((dir / "f").c_str(), 0620);
  CHECK(check_file_mode(dir / "f").has_value());
  CHECK_FALSE(check_file_mode(dir / "absent").has_value());
}

TEST_CASE("last-known-good: a file that turns invalid is replaced by its last valid version") {
  ConfdirWithCopies f(/*strict_modes=*/true);

  SourceLoad first = f.load();
  REQUIRE(names_of(first.state) == std::vector<std::string>{"web"});
  CHECK(first.warnings.empty());
  CHECK(f.store.confdir_file("web.json") == container_json("web", "busybox:1"));

  write_text(f.conf / "web.json", "{ half written");
  SourceLoad second = f.load();
  REQUIRE(names_of(second.state) == std::vector<std::string>{"web"});
  CHECK(second.state.specs[0].image == "busybox:1");
  CHECK(second.state.specs[0].source == f.conf / "web.json");
  CHECK(second.state.failed_sources.empty());
  CHECK(mentions(second.state.errors, f.conf / "web.json"));
  REQUIRE(second.warnings.size() == 1);
  CHECK(second.warnings[0].find("last valid version") != std::string::npos);
  // The broken text never replaces the good copy.
  CHECK(f.store.confdir_file("web.json") == container_json("web", "busybox:1"));

  write_text(f.conf / "web.json", container_json("web", "busybox:1"), 0666);
  SourceLoad unsafe = f.load();
  CHECK(names_of(unsafe.state) == std::vector<std::string>{"web"});
  CHECK(unsafe.warnings.size() == 1);

  std::filesystem::remove(f.conf / "web.json");
  SourceLoad deleted = f.load();
  CHECK(deleted.state.specs.empty());
  CHECK(deleted.state.failed_sources.empty());
  CHECK_FALSE(f.store.confdir_file("web.json").has_value());

  // Recreated broken: no copy stands in any more, so the file is failed.
  write_text(f.conf / "web.json", "{ half written");
  SourceLoad broken = f.load();
  CHECK(broken.state.specs.empty());
  CHECK(broken.state.failed_sources == std::set<std::string>{f.conf / "web.json"});
}

TEST_CASE("last-known-good: a changed valid file updates its copy") {
  ConfdirWithCopies f(/*strict_modes=*/false);
  f.load();
  write_text(f.conf / "web.json", container_json("web", "busybox:2"));
  f.load();
  CHECK(f.store.confdir_file("web.json") == container_json("web", "busybox:2"));
}

TEST_CASE("strict modes refuse a file of another owner; its last valid version stands in") {
  if (::geteuid() != 0) return;  // only root can make a file of another owner
  ConfdirWithCopies f(/*strict_modes=*/true);
  REQUIRE(names_of(f.load().state) == std::vector<std::string>{"web"});

  // Mode 0644 but owned by nobody: today's mode-only check let its owner decide what runs.
  write_text(f.conf / "web.json", container_json("web", "busybox:evil"));
  REQUIRE(::chown((f.conf / "web.json").c_str(), 65534, 65534) == 0);
  SourceLoad load = f.load();
  REQUIRE(load.state.specs.size() == 1);
  CHECK(load.state.specs[0].image == "busybox:1");
  CHECK(mentions(load.state.errors, "owned by uid 65534"));
  CHECK(f.store.confdir_file("web.json") == container_json("web", "busybox:1"));
}

TEST_CASE("strict modes refuse a group-writable confdir as a whole; nothing of it is removed") {
  ConfdirWithCopies f(/*strict_modes=*/true);
  write_text(f.conf / "db.json", container_json("db", "busybox:1"));
  f.load();

  // Anyone in the group could add a privileged container; nothing in it is taken now.
  ::chmod(f.conf.path().c_str(), 0775);
  write_text(f.conf / "evil.json", container_json("evil", "busybox:1"));
  write_text(f.conf / "web.json", container_json("web", "busybox:evil"));
  SourceLoad load = f.load();
  CHECK(names_of(load.state) == std::vector<std::string>{"db", "web"});
  CHECK(load.state.specs[1].image == "busybox:1");
  CHECK(load.state.failed_sources == std::set<std::string>{f.conf.path()});
  CHECK(load.state.complete_sources.empty());
  CHECK(mentions(load.state.errors, "writable by group or others (mode 0775)"));

  SourceLoad relaxed = load_confdir(f.conf.path(), {.strict_modes = false});
  CHECK(names_of(relaxed.state) == std::vector<std::string>{"db", "evil", "web"});
}

TEST_CASE("strict modes check every folder above the file, following symlinks") {
  TempDir top;
  std::filesystem::create_directories(top / "etc/containers.d");
  std::filesystem::create_directories(top / "elsewhere");
  write_text(top / "elsewhere/web.json", container_json("web", "busybox:1"));
  std::filesystem::create_symlink(top / "elsewhere/web.json", top / "etc/containers.d/web.json");
  ConfdirOptions options{.strict_modes = true};
  CHECK(names_of(load_confdir(top / "etc/containers.d", options).state) ==
        std::vector<std::string>{"web"});
  ::chmod((top / "elsewhere").c_str(), 0777);  // the link's target lies in an open folder
  SourceLoad load = load_confdir(top / "etc/containers.d", options);
  CHECK(load.state.specs.empty());
  CHECK(mentions(load.state.errors, top / "elsewhere: writable by group or others"));
  ::chmod((top / "elsewhere").c_str(), 0755);
  ::chmod((top / "etc").c_str(), 0777);  // a parent of the confdir
  CHECK(load_confdir(top / "etc/containers.d", options).state.specs.empty());
}

TEST_CASE("last-known-good: a copy that no longer parses is moved aside, never used") {
  ConfdirWithCopies f(/*strict_modes=*/false);
  f.load();
  write_text(f.cache / "last-known-good/containers.d/web.json", "{torn");
  write_text(f.conf / "web.json", "{also torn");
  SourceLoad load = f.load();
  CHECK(load.state.specs.empty());
  CHECK(load.state.failed_sources == std::set<std::string>{f.conf / "web.json"});
  CHECK_FALSE(f.store.confdir_file("web.json"));
  int moved = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(f.cache / "last-known-good/containers.d"))
    moved += entry.path().filename().string().starts_with("web.json.corrupt-");
  CHECK(moved == 1);
}

// Merging containers.d with user-data, and the last-known-good user-data copy.
#include "dockerup/atomic_file.hpp"
#include "dockerup/lkg.hpp"
#include "dockerup/sources.hpp"
#include "dockerup/user_data.hpp"
#include "emulator_process.hpp"
#include "file_size_limit.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>

using namespace dockerup;
using namespace dockerup::testing;

namespace {

using Outcome = UserDataFetch::Outcome;

/// add_user_data's inputs: a last-known-good store in a temporary cache, default settings and an
/// empty load to add to.
struct UserDataStep {
  TempDir cache;
  LastKnownGood store;
  Settings settings;
  SourceLoad load;

  explicit UserDataStep(bool read_only = false) : store(cache.path(), read_only) {}
  void add(const UserDataFetch& fetch) { add_user_data(fetch, store, settings, load); }
};

const std::string kWebAndDb =
    R"({"containers": [{"name": "web", "image": "busybox:1"}, {"name": "db", "image": "busybox:2"}]})";

}  // namespace

TEST_CASE("add_user_data: a complete body is complete and becomes the last-known-good copy") {
  UserDataStep f;

  f.add({Outcome::Ok, kWebAndDb, ""});

  CHECK(names_of(f.load.state) == std::vector<std::string>{"web", "db"});
  CHECK(f.load.state.complete_sources == std::set<std::string>{"user-data"});
  CHECK(f.load.state.failed_sources.empty());
  CHECK(f.store.user_data() == kWebAndDb);
}

TEST_CASE("add_user_data: unavailable service, the last-known-good copy stands in") {
  UserDataStep f;
  f.store.save_user_data(testing::gzip_compress(R"({"containers": [{"name": "web", "image": "b"}],
                                                   "interval": 17})"));

  f.add({Outcome::Unavailable, "", "connection refused"});

  CHECK(names_of(f.load.state) == std::vector<std::string>{"web"});
  CHECK(f.settings.interval == 17);
  // Neither complete (so nothing is removed) nor failed (so the copy's specs are used).
  CHECK(f.load.state.complete_sources.empty());
  CHECK(f.load.state.failed_sources.empty());
  REQUIRE(f.load.warnings.size() == 1);
  CHECK(f.load.warnings[0].find("connection refused") != std::string::npos);
  CHECK(f.load.warnings[0].find("last fetched user-data") != std::string::npos);
}

TEST_CASE("add_user_data: unavailable without a copy fails the source") {
  UserDataStep f;
  f.add({Outcome::Unavailable, "", "timed out"});
  CHECK(f.load.state.specs.empty());
  CHECK(f.load.state.failed_sources == std::set<std::string>{"user-data"});
  CHECK(mentions(f.load.state.errors, "timed out"));
}

TEST_CASE("add_user_data: 'no user-data' is complete and drops the copy") {
  UserDataStep f;
  f.store.save_user_data(kWebAndDb);
  f.add({Outcome::None, "", ""});
  CHECK(f.load.state.specs.empty());
  CHECK(f.load.state.complete_sources == std::set<std::string>{"user-data"});
  CHECK_FALSE(f.store.user_data().has_value());
}

TEST_CASE("add_user_data: a cloud-init body fails the source and keeps the old copy") {
  UserDataStep f;
  f.store.save_user_data(kWebAndDb);
  f.add({Outcome::Ok, "#!/bin/bash\nyum update\n", ""});
  CHECK(f.load.state.specs.empty());
  CHECK(f.load.state.failed_sources == std::set<std::string>{"user-data"});
  CHECK(f.load.state.complete_sources.empty());
  CHECK(mentions(f.load.state.errors, "script"));
  CHECK(f.store.user_data() == kWebAndDb);
}

TEST_CASE("add_user_data: a corrupt last-known-good copy is moved aside and reported") {
  TempDir cache;
  write_text(cache / "last-known-good/user-data", R"({"containers": [{"name": "web"}]})", 0600);
  LastKnownGood store(cache.path());
  Settings settings;
  SourceLoad load;
  add_user_data({Outcome::Unavailable, "", "timed out"}, store, settings, load);
  // Failed (nothing removed, containers kept as they are), and no later run reads it again.
  CHECK(load.state.failed_sources == std::set<std::string>{"user-data"});
  CHECK_FALSE(store.user_data());
  Errors problems = store.take_problems();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].str().find("cache (sources): " + cache / "last-known-good/user-data: the "
                               "last-known-good copy of user-data is invalid; moved aside to " +
                               cache / "last-known-good/user-data.corrupt-") == 0);
}

TEST_CASE("load_desired_state: copies that cannot be written are errors; the source is read") {
  TempDir conf;
  TempDir cache;
  write_text(conf / "web.json", container_json("web", "busybox:1"));
  Settings settings;
  settings.confdir = conf.path();
  settings.cache_dir = cache.path();
  SourceLoad load;
  {
    testing::FileSizeLimit full;  // every write fails, as on a full disk
    load = load_desired_state(settings);
  }
  CHECK(names_of(load.state) == std::vector<std::string>{"web"});
  CHECK(load.state.complete_sources == std::set<std::string>{conf.path()});
  REQUIRE(load.state.errors.size() == 1);
  CHECK(load.state.errors[0].where == "cache (sources)");
  CHECK(load.state.errors[0].message.find(
            "cannot write " + cache / "last-known-good/containers.d/web.json") == 0);
  CHECK(load.state.errors[0].message.find("File too large") != std::string::npos);
  // The next run, with room again, writes the copy and says nothing.
  SourceLoad next = load_desired_state(settings);
  CHECK(next.state.errors.empty());
  CHECK(LastKnownGood(cache.path()).confdir_file("web.json") == container_json("web", "busybox:1"));
}

TEST_CASE("a read-only store (dry run) writes nothing") {
  UserDataStep f(/*read_only=*/true);
  f.add({Outcome::Ok, kWebAndDb, ""});
  CHECK(f.load.state.complete_sources.count("user-data") == 1);
  CHECK_FALSE(f.store.user_data().has_value());
}

TEST_CASE("write_file_atomically replaces the file and leaves no temporary behind") {
  TempDir dir;
  write_file_atomically(dir / "a/b/file", "one");
  write_file_atomically(dir / "a/b/file", "two");
  CHECK(read_whole_file(dir / "a/b/file") == "two");
  auto entries = std::distance(std::filesystem::directory_iterator(dir / "a/b"),
                               std::filesystem::directory_iterator());
  CHECK(entries == 1);
  CHECK_THROWS_AS(write_file_atomically(dir / "a/b/file/below-a-file", "x"), Failure);
}

namespace {

/// Settings for load_desired_state against an emulator, in temporary folders.
struct Host {
  TempDir conf;
  TempDir cache;
  TempDir data;
  std::string user_data_file = data / "user-data";
  std::unique_ptr<ImdsEmulator> emulator;
  Settings settings;

  explicit Host(const std::string& endpoint = "") {
    ::unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    settings.aws = true;
    settings.aws_endpoint = endpoint;
    settings.confdir = conf.path();
    settings.cache_dir = cache.path();
  }

  /// Starts an emulator serving `user_data` from user_data_file (re-read on every request, so a
  /// test may rewrite it) and points the settings at it.
  void serve_user_data(const std::string& user_data, std::vector<std::string> options = {}) {
    write_text(user_data_file, user_data);
    options.insert(options.begin(), {"--user-data", user_data_file});
    emulator = std::make_unique<ImdsEmulator>(std::move(options));
    settings.aws_endpoint = emulator->endpoint();
  }
};

}  // namespace

TEST_CASE("load_desired_state: confdir and user-data together, settings keys applied") {
  Host host;
  host.serve_user_data(R"({"containers": [{"name": "web", "image": "busybox:1"}],
                           "pull": false})");
  write_text(host.conf / "db.json", container_json("db", "busybox:2"));

  SourceLoad load = load_desired_state(host.settings);

  CHECK(load.state.errors.empty());
  CHECK(names_of(load.state) == std::vector<std::string>{"db", "web"});
  CHECK(load.state.complete_sources == std::set<std::string>{host.conf.path(), "user-data"});
  CHECK_FALSE(host.settings.pull);
}

TEST_CASE("load_desired_state: a name in both sources is an error naming both, and protected") {
  Host host;
  host.serve_user_data(R"({"containers": [{"name": "web", "image": "busybox:1"},
                                           {"name": "db", "image": "busybox:3"}]})");
  write_text(host.conf / "web.json", container_json("web", "busybox:2"));

  SourceLoad load = load_desired_state(host.settings);

  CHECK(names_of(load.state) == std::vector<std::string>{"db"});
  CHECK(load.state.protected_names == std::set<std::string>{"web"});
  REQUIRE(load.state.errors.size() == 1);
  CHECK(load.state.errors[0].where == "container web");
  CHECK(load.state.errors[0].message.find(host.conf / "web.json") != std::string::npos);
  CHECK(load.state.errors[0].message.find("user-data") != std::string::npos);
}

TEST_CASE("load_desired_state: a name twice in user-data also protects a file's spec") {
  Host host;
  host.serve_user_data(R"({"containers": [{"name": "web", "image": "busybox:1"},
                                           {"name": "web", "image": "busybox:3"}]})");
  write_text(host.conf / "other.json", container_json("web", "busybox:2"));

  SourceLoad load = load_desired_state(host.settings);

  CHECK(load.state.specs.empty());
  CHECK(load.state.protected_names == std::set<std::string>{"web"});
  CHECK(mentions(load.state.errors, host.conf / "other.json"));
}

TEST_CASE("load_desired_state: the emulator stops, the last fetched user-data stands in") {
  Host host;
  host.serve_user_data(kWebAndDb, {"--gzip"});

  SourceLoad first = load_desired_state(host.settings);
  REQUIRE(names_of(first.state) == std::vector<std::string>{"web", "db"});
  host.emulator->stop();

  SourceLoad second = load_desired_state(host.settings);
  CHECK(names_of(second.state) == std::vector<std::string>{"web", "db"});
  CHECK(second.state.failed_sources.empty());
  CHECK(second.state.complete_sources.count("user-data") == 0);
  CHECK(second.warnings.size() == 1);

  // Every run says so, until the service is back.
  SourceLoad third = load_desired_state(host.settings);
  CHECK(third.warnings.size() == 1);
}

TEST_CASE("load_desired_state: user-data that drops a container is complete without it") {
  Host host;
  host.serve_user_data(kWebAndDb);
  load_desired_state(host.settings);

  write_text(host.user_data_file, R"({"containers": [{"name": "web", "image": "busybox:1"}]})");
  SourceLoad load = load_desired_state(host.settings);
  CHECK(names_of(load.state) == std::vector<std::string>{"web"});
  CHECK(load.state.complete_sources.count("user-data") == 1);
  LastKnownGood store(host.settings.cache_dir);
  CHECK(store.user_data()->find("db") == std::string::npos);
}

TEST_CASE("load_desired_state: without aws the metadata service is not asked") {
  Host host("http://127.0.0.1:" + std::to_string(closed_port()));
  host.settings.aws = false;
  SourceLoad load = load_desired_state(host.settings);
  CHECK(load.state.errors.empty());
  CHECK(load.state.complete_sources == std::set<std::string>{host.conf.path()});
}

#include "dockerup/config_file.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

using namespace dockerup;

namespace {

std::string joined(const Errors& errors) {
  std::string text;
  for (const auto& error : errors) text += error.str() + "\n";
  return text;
}

/// A temporary directory removed with its files at the end of a test.
struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/dockerup-config-test-XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string write(const std::string& name, const std::string& text) const {
    std::string file = path + "/" + name;
    std::ofstream(file) << text;
    return file;
  }
};

}  // namespace

TEST_CASE("the original README's config file, with ';' comments and blank lines") {
  Settings settings;
  ConfigLoad load = parse_config_text(R"(; Container configuration files
confdir=/etc/dockerup/containers.d

; Docker remote socket
remote=unix://var/run/docker.sock

; Polling interval for image changes
interval=60

; Check EC2 user-data for container configuration
aws=false

; Also pull images from the registry when checking for container
; configuration updates
pull=true
)", "dockerup.conf", settings);
  INFO(joined(load.errors));
  CHECK(load.found);
  CHECK(load.errors.empty());
  CHECK(load.warnings.empty());
  CHECK(settings.confdir == "/etc/dockerup/containers.d");
  CHECK(settings.remote == "unix://var/run/docker.sock");
  CHECK(settings.interval == 60);
  CHECK_FALSE(settings.aws);
  CHECK(settings.pull);
}

TEST_CASE("spaces around '=', '#' comments, inline ';' comments, CRLF") {
  Settings settings;
  ConfigLoad load = parse_config_text(
      "# comment\n  interval =  15  \r\naws = yes ; from user-data too\r\n\n\t\ngc=aggressive\n",
      "dockerup.conf", settings);
  INFO(joined(load.errors));
  CHECK(load.errors.empty());
  CHECK(settings.interval == 15);
  CHECK(settings.aws);
  CHECK(settings.gc == GcMode::Aggressive);
}

TEST_CASE("a bad value names file, line, key, value and reason; the rest still applies") {
  Settings settings;
  ConfigLoad load = parse_config_text("pull=false\ninterval=abc\nstop_timeout=-3\naws=true\n",
                                      "/etc/dockerup/dockerup.conf", settings);
  REQUIRE(load.errors.size() == 2);
  CHECK(load.errors[0].str() == "/etc/dockerup/dockerup.conf:2: interval: bad value \"abc\": "
                                "expected a whole number of seconds from 1 to 86400");
  CHECK(load.errors[1].str() == "/etc/dockerup/dockerup.conf:3: stop_timeout: bad value \"-3\": "
                                "expected a whole number of seconds from 0 to 86400");
  CHECK_FALSE(settings.pull);
  CHECK(settings.aws);
  CHECK(settings.interval == Settings{}.interval);
}

TEST_CASE("unknown keys are warnings with file and line") {
  Settings settings;
  ConfigLoad load = parse_config_text("interval=5\n\nintervall=10\n", "dockerup.conf", settings);
  CHECK(load.errors.empty());
  REQUIRE(load.warnings.size() == 1);
  CHECK(load.warnings[0] == "dockerup.conf:3: unknown key \"intervall\", ignored");
  CHECK(settings.interval == 5);
}

TEST_CASE("keys inside a [section] are ignored with a warning") {
  Settings settings;
  ConfigLoad load = parse_config_text("[main]\ninterval=5\n", "dockerup.conf", settings);
  REQUIRE(load.warnings.size() == 1);
  CHECK(load.warnings[0].find("dockerup.conf:2: key \"interval\" in section [main]") == 0);
  CHECK(settings.interval == Settings{}.interval);
}

TEST_CASE("a key set twice: the later line wins, with a warning") {
  Settings settings;
  ConfigLoad load = parse_config_text("interval=5\ninterval=7\n", "dockerup.conf", settings);
  CHECK(settings.interval == 7);
  REQUIRE(load.warnings.size() == 1);
  CHECK(load.warnings[0] == "dockerup.conf:2: \"interval\" was already set on line 1; this value wins");
}

TEST_CASE("a line that is not key=value is an error with its line number") {
  Settings settings;
  ConfigLoad load = parse_config_text("interval=5\nthis is not a setting\npull=no\n",
                                      "dockerup.conf", settings);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].str() ==
        "dockerup.conf:2: expected key=value, a comment or a blank line");
  CHECK_FALSE(settings.pull);
}

TEST_CASE("an over-long line is an error and does not leak into the next line") {
  Settings settings;
  std::string text = "confdir=/" + std::string(300, 'a') + "\ninterval=9\n";
  ConfigLoad load = parse_config_text(text, "dockerup.conf", settings);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].where == "dockerup.conf:1");
  CHECK(load.warnings.empty());
  CHECK(settings.confdir == Settings{}.confdir);
  CHECK(settings.interval == 9);
}

TEST_CASE("a ';' without whitespace before it belongs to the value") {
  Settings settings;
  ConfigLoad load = parse_config_text("password=hun;ter2\nusername = deploy ; who\n",
                                      "dockerup.conf", settings);
  CHECK(load.errors.empty());
  CHECK(settings.registry_password == "hun;ter2");
  CHECK(settings.registry_username == "deploy");
}

TEST_CASE("load_config_file: missing file is not an error") {
  TempDir dir;
  Settings settings;
  ConfigLoad load = load_config_file(dir.path + "/absent.conf", settings);
  CHECK_FALSE(load.found);
  CHECK(load.errors.empty());
  CHECK(settings.interval == Settings{}.interval);
}

TEST_CASE("load_config_file: reads a real file and names it in errors") {
  TempDir dir;
  std::string path = dir.write("dockerup.conf", "interval=20\ngc=maybe\n");
  Settings settings;
  ConfigLoad load = load_config_file(path, settings);
  CHECK(load.found);
  CHECK(settings.interval == 20);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].where == path + ":2: gc");
}

TEST_CASE("load_config_file: a directory is an error, not a missing file") {
  TempDir dir;
  Settings settings;
  ConfigLoad load = load_config_file(dir.path, settings);
  CHECK(load.found);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].str() == dir.path + ": cannot read: is a directory");
}

TEST_CASE("load_config_file: an unreadable file is an error (as root too)") {
  TempDir dir;
  std::string path = dir.write("dockerup.conf", "interval=20\n");
  chmod(path.c_str(), 0);
  chmod(dir.path.c_str(), 0755);
  // Root reads a mode-0 file: the check runs in a child that gave root up (uid nobody), so CI,
  // which runs as root, tests the same thing a developer does. 0: as expected, 1: not.
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(2);
    Settings settings;
    ConfigLoad load = load_config_file(path, settings);
    bool as_expected = load.found && load.errors.size() == 1 &&
                       load.errors[0].message == "cannot read: Permission denied" &&
                       settings.interval == Settings{}.interval;
    _exit(as_expected ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("load_config_file: a symlink loop is unreadable for everyone, root included") {
  TempDir dir;
  std::string path = dir.path + "/dockerup.conf";
  REQUIRE(symlink("dockerup.conf", path.c_str()) == 0);
  Settings settings;
  ConfigLoad load = load_config_file(path, settings);
  CHECK(load.found);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].message == "cannot read: Too many levels of symbolic links");
}

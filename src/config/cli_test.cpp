#include "dockerup/cli.hpp"

#include <doctest/doctest.h>

#include <initializer_list>

using namespace dockerup;

namespace {

/// Parses `dockerup <words...>`.
CommandLineParse parse(std::initializer_list<const char*> words) {
  std::vector<const char*> argv{"dockerup"};
  argv.insert(argv.end(), words.begin(), words.end());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

/// Parses words that must be valid.
CommandLine valid(std::initializer_list<const char*> words) {
  CommandLineParse result = parse(words);
  INFO(result.error.value_or(""));
  REQUIRE_FALSE(result.error.has_value());
  return result.line;
}

std::string error_of(std::initializer_list<const char*> words) {
  CommandLineParse result = parse(words);
  REQUIRE(result.error.has_value());
  return *result.error;
}

}  // namespace

TEST_CASE("no arguments: run, nothing set") {
  CommandLine line = valid({});
  CHECK(line.command == "run");
  CHECK(line.arguments.empty());
  CHECK_FALSE(line.config_file);
  CHECK_FALSE(line.aws);
  CHECK_FALSE(line.pull);
  CHECK_FALSE(line.interval);
  CHECK_FALSE(line.server);
  CHECK_FALSE(line.help);
  CHECK(line.help_text.find("Usage: dockerup") == 0);
}

TEST_CASE("the original's command line") {
  CommandLine line = valid({"--config", "/etc/dockerup/dockerup.conf", "--cache",
                            "/var/cache/dockerup", "--confdir", "/srv/c.d", "--aws", "--no-pull",
                            "--server", "-v"});
  CHECK(line.config_file == "/etc/dockerup/dockerup.conf");
  CHECK(line.cache_dir == "/var/cache/dockerup");
  CHECK(line.confdir == "/srv/c.d");
  CHECK(line.aws == true);
  CHECK(line.pull == false);
  CHECK(line.server);
  CHECK(line.verbose);
}

TEST_CASE("each option") {
  CHECK(valid({"--remote", "tcp://127.0.0.1:2375"}).remote == "tcp://127.0.0.1:2375");
  CHECK(valid({"--remote=unix:///run/docker.sock"}).remote == "unix:///run/docker.sock");
  CHECK(valid({"--interval", "30"}).interval == 30);
  CHECK(valid({"--parallel", "1"}).parallel == 1);
  CHECK(valid({"--no-aws"}).aws == false);
  CHECK(valid({"--pull"}).pull == true);
  CHECK(valid({"--verbose"}).verbose);
  CHECK(valid({"--dry-run"}).dry_run);
  CHECK(valid({"--show-secrets"}).show_secrets);
  CHECK(valid({"--json"}).json);
  CHECK(valid({"--log-format", "json"}).log_format == "json");
  CHECK(valid({"--metrics-listen", "127.0.0.1:9100"}).metrics_listen == "127.0.0.1:9100");
  CHECK(valid({"--help"}).help);
  CHECK(valid({"-h"}).help);
  CHECK(valid({"--version"}).version);
}

TEST_CASE("of two contradicting flags the last one wins") {
  CHECK(valid({"--aws", "--no-aws"}).aws == false);
  CHECK(valid({"--no-aws", "--aws"}).aws == true);
  CHECK(valid({"--pull", "--no-pull"}).pull == false);
  CHECK(valid({"--no-pull", "--pull"}).pull == true);
  CHECK(valid({"--interval", "5", "--interval", "7"}).interval == 7);
}

TEST_CASE("bad values are errors that name the option") {
  CHECK(error_of({"--interval", "0"}) ==
        "--interval: bad value \"0\": expected a whole number of seconds from 1 to 86400");
  CHECK(error_of({"--interval", "abc"}).find("--interval: bad value \"abc\"") == 0);
  CHECK(error_of({"--interval", "99999999999"}).find("--interval") == 0);
  CHECK(error_of({"--parallel", "0"}) ==
        "--parallel: bad value \"0\": expected a whole number of actions from 1 to 64");
  CHECK(error_of({"--log-format", "xml"}) == "--log-format: bad value \"xml\": expected text or json");
  CHECK(error_of({"--metrics-listen", "9100"}).find("--metrics-listen") == 0);
  CHECK(error_of({"--remote", "/var/run/docker.sock"}).find("--remote") == 0);
}

TEST_CASE("unknown options, missing values, values given to flags") {
  CHECK(error_of({"--bogus"}).find("--bogus") != std::string::npos);
  CHECK(error_of({"-x"}).find("-x") != std::string::npos);
  CHECK(error_of({"--config"}).find("config") != std::string::npos);
  CHECK(error_of({"--server=yes"}).find("server") != std::string::npos);
  // No guessing of abbreviations: "--conf" is neither --config nor --confdir.
  CHECK(parse({"--conf", "x"}).error.has_value());
  CHECK(parse({"--dry"}).error.has_value());
}

TEST_CASE("commands") {
  CHECK(valid({"run"}).command == "run");
  CHECK(valid({"status", "--json"}).command == "status");
  CommandLine rollback = valid({"rollback", "web"});
  CHECK(rollback.command == "rollback");
  CHECK(rollback.arguments == std::vector<std::string>{"web"});
  CHECK(valid({"-v", "rollback", "--dry-run", "web"}).arguments == std::vector<std::string>{"web"});
}

TEST_CASE("bad commands") {
  CHECK(error_of({"deploy"}) == "unknown command \"deploy\" (run, status, rollback NAME, export)");
  CHECK(error_of({"rollback"}) == "usage: dockerup rollback NAME (one container name)");
  CHECK(error_of({"rollback", "a", "b"}) == "usage: dockerup rollback NAME (one container name)");
  CHECK(error_of({"status", "web"}) == "\"status\" takes no arguments (got \"web\")");
  CHECK(error_of({"run", "now"}) == "\"run\" takes no arguments (got \"now\")");
}

TEST_CASE("--help and --version are not held up by a bad command") {
  CommandLineParse result = parse({"--help", "deploy"});
  CHECK_FALSE(result.error.has_value());
  CHECK(result.line.help);
}

TEST_CASE("help text lists every option and command") {
  std::string help = valid({}).help_text;
  for (const char* word : {"--config", "--cache", "--confdir", "--remote", "--interval", "--aws",
                           "--no-aws", "--pull", "--no-pull", "--server", "--verbose", "--dry-run",
                           "--show-secrets", "--json", "--log-format", "--metrics-listen",
                           "--help", "--version", "rollback NAME", "status"})
    CHECK_MESSAGE(help.find(word) != std::string::npos, word);
}

TEST_CASE("apply_command_line overrides only what was given") {
  Settings settings;
  settings.interval = 90;
  settings.aws = true;
  settings.confdir = "/from/config/file";
  settings.server = true;
  apply_command_line(valid({"--no-pull", "--cache", "/c"}), settings);
  CHECK(settings.interval == 90);
  CHECK(settings.aws);
  CHECK(settings.confdir == "/from/config/file");
  CHECK(settings.server);
  CHECK_FALSE(settings.pull);
  CHECK(settings.cache_dir == "/c");

  apply_command_line(valid({"--no-aws", "--interval", "5", "--confdir", "/d", "--remote",
                            "tcp://127.0.0.1:1", "--log-format", "json", "--metrics-listen",
                            ":9100", "--config", "/x.conf", "--dry-run", "-v",
                            "--show-secrets"}),
                     settings);
  CHECK_FALSE(settings.aws);
  CHECK(settings.interval == 5);
  CHECK(settings.confdir == "/d");
  CHECK(settings.remote == "tcp://127.0.0.1:1");
  CHECK(settings.log_format == "json");
  CHECK(settings.metrics_listen == ":9100");
  CHECK(settings.config_file == "/x.conf");
  CHECK(settings.dry_run);
  CHECK(settings.verbose);
  CHECK(settings.show_secrets);
}

TEST_CASE("an option word holding Boost's placeholders is reported, not substituted forever") {
  // Boost 1.74's own message loops forever on this word; ours names it as given.
  CHECK(error_of({"--x%canonical_option%"}) == "unrecognised option '--x%canonical_option%'");
  CHECK(error_of({"--%option%"}).find("%option%") != std::string::npos);
  CHECK(error_of({"--server=%canonical_option%"}).find("server") != std::string::npos);
  CHECK(error_of({"--config"}) == "option '--config' requires a value");
}

TEST_CASE("empty paths are usage errors") {
  CHECK(error_of({"--config", ""}) == "--config: expected a file name, got \"\"");
  CHECK(error_of({"--config="}).find("config") != std::string::npos);
  CHECK(error_of({"--cache", ""}).find("--cache") == 0);
  CHECK(error_of({"--confdir", ""}).find("--confdir") == 0);
}

TEST_CASE("--interval: the same bounds as the config file") {
  CHECK(valid({"--interval", "86400"}).interval == 86400);
  CHECK(error_of({"--interval", "86401"}) ==
        "--interval: bad value \"86401\": expected a whole number of seconds from 1 to 86400");
  CHECK(error_of({"--interval", "2147483648"}).find("--interval") == 0);
}

TEST_CASE("--source-url: repeatable, checked like source_url, added to the config's list") {
  CommandLine line = valid({"--source-url", "https://a/x.json", "--source-url", "s3://b/y.json"});
  CHECK(line.source_urls == std::vector<std::string>{"https://a/x.json", "s3://b/y.json"});
  CHECK(error_of({"--source-url", "file:///x"}).find("--source-url") == 0);
  Settings settings;
  settings.source_urls = {"https://conf/z.json", "https://a/x.json"};
  apply_command_line(line, settings);
  apply_command_line(line, settings);  // applied again after user-data: still once each
  CHECK(settings.source_urls ==
        std::vector<std::string>{"https://conf/z.json", "https://a/x.json", "s3://b/y.json"});
}

TEST_CASE("export: needs --format compose|ecs|kubernetes, takes no arguments") {
  CHECK(valid({"export", "--format", "ecs"}).format == "ecs");
  CHECK(valid({"--format", "kubernetes", "export"}).command == "export");
  CHECK(error_of({"export"}) == "usage: dockerup export --format compose|ecs|kubernetes");
  CHECK(error_of({"export", "--format", "nomad"}).find("--format: bad value") == 0);
  CHECK(error_of({"export", "x", "--format", "ecs"}).find("takes no arguments") != std::string::npos);
}

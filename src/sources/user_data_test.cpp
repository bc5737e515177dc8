#include "dockerup/user_data.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>

using namespace dockerup;
using dockerup::testing::mentions;

namespace {

const std::string kTwoContainers = R"({
  "containers": [
    {"name": "web", "image": "busybox:1"},
    {"image": "busybox:2"}
  ]
})";

}  // namespace

TEST_CASE("user-data: containers get source user-data, unnamed ones user-data-<index>") {
  Settings settings;
  UserDataParse parsed = parse_user_data(kTwoContainers, settings);

  CHECK(parsed.errors.empty());
  CHECK(parsed.complete);
  REQUIRE(parsed.specs.size() == 2);
  CHECK(parsed.specs[0].name == "web");
  CHECK(parsed.specs[0].source == "user-data");
  CHECK(parsed.specs[1].name == "user-data-1");
  CHECK(parsed.specs[1].image == "busybox:2");
}

TEST_CASE("user-data: other top-level keys are settings") {
  Settings settings;
  UserDataParse parsed = parse_user_data(
      R"({"containers": [], "pull": false, "interval": 30, "exclusive": "true",
          "colour": "blue", "stop_timeout": "soon", "gc": {"nested": 1}})",
      settings);

  CHECK(parsed.complete);  // bad settings do not make the container list uncertain
  CHECK_FALSE(settings.pull);
  CHECK(settings.interval == 30);
  CHECK(settings.exclusive);
  CHECK(settings.stop_timeout == Settings{}.stop_timeout);
  REQUIRE(parsed.warnings.size() == 1);
  CHECK(parsed.warnings[0].find("$.colour") != std::string::npos);
  CHECK(mentions(parsed.errors, "user-data: $.stop_timeout"));
  CHECK(mentions(parsed.errors, "user-data: $.gc: expected a string, number or boolean"));
}

TEST_CASE("user-data: cache, remote, confdir, strict_modes are refused with a warning naming the key") {
  Settings settings;
  UserDataParse parsed = parse_user_data(
      R"({"containers": [], "cache": "/tmp/elsewhere", "remote": "tcp://10.0.0.1:2375",
          "confdir": "/tmp/c.d", "metrics_listen": ":9100", "interval": 30,
          "strict_modes": false})",
      settings);
  CHECK(parsed.complete);
  CHECK(parsed.errors.empty());
  CHECK(settings.cache_dir == Settings{}.cache_dir);
  CHECK(settings.remote == Settings{}.remote);
  CHECK(settings.confdir == Settings{}.confdir);
  CHECK(settings.metrics_listen == Settings{}.metrics_listen);
  CHECK(settings.strict_modes);  // a remote source never relaxes the local file check
  CHECK(settings.interval == 30);  // an allowed key next to them still applies
  REQUIRE(parsed.warnings.size() == 5);
  for (const char* key : {"cache", "remote", "confdir", "metrics_listen", "strict_modes"}) {
    bool named = std::any_of(parsed.warnings.begin(), parsed.warnings.end(), [&](const auto& w) {
      return w.find(fmt::format("user-data: $.{}: \"{}\" cannot be set from user-data", key,
                                key)) != std::string::npos;
    });
    CHECK_MESSAGE(named, key);
  }
}

TEST_CASE("user-data: a seconds value out of range is refused with a warning, not applied") {
  Settings settings;
  UserDataParse parsed = parse_user_data(
      R"({"containers": [{"name": "web", "image": "busybox:1"}], "interval": 2147483647,
          "stop_timeout": 86401, "health_timeout": "5"})",
      settings);
  CHECK(parsed.complete);
  CHECK(parsed.errors.empty());
  CHECK(parsed.specs.size() == 1);
  CHECK(settings.interval == Settings{}.interval);
  CHECK(settings.stop_timeout == Settings{}.stop_timeout);
  CHECK(settings.health_timeout == 5);
  REQUIRE(parsed.warnings.size() == 2);
  CHECK(parsed.warnings[0].find("$.interval: value \"2147483647\" refused") != std::string::npos);
  CHECK(parsed.warnings[1].find("from 0 to 86400") != std::string::npos);
}

TEST_CASE("user-data: gzip-compressed bodies are accepted") {
  Settings settings;
  UserDataParse parsed = parse_user_data(testing::gzip_compress(kTwoContainers), settings);
  CHECK(parsed.complete);
  CHECK(parsed.specs.size() == 2);

  std::string broken = testing::gzip_compress(kTwoContainers);
  broken.resize(broken.size() / 2);
  UserDataParse truncated = parse_user_data(broken, settings);
  CHECK_FALSE(truncated.complete);
  CHECK(mentions(truncated.errors, "gzip"));
}

namespace {

std::string base64_decode(const std::string& text) {
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0, count = 0;
  for (char c : text) {
    auto index = alphabet.find(c);
    if (index == std::string::npos) continue;  // '=' padding
    bits = (bits << 6) | static_cast<unsigned>(index);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("user-data: 356 bytes of gzip inflating to 300,000 '[' are an error, not a crash") {
  // The body from issue 12: gzip of {"containers": [], "x": followed by 300,000 '['. Parsed
  // recursively it overflowed the stack (SIGSEGV on every run).
  std::string body = base64_decode(
      "H4sIAP1gDmsC/+3GsQmAMBAAwFXC106QVYKFhBRpIqhFwOXFNcJddW/UczxHH+26I6eybynmHw" +
      std::string(386, 'A') + "WMgHy50CsviTBAA=");
  REQUIRE(body.size() == 356);
  Settings settings;
  UserDataParse parsed = parse_user_data(body, settings);
  CHECK_FALSE(parsed.complete);
  CHECK(parsed.specs.empty());
  REQUIRE(parsed.errors.size() == 1);
  CHECK(parsed.errors[0].str().find("not JSON: nested deeper than 64 levels") != std::string::npos);
}

TEST_CASE("user-data: a deep value inside a container entry is refused before it is re-read") {
  Settings settings;
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  UserDataParse parsed = parse_user_data(
      R"({"containers": [{"image": "busybox", "x": )" + deep + "}]}", settings);
  CHECK_FALSE(parsed.complete);
  CHECK(mentions(parsed.errors, "nested deeper than 64 levels"));
}

TEST_CASE("user-data: a body over 4 MiB is an error before it is inflated or parsed") {
  Settings settings;
  std::string padded = R"({"containers": []})" + std::string(kMaxUserDataBody, ' ');
  UserDataParse parsed = parse_user_data(padded, settings);
  CHECK_FALSE(parsed.complete);
  CHECK(mentions(parsed.errors, "too big: 4194322 bytes, the limit is 4194304 bytes"));
  padded.resize(kMaxUserDataBody);
  CHECK(parse_user_data(padded, settings).complete);
}

TEST_CASE("user-data: a cloud-init script is an error, never an empty list") {
  Settings settings;
  UserDataParse script = parse_user_data("#!/bin/bash\necho hello\n", settings);
  CHECK_FALSE(script.complete);
  CHECK(script.specs.empty());
  REQUIRE(script.errors.size() == 1);
  CHECK(script.errors[0].where == "user-data");
  CHECK(script.errors[0].message.find("script") != std::string::npos);

  UserDataParse config = parse_user_data("#cloud-config\npackages: [git]\n", settings);
  CHECK_FALSE(config.complete);
  CHECK(mentions(config.errors, "cloud-init"));

  UserDataParse empty = parse_user_data("", settings);
  CHECK_FALSE(empty.complete);
  CHECK(mentions(empty.errors, "not JSON"));

  UserDataParse array = parse_user_data("[1, 2]", settings);
  CHECK_FALSE(array.complete);
  CHECK(mentions(array.errors, "not an object"));
}

TEST_CASE("user-data: JSON without a containers array is not ours, settings untouched") {
  Settings settings;
  UserDataParse parsed = parse_user_data(R"({"pull": false, "containers": {}})", settings);
  CHECK_FALSE(parsed.complete);
  CHECK(settings.pull);
  CHECK(mentions(parsed.errors, "no \"containers\" array"));
}

TEST_CASE("user-data: a bad entry is located; the good ones still count; not complete") {
  Settings settings;
  UserDataParse parsed = parse_user_data(
      R"({"containers": [{"name": "bad"}, "text", {"name": "good", "image": "busybox"}]})",
      settings);
  CHECK_FALSE(parsed.complete);
  REQUIRE(parsed.specs.size() == 1);
  CHECK(parsed.specs[0].name == "good");
  CHECK(mentions(parsed.errors, "user-data containers[0]"));
  CHECK(mentions(parsed.errors, "user-data containers[1]: expected a JSON object"));
  CHECK_FALSE(mentions(parsed.errors, "containers[2]"));
}

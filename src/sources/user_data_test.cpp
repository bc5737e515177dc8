#include "dockerup/user_data.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace dockerup;

namespace {

bool mentions(const Errors& errors, const std::string& text) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const Error& error) { return error.str().find(text) != std::string::npos; });
}

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

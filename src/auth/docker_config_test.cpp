#include "docker_config.hpp"

#include "dockerup/error.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace dockerup;
using dockerup::testing::TempDir;

namespace {
void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}
}  // namespace

TEST_CASE("config.json: auths (auth, username/password, identitytoken), credsStore, credHelpers") {
  auto config = parse_docker_config(R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": "YW5uOnA6YXNz", "email": "ann@example.com"},
      "reg.example:5000": {"username": "bob", "password": "pw"},
      "id.example": {"identitytoken": "tok"},
      "store.example": {}
    },
    "credsStore": "pass",
    "credHelpers": {"123.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"}
  })", "/c/config.json", false);
  CHECK(config.path == "/c/config.json");
  const AuthEntry& hub = config.auths.at("https://index.docker.io/v1/");
  CHECK(hub.username == "ann");
  CHECK(hub.password == "p:ass");  // only the first colon separates
  CHECK(hub.email == "ann@example.com");
  CHECK(config.auths.at("reg.example:5000").password == "pw");
  CHECK(config.auths.at("id.example").identity_token == "tok");
  CHECK(config.auths.at("id.example").has_credentials());
  CHECK_FALSE(config.auths.at("store.example").has_credentials());
  CHECK(config.creds_store == "pass");
  CHECK(config.cred_helpers.at("123.dkr.ecr.eu-west-1.amazonaws.com") == "ecr-login");
}

TEST_CASE("legacy .dockercfg: the top level is the auths object") {
  auto config = parse_docker_config(R"({"https://index.docker.io/v1/": {"auth": "dTpw", "email": ""}})",
                                    "/h/.dockercfg", true);
  CHECK(config.auths.at("https://index.docker.io/v1/").username == "u");
  CHECK(config.auths.at("https://index.docker.io/v1/").password == "p");
}

TEST_CASE("bad config files: the path and field, never the value") {
  CHECK_THROWS_WITH_AS(parse_docker_config("{", "/c/config.json", false),
                       doctest::Contains("/c/config.json: not valid JSON"), Failure);
  CHECK_THROWS_WITH_AS(parse_docker_config(R"({"auths": {"r": {"auth": "c2VjcmV0"}}})", "/c/config.json", false),
                       "/c/config.json: auths[\"r\"].auth: is not base64 of \"user:password\"", Failure);
  CHECK_THROWS_WITH_AS(parse_docker_config(R"({"credHelpers": {"r": 1}})", "/c/config.json", false),
                       doctest::Contains("credHelpers[\"r\"]: must be a string"), Failure);
  CHECK_THROWS_WITH_AS(parse_docker_config(R"({"auths": {"r": {"password": 7}}})", "/c/config.json", false),
                       "/c/config.json: auths[\"r\"].password: must be a string", Failure);
}

TEST_CASE("which file: DOCKER_CONFIG, then the setting, then ~/.docker/config.json, then ~/.dockercfg") {
  TempDir dir;
  write(dir / "env/config.json", "{}");
  write(dir / "setting/config.json", "{}");
  write(dir / "file.json", "{}");
  write(dir / "home/.dockercfg", "{}");
  CHECK(find_docker_config({dir / "env", dir / "setting", dir / "home"})->path == dir / "env/config.json");
  CHECK_FALSE(find_docker_config({dir / "nothing", dir / "setting", dir / "home"}));
  CHECK(find_docker_config({"", dir / "setting", dir / "home"})->path == dir / "setting/config.json");
  CHECK(find_docker_config({"", dir / "file.json", dir / "home"})->path == dir / "file.json");
  auto legacy = find_docker_config({"", "", dir / "home"});
  REQUIRE(legacy);
  CHECK(legacy->path == dir / "home/.dockercfg");
  CHECK(legacy->legacy);
  write(dir / "home/.docker/config.json", "{}");
  CHECK(find_docker_config({"", "", dir / "home"})->path == dir / "home/.docker/config.json");
  CHECK_FALSE(find_docker_config({"", "", dir / "empty"}));
  CHECK(load_docker_config({"", "", dir / "empty"}).path.empty());
}

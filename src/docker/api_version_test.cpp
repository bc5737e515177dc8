// API version negotiation: the rules, then DockerEngine doing it against fake daemons that
// answer GET /version as Docker 20.10, 26.1 and 29 and Podman 4.3 do.
#include "api_version.hpp"

#include "dockerup/docker_engine.hpp"
#include "fake_http_server.hpp"

#include <doctest/doctest.h>

using namespace dockerup;
using dockerup::testing::FakeExchange;
using dockerup::testing::FakeHttpServer;
using dockerup::testing::http_response;

namespace {

// Trimmed from what the daemons answer (Docker 29: API 1.52, refuses below 1.44).
constexpr const char* docker_20_10 =
    R"({"Version":"20.10.24+dfsg1","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux"})";
constexpr const char* docker_26_1 =
    R"({"Version":"26.1.5+dfsg1","ApiVersion":"1.45","MinAPIVersion":"1.24","Os":"linux"})";
constexpr const char* docker_29 =
    R"({"Version":"29.0.1","ApiVersion":"1.52","MinAPIVersion":"1.44","Os":"linux"})";
constexpr const char* podman_4_3 =
    R"({"Platform":{"Name":"linux/amd64/debian-12"},"Components":[{"Name":"Podman Engine",)"
    R"("Version":"4.3.1","Details":{"APIVersion":"4.3.1","MinAPIVersion":"4.0.0"}}],)"
    R"("Version":"4.3.1","ApiVersion":"1.41","MinAPIVersion":"1.24","Os":"linux"})";

std::string first_call_after_version(const char* version_json) {
  FakeHttpServer server({{http_response(200, version_json)}, {http_response(200, "[]")}});
  auto engine = make_docker_engine({server.socket_path(), "http://localhost"});
  engine->list_images();
  auto requests = server.requests();
  return requests.at(1).substr(0, requests.at(1).find("\r\n"));
}

}  // namespace

TEST_CASE("API versions compare numerically, not as text") {
  CHECK(compare_api_versions("1.9", "1.41") < 0);
  CHECK(compare_api_versions("1.41", "1.41") == 0);
  CHECK(compare_api_versions("1.45", "1.41") > 0);
  CHECK(compare_api_versions("2.0", "1.52") > 0);
  CHECK_THROWS_WITH(compare_api_versions("1.x", "1.41"),
                    "cannot compare API versions \"1.x\" and \"1.41\"");
}

TEST_CASE("GET /version is read into the daemon's versions and kind") {
  DaemonVersion docker = parse_daemon_version(docker_26_1);
  CHECK(docker.version == "26.1.5+dfsg1");
  CHECK(docker.api_version == "1.45");
  CHECK(docker.min_api_version == "1.24");
  CHECK_FALSE(docker.podman);
  DaemonVersion podman = parse_daemon_version(podman_4_3);
  CHECK(podman.podman);
  CHECK(podman.api_version == "1.41");
  // Old daemons do not send MinAPIVersion: nothing is refused for it.
  CHECK(parse_daemon_version(R"({"Version":"1.13","ApiVersion":"1.26"})").min_api_version.empty());
}

TEST_CASE("an unusable /version answer is an error naming the field") {
  CHECK_THROWS_WITH(parse_daemon_version(R"({"ApiVersion":"latest"})"),
                    "GET /version: Docker answered without a usable ApiVersion (\"latest\")");
  CHECK_THROWS_WITH(parse_daemon_version(R"({"Version":"x"})"),
                    "GET /version: Docker answered without a usable ApiVersion (\"\")");
  CHECK_THROWS_WITH(parse_daemon_version(R"({"ApiVersion":"1.41","MinAPIVersion":"one"})"),
                    "GET /version: Docker answered with an unusable MinAPIVersion (\"one\")");
  CHECK_THROWS_WITH(parse_daemon_version("[]"), "GET /version: Docker answered without a JSON object");
}

TEST_CASE("negotiation: the daemon's version, capped at the newest tested one") {
  CHECK(newest_tested_api_version == "1.45");
  CHECK(negotiate_api_version(parse_daemon_version(docker_20_10), "here") == "1.41");
  CHECK(negotiate_api_version(parse_daemon_version(docker_26_1), "here") == "1.45");
  CHECK(negotiate_api_version(parse_daemon_version(docker_29), "here") == "1.45");
  CHECK(negotiate_api_version(parse_daemon_version(podman_4_3), "here") == "1.41");
  CHECK(negotiate_api_version({"1.13", "1.26", "", false}, "here") == "1.26");
}

TEST_CASE("a daemon older than every tested version is used, with a warning naming both") {
  DaemonVersion old{"18.09.1", "1.39", "1.12", false};
  std::string version = negotiate_api_version(old, "here");
  CHECK(version == "1.39");
  CHECK(untested_api_warning(old, version, "here") ==
        "the engine at here (Docker 18.09.1) speaks API 1.39 at most, older than any version "
        "dockerup is tested with (1.41 to 1.45): dockerup uses it, but answers may be misread");
  for (const char* tested : {docker_20_10, docker_26_1, docker_29, podman_4_3}) {
    DaemonVersion daemon = parse_daemon_version(tested);
    CHECK(untested_api_warning(daemon, negotiate_api_version(daemon, "here"), "here").empty());
  }
}

TEST_CASE("a daemon whose oldest accepted version is above the newest tested one is refused") {
  DaemonVersion future{"31.0.0", "1.56", "1.50", false};
  CHECK_THROWS_WITH(negotiate_api_version(future, "unix:///var/run/docker.sock"),
                    "the engine at unix:///var/run/docker.sock (Docker 31.0.0) accepts API "
                    "versions 1.50 and newer; dockerup speaks at most 1.45, the newest it is "
                    "tested with: use an engine that still accepts API 1.45");
}

TEST_CASE("DockerEngine prefixes its calls with the negotiated version") {
  CHECK(first_call_after_version(docker_20_10) == "GET /v1.41/images/json HTTP/1.1");
  CHECK(first_call_after_version(docker_26_1) == "GET /v1.45/images/json HTTP/1.1");
  CHECK(first_call_after_version(docker_29) == "GET /v1.45/images/json HTTP/1.1");
  CHECK(first_call_after_version(podman_4_3) == "GET /v1.41/images/json HTTP/1.1");
}

TEST_CASE("DockerEngine refuses a daemon that is too new, sending nothing else") {
  FakeHttpServer server({{http_response(
                             200, R"({"Version":"31.0.0","ApiVersion":"1.56","MinAPIVersion":"1.50"})")},
                         {http_response(200, "[]")}});
  auto engine = make_docker_engine({server.socket_path(), "http://localhost"});
  CHECK_THROWS_WITH(engine->list_containers(),
                    doctest::Contains("accepts API versions 1.50 and newer; dockerup speaks at most 1.45"));
  CHECK(server.requests().size() == 1);
}

TEST_CASE("links on Podman: an error naming the spec file, and nothing is created") {
  FakeHttpServer server({{http_response(200, podman_4_3)}});
  auto engine = make_docker_engine({server.socket_path(), "http://localhost"});
  CreateRequest request;
  request.name = "web";
  request.spec.name = "web";
  request.spec.image = "localhost/web:1";
  request.spec.source = "/etc/dockerup/containers.d/web.json";
  request.spec.links = {{"db", "database"}};
  CHECK_THROWS_WITH(engine->create(request),
                    doctest::Contains("/etc/dockerup/containers.d/web.json: $.links: the engine at "
                                      "http://localhost (unix socket "));
  CHECK_THROWS_WITH(engine->create(request), doctest::Contains("is Podman, which does not support links"));
  CHECK(server.requests().size() == 1);  // only GET /version
}

TEST_CASE("links on Docker are sent as before") {
  FakeHttpServer server({{http_response(200, docker_20_10)},
                         {http_response(201, R"({"Id":"abc","Warnings":[]})")}});
  auto engine = make_docker_engine({server.socket_path(), "http://localhost"});
  CreateRequest request;
  request.name = "web";
  request.spec.name = "web";
  request.spec.image = "web:1";
  request.spec.links = {{"db", "database"}};
  CHECK(engine->create(request) == "abc");
  CHECK(server.requests().at(1).find("db:database") != std::string::npos);
}

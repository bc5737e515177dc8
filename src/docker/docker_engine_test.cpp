// DockerEngine against a fake daemon on a Unix socket: the requests it sends and how it reads
// the answers. The real daemon is exercised by the integration tests.
#include "dockerup/docker_engine.hpp"

#include "docker_json.hpp"
#include "dockerup/base64.hpp"
#include "fake_http_server.hpp"

#include <doctest/doctest.h>

using namespace dockerup;
using dockerup::testing::FakeExchange;
using dockerup::testing::FakeHttpServer;
using dockerup::testing::http_response;

namespace {

const FakeExchange version_answer{
    http_response(200, R"({"Version":"20.10.24","ApiVersion":"1.41"})")};

std::unique_ptr<Engine> engine_for(const FakeHttpServer& server) {
  return make_docker_engine({server.socket_path(), "http://localhost"});
}

std::string request_line(const std::string& request) {
  return request.substr(0, request.find("\r\n"));
}

std::vector<std::string> request_lines(const FakeHttpServer& server) {
  std::vector<std::string> lines;
  for (const std::string& request : server.requests()) lines.push_back(request_line(request));
  return lines;
}

std::string body_of(const std::string& request) {
  return request.substr(request.find("\r\n\r\n") + 4);
}

}  // namespace

TEST_CASE("the API version is negotiated once and prefixes every call") {
  FakeHttpServer server({version_answer, {http_response(200, "[]")}, {http_response(200, "[]")}});
  auto engine = engine_for(server);
  CHECK(engine->list_containers().empty());
  CHECK(engine->list_images().empty());
  CHECK(request_lines(server) ==
        std::vector<std::string>{"GET /version HTTP/1.1",
                                 "GET /v1.41/containers/json?all=1 HTTP/1.1",
                                 "GET /v1.41/images/json HTTP/1.1"});
}

TEST_CASE("a failed negotiation is not remembered") {
  FakeHttpServer server({{http_response(500, R"({"message":"starting up"})")},
                         version_answer,
                         {http_response(200, "[]")}});
  auto engine = engine_for(server);
  CHECK_THROWS_WITH(engine->list_containers(), "GET /version: 500: starting up");
  CHECK(engine->list_containers().empty());
  CHECK(request_lines(server).size() == 3);
}

TEST_CASE("HTTP errors carry method, path without version, status and Docker's message") {
  FakeHttpServer server(
      {version_answer, {http_response(404, R"({"message":"No such container: abc"})")}});
  auto engine = engine_for(server);
  try {
    engine->stop("abc", 5);
    FAIL("did not throw");
  } catch (const HttpFailure& failure) {
    CHECK(failure.status() == 404);
    CHECK(std::string(failure.what()) ==
          "POST /containers/abc/stop?t=5: 404: No such container: abc");
  }
}

TEST_CASE("start and stop accept 304 (already in that state)") {
  FakeHttpServer server({version_answer, {http_response(304, "")}, {http_response(304, "")}});
  auto engine = engine_for(server);
  engine->start("abc");
  engine->stop("abc", 10);
  CHECK(request_lines(server) ==
        std::vector<std::string>{"GET /version HTTP/1.1",
                                 "POST /v1.41/containers/abc/start HTTP/1.1",
                                 "POST /v1.41/containers/abc/stop?t=10 HTTP/1.1"});
}

TEST_CASE("remove, rename and remove_image requests") {
  FakeHttpServer server({version_answer,
                         {http_response(204, "")},
                         {http_response(204, "")},
                         {http_response(204, "")},
                         {http_response(200, "[]")}});
  auto engine = engine_for(server);
  engine->remove("abc", true);
  engine->remove("abc", false);
  engine->rename("abc", "web");
  engine->remove_image("sha256:1234");
  CHECK(request_lines(server) ==
        std::vector<std::string>{"GET /version HTTP/1.1",
                                 "DELETE /v1.41/containers/abc?force=1&v=1 HTTP/1.1",
                                 "DELETE /v1.41/containers/abc?force=1&v=0 HTTP/1.1",
                                 "POST /v1.41/containers/abc/rename?name=web HTTP/1.1",
                                 "DELETE /v1.41/images/sha256:1234 HTTP/1.1"});
}

TEST_CASE("ids that would change the path are refused before any request") {
  FakeHttpServer server({version_answer});
  auto engine = engine_for(server);
  CHECK_THROWS_AS(engine->start("../images/x"), Failure);
  CHECK_THROWS_AS(engine->inspect_container("a?b"), Failure);
  CHECK_THROWS_AS(engine->remove("", false), Failure);
  CHECK(server.requests().empty());
}

TEST_CASE("create posts the JSON body and returns the new id") {
  FakeHttpServer server({version_answer, {http_response(201, R"({"Id":"e90e","Warnings":[]})")}});
  auto engine = engine_for(server);
  CreateRequest request;
  request.name = "web-new";
  request.spec.image = "busybox";
  CHECK(engine->create(request) == "e90e");
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(request_line(requests[1]) == "POST /v1.41/containers/create?name=web-new HTTP/1.1");
  CHECK(requests[1].find("Content-Type: application/json\r\n") != std::string::npos);
  CHECK(body_of(requests[1]).find(R"("Image":"busybox")") != std::string::npos);
}

TEST_CASE("pull asks for exactly one tag or digest, escaped") {
  std::string digest = "sha256:" + std::string(64, 'a');
  FakeHttpServer server({version_answer,
                         {http_response(200, "{\"status\":\"ok\"}\n")},
                         {http_response(200, "{\"status\":\"ok\"}\n")}});
  auto engine = engine_for(server);
  engine->pull("localhost:5000/team/app", nullptr);
  engine->pull("docker.io/library/busybox@" + digest, nullptr);
  auto lines = request_lines(server);
  REQUIRE(lines.size() == 3);
  CHECK(lines[1] ==
        "POST /v1.41/images/create?fromImage=localhost%3A5000%2Fteam%2Fapp&tag=latest HTTP/1.1");
  CHECK(lines[2] == "POST /v1.41/images/create?fromImage=busybox&tag=sha256%3A" +
                        std::string(64, 'a') + " HTTP/1.1");
}

TEST_CASE("pull fails on an error inside a 200 stream, on HTTP errors and on bad references") {
  FakeHttpServer server(
      {version_answer,
       {http_response(200,
                      "{\"status\":\"Pulling\"}\n{\"errorDetail\":{\"message\":\"manifest "
                      "unknown\"},\"error\":\"manifest unknown\"}\n")},
       {http_response(500,
                      R"({"message":"dial tcp 127.0.0.1:5999: connect: connection refused"})")}});
  auto engine = engine_for(server);
  CHECK_THROWS_WITH(engine->pull("app:v9", nullptr),
                    "pulling app:v9 (anonymous: no credentials for docker.io): manifest unknown");
  CHECK_THROWS_WITH(
      engine->pull("127.0.0.1:5999/app:v1", nullptr),
      doctest::Contains(
          "POST /images/create?fromImage=127.0.0.1%3A5999%2Fapp&tag=v1: 500: dial tcp"));
  CHECK_THROWS_WITH(engine->pull("Not Valid", nullptr), "\"Not Valid\" is not a valid image reference");
  CHECK(server.requests().size() == 3);
}

TEST_CASE("pull fails on a progress line over 1 MiB, naming the limit") {
  std::string long_line = "{\"status\":\"" + std::string(PullStreamChecker::max_line, 'x') + "\"}\n";
  FakeHttpServer server({version_answer, {http_response(200, long_line)}});
  auto engine = engine_for(server);
  CHECK_THROWS_WITH_AS(engine->pull("app:v1", nullptr),
                       "pulling app:v1 (anonymous: no credentials for docker.io): the pull progress stream has a line longer than the "
                       "limit of 1 MiB",
                       Failure);
}

TEST_CASE("registry_digest: the digest, nullopt when the daemon cannot tell, no call for digests") {
  std::string digest = "sha256:" + std::string(64, 'b');
  FakeHttpServer server(
      {version_answer,
       {http_response(200, R"({"Descriptor":{"digest":"sha256:feed","size":1}})")},
       {http_response(500, R"({"message":"Get \"https://private/v2/\": dial tcp: connection refused"})")}});
  auto engine = engine_for(server);
  CHECK(engine->registry_digest("localhost:5000/app:v1", nullptr) == "sha256:feed");
  CHECK_FALSE(engine->registry_digest("private/app", nullptr));
  CHECK(engine->registry_digest("app@" + digest, nullptr) == digest);
  CHECK(request_lines(server) ==
        std::vector<std::string>{"GET /version HTTP/1.1",
                                 "GET /v1.41/distribution/localhost:5000/app:v1/json HTTP/1.1",
                                 "GET /v1.41/distribution/private/app:latest/json HTTP/1.1"});
}

TEST_CASE("a registry that refuses the credentials: RegistryRefused naming image and origin") {
  // dockerd 20.10 answers 401 for wrong credentials, 500 "no basic auth credentials" for none.
  FakeHttpServer server(
      {version_answer,
       {http_response(401, R"({"message":"unauthorized: authentication required"})")},
       {http_response(500, R"({"message":"Head \"http://r:5000/v2/a/manifests/v1\": no basic auth credentials"})")},
       {http_response(500, R"({"message":"unauthorized: authentication required"})")},
       {http_response(200, "{\"errorDetail\":{\"message\":\"denied: token expired\"},\"error\":\"denied: token expired\"}\n")},
       {http_response(500, R"({"message":"dial tcp r:5000: connection refused"})")}});
  auto engine = engine_for(server);
  RegistryAuth auth{"r:5000", "ann", "s3cret", "", "", "dockerup.conf"};
  CHECK_THROWS_WITH_AS(engine->registry_digest("r:5000/a:v1", &auth),
                       "checking r:5000/a:v1 for a new image (credentials for r:5000 from "
                       "dockerup.conf): the registry refused: unauthorized: authentication required",
                       RegistryRefused);
  CHECK_THROWS_WITH_AS(engine->registry_digest("r:5000/a:v1", nullptr),
                       doctest::Contains("(anonymous: no credentials for r:5000): the registry "
                                         "refused: Head"),
                       RegistryRefused);
  CHECK_THROWS_AS(engine->pull("r:5000/a:v1", &auth), RegistryRefused);
  CHECK_THROWS_AS(engine->pull("r:5000/a:v1", &auth), RegistryRefused);
  try {  // an unreachable registry is no refusal
    engine->pull("r:5000/a:v1", &auth);
    FAIL("the pull should have failed");
  } catch (const RegistryRefused&) {
    FAIL("connection refused is not a credential refusal");
  } catch (const Failure& e) {
    CHECK(std::string(e.what()).find("connection refused") != std::string::npos);
  }
}

TEST_CASE("a daemon that is down fails the call, not the construction") {
  auto engine = make_docker_engine({"/tmp/dockerup-no-daemon.sock", "http://localhost"});
  try {
    engine->list_containers();
    FAIL("did not throw");
  } catch (const HttpFailure& failure) {
    CHECK(failure.status() == 0);
    CHECK(std::string(failure.what()).find("/tmp/dockerup-no-daemon.sock") != std::string::npos);
  }
}

namespace {
std::string header_of(const std::string& request, const std::string& name) {
  auto at = request.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return request.substr(at, request.find("\r\n", at) - at);
}
}  // namespace

TEST_CASE("X-Registry-Auth: base64url JSON with the credentials or the identity token") {
  RegistryAuth auth{"reg.example:5000", "ann", "p+ss/w?rd>", "", "", "dockerup.conf"};
  CHECK(x_registry_auth(auth) ==
        base64url_encode(
            R"({"username":"ann","password":"p+ss/w?rd>","serveraddress":"reg.example:5000"})"));
  CHECK(x_registry_auth(auth).find_first_of("+/") == std::string::npos);
  RegistryAuth token{"123.dkr.ecr.eu-west-1.amazonaws.com", "", "", "tok", "", "helper"};
  CHECK(base64_decode(x_registry_auth(token)) ==
        R"({"identitytoken":"tok","serveraddress":"123.dkr.ecr.eu-west-1.amazonaws.com"})");
}

TEST_CASE("pull and registry_digest send X-Registry-Auth; errors name registry and origin only") {
  FakeHttpServer server(
      {version_answer,
       {http_response(200, R"({"Descriptor":{"digest":"sha256:feed","size":1}})")},
       {http_response(200, "{\"status\":\"ok\"}\n")},
       {http_response(500, R"({"message":"unauthorized: authentication required"})")},
       {http_response(200, "{\"status\":\"ok\"}\n")}});
  auto engine = engine_for(server);
  RegistryAuth auth{"reg.example:5000", "ann", "s3cret", "", "", "auths in /x/config.json"};
  CHECK(engine->registry_digest("reg.example:5000/app:v1", &auth) == "sha256:feed");
  engine->pull("reg.example:5000/app:v1", &auth);
  try {
    engine->pull("reg.example:5000/app:v2", &auth);
    FAIL("the pull should have failed");
  } catch (const std::exception& e) {
    std::string message = e.what();
    CHECK(message.find("pulling reg.example:5000/app:v2 (credentials for reg.example:5000 from "
                       "auths in /x/config.json)") == 0);
    CHECK(message.find("authentication required") != std::string::npos);
    CHECK(message.find("s3cret") == std::string::npos);
  }
  engine->pull("busybox", nullptr);
  auto requests = server.requests();
  REQUIRE(requests.size() == 5);
  for (int i = 1; i <= 3; ++i) CHECK(header_of(requests[i], "X-Registry-Auth") == x_registry_auth(auth));
  CHECK(header_of(requests[4], "X-Registry-Auth").empty());
}

// Lookup order and key normalisation, with a fake helper runner.
#include "credential_lookup.hpp"

#include "dockerup/error.hpp"
#include "fake_process_runner.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace dockerup;
using dockerup::testing::FakeProcessRunner;

namespace {

LookupInputs inputs_from(const std::string& json) {
  LookupInputs inputs;
  inputs.config = parse_docker_config(json, "/root/.docker/config.json", false);
  return inputs;
}

std::string helper_answer(const std::string& user) {
  return R"({"Username":")" + user + R"(","Secret":"s3cret"})";
}

}  // namespace

TEST_CASE("auths: exact key first, then any spelling of the same host") {
  FakeProcessRunner runner;
  CredentialLookup lookup(inputs_from(R"({"auths": {
      "https://reg.example:5000/v2/": {"username": "url", "password": "p1"},
      "reg.example:5000": {"username": "exact", "password": "p2"},
      "https://other.example": {"username": "other", "password": "p3"},
      "index.docker.io": {"auth": "aHViOnA0"}}})"),
                          runner);
  const RegistryAuth* exact = lookup.for_image("reg.example:5000/team/app:v1");
  REQUIRE(exact);
  CHECK(exact->username == "exact");
  CHECK(exact->server_address == "reg.example:5000");
  CHECK(exact->origin == "auths[\"reg.example:5000\"] in /root/.docker/config.json");
  CHECK(lookup.for_image("other.example/app")->username == "other");
  for (std::string hub : {"busybox", "team/app", "docker.io/team/app", "registry-1.docker.io/team/app"}) {
    const RegistryAuth* auth = lookup.for_image(hub);
    REQUIRE(auth);
    CHECK(auth->username == "hub");
    CHECK(auth->server_address == "https://index.docker.io/v1/");
  }
  CHECK(lookup.for_image("unknown.example/app") == nullptr);
  CHECK(runner.calls().empty());
}

TEST_CASE("credHelpers beats credsStore beats auths; a store without the host falls back to auths") {
  FakeProcessRunner runner;
  runner.answer("docker-credential-ecr-login", FakeProcessRunner::ok(helper_answer("AWS")));
  runner.answer("docker-credential-store", FakeProcessRunner::ok(helper_answer("stored")));
  ProcessResult not_found = FakeProcessRunner::ok("credentials not found in native keychain");
  not_found.exit_code = 1;
  runner.answer("docker-credential-empty", not_found);
  auto inputs = inputs_from(R"({
      "credHelpers": {"123.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"},
      "credsStore": "store",
      "auths": {"123.dkr.ecr.eu-west-1.amazonaws.com": {"username": "file", "password": "p"}}})");
  CredentialLookup lookup(inputs, runner);
  CHECK(lookup.for_image("123.dkr.ecr.eu-west-1.amazonaws.com/app:v1")->username == "AWS");
  CHECK(lookup.for_image("reg.example/app")->username == "stored");
  CHECK(lookup.for_image("busybox")->origin == "credential helper docker-credential-store");
  CHECK(runner.calls() == std::vector<std::string>{
                              "docker-credential-ecr-login get <- 123.dkr.ecr.eu-west-1.amazonaws.com",
                              "docker-credential-store get <- reg.example",
                              "docker-credential-store get <- https://index.docker.io/v1/"});

  inputs.config.creds_store = "empty";
  inputs.config.cred_helpers.clear();
  CredentialLookup no_helpers(inputs, runner);
  CHECK(no_helpers.for_image("123.dkr.ecr.eu-west-1.amazonaws.com/app")->username == "file");
  CHECK(no_helpers.for_image("reg.example/app") == nullptr);
}

TEST_CASE("each registry is asked once per lookup object, errors included, also concurrently") {
  FakeProcessRunner runner;
  runner.answer("docker-credential-h", FakeProcessRunner::ok(helper_answer("u")));
  ProcessResult hung;
  hung.started = true;
  hung.timed_out = true;
  runner.answer("docker-credential-bad", hung);
  auto inputs = inputs_from(R"({"credHelpers": {"a.example": "h", "b.example": "bad"}})");
  {
    CredentialLookup lookup(inputs, runner);
    std::vector<std::thread> pulls;
    for (int i = 0; i < 8; ++i)
      pulls.emplace_back([&lookup, i] { lookup.for_image("a.example/app" + std::to_string(i)); });
    for (auto& pull : pulls) pull.join();
    for (int i = 0; i < 3; ++i) {
      CHECK_THROWS_WITH_AS(lookup.for_image("b.example/app:v" + std::to_string(i)),
                           ("credentials for b.example/app:v" + std::to_string(i) +
                            " (registry b.example): credential helper docker-credential-bad for "
                            "b.example: no answer within 10 s (killed)")
                               .c_str(),
                           Failure);
    }
    CHECK(runner.calls().size() == 2);
  }
  CredentialLookup next_run(inputs, runner);  // a new run asks again (tokens expire)
  next_run.for_image("a.example/app");
  CHECK(runner.calls().size() == 3);
}

TEST_CASE("the dockerup.conf keys name one registry (Docker Hub when empty) and win over config.json") {
  FakeProcessRunner runner;
  auto inputs = inputs_from(R"({"auths": {"reg.example:5000": {"username": "file", "password": "p"},
                                          "other.example": {"username": "other", "password": "p"}}})");
  inputs.conf = {"https://reg.example:5000", "conf", "pw", "c@example.com"};
  CredentialLookup lookup(inputs, runner);
  const RegistryAuth* auth = lookup.for_image("reg.example:5000/app");
  REQUIRE(auth);
  CHECK(*auth == RegistryAuth{"reg.example:5000", "conf", "pw", "", "c@example.com",
                              "dockerup.conf (registry/username/password)"});
  CHECK(lookup.for_image("other.example/app")->username == "other");
  CHECK(lookup.for_image("busybox") == nullptr);

  inputs.conf = {"", "hubuser", "pw", ""};
  CredentialLookup hub(inputs, runner);
  CHECK(hub.for_image("busybox")->username == "hubuser");
  CHECK(hub.for_image("busybox")->server_address == "https://index.docker.io/v1/");
  CHECK(hub.for_image("reg.example:5000/app")->username == "file");
}

TEST_CASE("a broken config file fails every lookup but the dockerup.conf keys'") {
  FakeProcessRunner runner;
  LookupInputs inputs;
  inputs.config_error = "/root/.docker/config.json: not valid JSON: x (at byte 1)";
  inputs.conf = {"conf.example", "u", "p", ""};
  CredentialLookup lookup(inputs, runner);
  CHECK(lookup.for_image("conf.example/app")->username == "u");
  CHECK_THROWS_WITH_AS(lookup.for_image("busybox"),
                       "credentials for busybox (registry docker.io): /root/.docker/config.json: "
                       "not valid JSON: x (at byte 1)",
                       Failure);
}

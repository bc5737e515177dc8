// Credentials reach the engine: each image gets the X-Registry-Auth of its own registry, found
// in config.json's auths (any key spelling), a credential helper, or the dockerup.conf keys;
// a helper is asked once per registry per run, and a failing one costs no running container.
#include "dockerup/docker_engine.hpp"
#include "dockerup/reconciler.hpp"

#include "conf_spec.hpp"
#include "credential_lookup.hpp"
#include "fake_engine.hpp"
#include "fake_process_runner.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace dockerup {
namespace {

using testing::conf_spec;
using testing::FakeEngine;
using testing::FakeProcessRunner;

const std::string ecr_host = "123.dkr.ecr.eu-west-1.amazonaws.com";

struct PrivateHost {
  FakeEngine engine;
  FakeProcessRunner helpers;
  LookupInputs inputs;
  std::vector<ContainerSpec> specs;
  Settings settings;

  PrivateHost() {
    settings.pull = true;
    settings.start_wait = 0;
    settings.gc = GcMode::Off;
    inputs.config = parse_docker_config(
        R"({"auths": {"https://reg.example:5000/v2/": {"auth": "YW5uOnMzY3JldA=="}},
            "credHelpers": {")" + ecr_host + R"(": "ecr-login"}})",
        "/root/.docker/config.json", false);
    helpers.answer("docker-credential-ecr-login",
                   FakeProcessRunner::ok(R"({"Username":"AWS","Secret":"ecr-token"})"));
  }

  RunResult run() {
    RunContext context{.engine = engine,
                       .load_desired =
                           [this](Settings&) {
                             DesiredState desired;
                             desired.specs = specs;
                             desired.complete_sources = {"/conf"};
                             return desired;
                           },
                       .hooks = {.sleep = [](int) {}, .stop_requested = [] { return false; }},
                       .now = [] { return std::int64_t{1000}; },
                       .make_auth = [this](const Settings&) {
                         return std::make_unique<CredentialLookup>(inputs, helpers);
                       }};
    return reconcile_once(settings, context);
  }
};

std::string header(const std::string& server, const std::string& user, const std::string& secret,
                   const std::string& origin) {
  return x_registry_auth(RegistryAuth{server, user, secret, "", "", origin});
}

}  // namespace

TEST_CASE("each pull carries its registry's credentials; anonymous registries get none") {
  PrivateHost host;
  const std::string reg_header = header("reg.example:5000", "ann", "s3cret",
                                        "auths[\"https://reg.example:5000/v2/\"] in /root/.docker/config.json");
  const std::string ecr_header = header(ecr_host, "AWS", "ecr-token",
                                        "credential helper docker-credential-ecr-login");
  for (std::string image : {"reg.example:5000/a:v1", "reg.example:5000/b:v1"}) {
    host.engine.add_registry_image(image, "sha256:" + image.substr(17, 1));
    host.engine.requires_auth(image, reg_header);
  }
  for (const std::string& image : {ecr_host + "/c:v1", ecr_host + "/d:v1"}) {
    host.engine.add_registry_image(image, "sha256:" + image.substr(ecr_host.size() + 1, 1));
    host.engine.requires_auth(image, ecr_header);
  }
  host.engine.add_registry_image("busybox", "sha256:busybox");
  host.specs = {conf_spec("a", "reg.example:5000/a:v1"), conf_spec("b", "reg.example:5000/b:v1"),
                conf_spec("c", ecr_host + "/c:v1"), conf_spec("d", ecr_host + "/d:v1"),
                conf_spec("e", "busybox")};
  auto result = host.run();
  CHECK(result.errors.empty());
  CHECK(result.exit_code == 0);
  using Headers = std::vector<std::pair<std::string, std::string>>;
  auto headers = host.engine.auth_headers();  // pulls run at once: order them to compare
  std::sort(headers.begin(), headers.end());
  CHECK(headers == Headers{{"pull " + ecr_host + "/c:v1", ecr_header},
                                              {"pull " + ecr_host + "/d:v1", ecr_header},
                                              {"pull busybox", ""},
                                              {"pull reg.example:5000/a:v1", reg_header},
                                              {"pull reg.example:5000/b:v1", reg_header}});
  CHECK(host.helpers.calls() ==
        std::vector<std::string>{"docker-credential-ecr-login get <- " + ecr_host});

  // The next run asks the helper again (its token may have expired) and sends the header with
  // the digest checks too.
  host.run();
  CHECK(host.helpers.calls().size() == 2);
  bool digest_with_header = false;
  for (const auto& [call, sent] : host.engine.auth_headers())
    digest_with_header = digest_with_header || (call == "registry_digest reg.example:5000/a:v1" && sent == reg_header);
  CHECK(digest_with_header);
}

TEST_CASE("a failing helper or wrong password: one error per image, the running container stays") {
  PrivateHost host;
  const std::string image = ecr_host + "/c:v1";
  host.engine.add_registry_image(image, "sha256:c1");
  host.specs = {conf_spec("c", image), conf_spec("w", "reg.example:5000/w:v1")};
  host.engine.add_registry_image("reg.example:5000/w:v1", "sha256:w1");
  REQUIRE(host.run().exit_code == 0);
  const std::string c_id = host.engine.container("c")->id;
  const std::string w_id = host.engine.container("w")->id;

  ProcessResult crashed;
  crashed.started = true;
  crashed.exit_code = 1;
  crashed.err = "NoCredentialProviders: no valid providers in chain";
  host.helpers.answer("docker-credential-ecr-login", crashed);
  host.engine.requires_auth("reg.example:5000/w:v1", "some other header");

  // The pull phase's result: one error per image, naming image, registry and origin.
  CredentialLookup lookup(host.inputs, host.helpers);
  auto refresh = refresh_images(host.specs, host.engine.list_images(), true, 4, host.engine,
                                &lookup);
  auto& errors = refresh.errors;
  CHECK_FALSE(refresh.pulled);
  REQUIRE(errors.size() == 2);
  CHECK(errors[image] == "credentials for " + image + " (registry " + ecr_host +
                             "): credential helper docker-credential-ecr-login for " + ecr_host +
                             ": exited with code 1: NoCredentialProviders: no valid providers in chain");
  CHECK(errors["reg.example:5000/w:v1"].find("unauthorized") != std::string::npos);
  CHECK(refresh.refused.size() == 2);

  // A whole run keeps both containers as they are, but fails: one error per image, naming it.
  host.engine.clear_calls();
  auto result = host.run();
  CHECK(host.engine.mutations().empty());
  CHECK(result.exit_code == 1);
  REQUIRE(result.errors.size() == 2);
  CHECK(result.errors[0].where == "image " + image);
  CHECK(result.errors[0].message.find("docker-credential-ecr-login") != std::string::npos);
  CHECK(result.errors[0].message.ends_with("the local image stays in use, the next run tries again"));
  CHECK(result.errors[1].where == "image reg.example:5000/w:v1");
  CHECK(host.engine.container("c")->id == c_id);
  CHECK(host.engine.container("w")->id == w_id);
}

}  // namespace dockerup

namespace dockerup {

TEST_CASE("an unreachable registry of a present image is a warning; the run succeeds") {
  PrivateHost host;
  host.specs = {conf_spec("w", "reg.example:5000/w:v1")};
  host.engine.add_registry_image("reg.example:5000/w:v1", "sha256:w1");
  REQUIRE(host.run().exit_code == 0);
  host.engine.fail_on("registry_digest", "dial tcp reg.example:5000: connection refused");
  host.engine.fail_on("pull", "dial tcp reg.example:5000: connection refused");
  auto result = host.run();
  CHECK(result.errors.empty());
  CHECK(result.exit_code == 0);
}

}  // namespace dockerup

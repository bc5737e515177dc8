#include "credential_helper.hpp"

#include "dockerup/error.hpp"
#include "fake_process_runner.hpp"

#include <doctest/doctest.h>

using namespace dockerup;
using dockerup::testing::FakeProcessRunner;

namespace {
const std::string ecr = "docker-credential-ecr-login";
}

TEST_CASE("a helper answer: username and password, or <token> for an identity token") {
  FakeProcessRunner runner;
  runner.answer(ecr, FakeProcessRunner::ok(
                         R"({"ServerURL":"r.example","Username":"AWS","Secret":"s3cret"})"));
  auto auth = ask_credential_helper(runner, "ecr-login", "r.example");
  REQUIRE(auth);
  CHECK(*auth == RegistryAuth{"r.example", "AWS", "s3cret", "", "", "credential helper " + ecr});
  CHECK(runner.calls() == std::vector<std::string>{ecr + " get <- r.example"});

  runner.answer(ecr, FakeProcessRunner::ok(R"({"Username":"<token>","Secret":"refresh"})"));
  auth = ask_credential_helper(runner, "ecr-login", "r.example");
  REQUIRE(auth);
  CHECK(auth->identity_token == "refresh");
  CHECK(auth->username.empty());
  CHECK(auth->password.empty());
}

TEST_CASE("\"credentials not found\" means anonymous") {
  FakeProcessRunner runner;
  ProcessResult not_found = FakeProcessRunner::ok("credentials not found in native keychain\n");
  not_found.exit_code = 1;
  runner.answer(ecr, not_found);
  CHECK_FALSE(ask_credential_helper(runner, "ecr-login", "r.example"));
}

TEST_CASE("helper failures name the helper and the registry, never its stdout") {
  FakeProcessRunner runner;
  auto message = [&](ProcessResult result) {
    runner.answer(ecr, result);
    try {
      ask_credential_helper(runner, "ecr-login", "r.example", std::chrono::milliseconds(10'000));
    } catch (const Failure& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string prefix = "credential helper " + ecr + " for r.example: ";
  ProcessResult hung = FakeProcessRunner::ok("");
  hung.timed_out = true;
  CHECK(message(hung) == prefix + "no answer within 10 s (killed)");
  ProcessResult crashed = FakeProcessRunner::ok("");
  crashed.exit_code = -1;
  crashed.signal = 11;
  CHECK(message(crashed) == prefix + "killed by signal 11");
  ProcessResult failed = FakeProcessRunner::ok("Secret: leaked");
  failed.exit_code = 3;
  failed.err = "no credentials in the instance role\nmore";
  CHECK(message(failed) == prefix + "exited with code 3: no credentials in the instance role");
  CHECK(message(FakeProcessRunner::ok("garbage s3cret")) ==
        prefix + "printed 14 bytes that are not its JSON answer");
  CHECK(message(FakeProcessRunner::ok(R"({"Username":"u"})")) == prefix + "answered without a Secret");
  ProcessResult missing;
  missing.start_error = "No such file or directory";
  CHECK(message(missing) ==
        prefix + "cannot be run: No such file or directory");
  CHECK_THROWS_AS(ask_credential_helper(runner, "../x", "r.example"), Failure);
}

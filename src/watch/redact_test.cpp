#include "dockerup/redact.hpp"

#include "dockerup/plan.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/settings.hpp"
#include "dockerup/spec_parser.hpp"

#include <doctest/doctest.h>

using namespace dockerup;

namespace {

ContainerSpec spec_with_env(std::map<std::string, std::string> env) {
  ContainerSpec spec;
  spec.name = "web";
  spec.image = "app:v1";
  spec.env = std::move(env);
  return spec;
}

}  // namespace

TEST_CASE("known secrets are replaced wherever they appear, longest first") {
  SecretRedactor redactor;
  redactor.add("s3cr3t");
  redactor.add("s3cr3t-value");
  CHECK(redactor.redact("API_KEY=s3cr3t-value and s3cr3t, s3cr3ts3cr3t") ==
        "API_KEY=(hidden) and (hidden), (hidden)(hidden)");
  CHECK(redactor.redact("nothing here") == "nothing here");
}

TEST_CASE("short values are not hidden inside other text") {
  SecretRedactor redactor;
  redactor.add("1");
  redactor.add("on");
  redactor.add("");
  CHECK(redactor.empty());
  CHECK(redactor.redact("restart 1 of 10, on failure") == "restart 1 of 10, on failure");
}

TEST_CASE("a run's secrets are its env values and the registry password") {
  DesiredState desired;
  desired.specs.push_back(spec_with_env({{"API_KEY", "s3cr3t-value"}, {"DEBUG", "1"}}));
  Settings settings;
  settings.registry_password = "hunter2-password";
  SecretRedactor redactor = secret_redactor(desired, settings);
  CHECK(redactor.redact("create failed: bad env s3cr3t-value; login hunter2-password") ==
        "create failed: bad env (hidden); login (hidden)");
}

TEST_CASE("errors located in an env field lose their quoted values") {
  CHECK(is_env_location("web.json: $.env"));
  CHECK(is_env_location("user-data containers[0]: $.env.API_KEY"));
  CHECK(is_env_location("web.json: $.environment[\"A B\"]"));
  CHECK(!is_env_location("web.json: $.envoy"));
  CHECK(!is_env_location("web.json: $.image"));

  SecretRedactor nothing_known;
  Error error{"web.json: $.env", "expected an object, got \"API_KEY=s3cr3t-value\""};
  CHECK(nothing_known.redact(error).message == "expected an object, got (hidden)");
  Error elsewhere{"web.json: $.image", "\"app v1\" contains whitespace"};
  CHECK(nothing_known.redact(elsewhere).message == elsewhere.message);
}

TEST_CASE("the spec parser's env error is hidden by the redactor") {
  // The parser quotes a wrong-typed value; the redactor must catch exactly that message shape.
  SpecParse parsed = parse_spec_text(
      R"({"name": "web", "image": "app:v1", "env": "API_KEY=s3cr3t-value"})", "web.json", "web");
  REQUIRE(!parsed.errors.empty());
  SecretRedactor redactor;
  for (const auto& error : parsed.errors)
    CHECK(redactor.redact(error).str().find("s3cr3t-value") == std::string::npos);
}

TEST_CASE("hide_quoted copes with escapes and unterminated quotes") {
  CHECK(hide_quoted(R"(a "b\"c" d "e")") == "a (hidden) d (hidden)");
  CHECK(hide_quoted(R"(x "unterminated)") == "x (hidden)");
  CHECK(hide_quoted("no quotes") == "no quotes");
}

TEST_CASE("redact_run_result rewrites messages, keeps specs, and respects --show-secrets") {
  RunResult result;
  ContainerSpec spec = spec_with_env({{"API_KEY", "s3cr3t-value"}});
  result.desired.specs.push_back(spec);
  result.errors.push_back({"container web", "create failed: API_KEY=s3cr3t-value rejected"});
  result.plan.actions.push_back(
      Action{ActionType::Create, "web", "env s3cr3t-value", spec, "", "app:v1"});
  result.report.outcomes.push_back(
      ActionOutcome{result.plan.actions.back(), Error{"container web", "s3cr3t-value"}});

  RunResult shown = result;
  Settings show;
  show.show_secrets = true;
  redact_run_result(shown, show);
  CHECK(shown.errors.front().message.find("s3cr3t-value") != std::string::npos);

  redact_run_result(result, Settings{});
  CHECK(result.errors.front().message == "create failed: API_KEY=(hidden) rejected");
  CHECK(result.plan.actions.front().reason == "env (hidden)");
  CHECK(result.report.outcomes.front().action.reason == "env (hidden)");
  CHECK(result.report.outcomes.front().error->message == "(hidden)");
  CHECK(result.plan.actions.front().spec->env.at("API_KEY") == "s3cr3t-value");
}

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

EnvFilter filter_of(std::map<std::string, std::string> env) {
  return env_filter({spec_with_env(std::move(env))}, false);
}

}  // namespace

TEST_CASE("values equal to words, ports, paths or image parts leave unrelated text intact") {
  // The substring search this replaces printed "image example(hidden):1.0" for HOME=/data.
  EnvFilter filter =
      filter_of({{"HOME", "/data"}, {"PORT", "8080"}, {"X", "true"}, {"SECRET", "abc"}});
  for (std::string text : {"would pull data: image example/data:1.0",
                           "create data: bind /srv/data:/data, port 8080->8080/tcp",
                           "privileged true; restart always; labels abc, xabc, abcd",
                           "container web: spec changed (declared in /etc/dockerup/x.json)"})
    CHECK(filter.apply(text) == text);
}

TEST_CASE("every value printed as KEY=value of a declared key is hidden, whatever its length") {
  EnvFilter filter =
      filter_of({{"HOME", "/data"}, {"PORT", "8080"}, {"X", "true"}, {"SECRET", "abc"}});
  CHECK(filter.apply("HOME=/data PORT=8080 X=true SECRET=abc") ==
        "HOME=(hidden) PORT=(hidden) X=(hidden) SECRET=(hidden)");
  // Another value than the declared one (Docker may echo it changed) ends at white space.
  CHECK(filter.apply("bad SECRET=xy, try again") == "bad SECRET=(hidden), try again");
  // Only whole keys count: MY_X is not X, and an undeclared key is not a secret of this run.
  CHECK(filter.apply("MY_X=1 OTHER=2") == "MY_X=1 OTHER=2");
}

TEST_CASE("a declared value with spaces is hidden whole after its KEY=") {
  EnvFilter filter = filter_of({{"GREETING", "hello big world"}, {"G", "x"}});
  CHECK(filter.apply("invalid GREETING=hello big world; G=x") ==
        "invalid GREETING=(hidden); G=(hidden)");
}

TEST_CASE("overlapping values are hidden as one: the longer one's tail does not leak") {
  // Found by fuzz_redact: " K=" (a key with a space) and "K=" both match at one place; the
  // shorter value used to win and the rest of the longer one ("x") was printed.
  EnvFilter filter = filter_of({{"K", "(hidden)x"}, {" K", "(hidden)"}});
  CHECK(filter.apply("K= K=(hidden)x ") == "K= K=(hidden) ");
  EnvFilter nested = filter_of({{"A", "1 B=22"}, {"B", "2"}});
  CHECK(nested.apply("A=1 B=22 B=2") == "A=(hidden) B=(hidden)");
}

TEST_CASE("a Docker error echoing FOO=bar is filtered") {
  EnvFilter filter = filter_of({{"FOO", "bar"}});
  CHECK(filter.apply("invalid environment variable: FOO=bar") ==
        "invalid environment variable: FOO=(hidden)");
  CHECK(filter.apply("Error response from daemon: {\"Image\":\"bar:1\",\"Env\":[\"FOO=bar\","
                     "\"UNKNOWN=zz\", \"BARE\"]}") ==
        "Error response from daemon: {\"Image\":\"bar:1\",\"Env\":[\"FOO=(hidden)\","
        "\"UNKNOWN=(hidden)\", \"BARE\"]}");
}

TEST_CASE("filtering twice changes nothing more; a value that starts like (hidden) is hidden") {
  EnvFilter filter = filter_of({{"FOO", "bar"}, {"K", "(hidden)x"}});
  std::string once = filter.apply("FOO=bar {\"Env\":[\"FOO=bar\",\"Z=1\"]} K=(hidden)x");
  CHECK(once == "FOO=(hidden) {\"Env\":[\"FOO=(hidden)\",\"Z=(hidden)\"]} K=(hidden)");
  CHECK(filter.apply(once) == once);  // the executor filters, then the run does again
}

TEST_CASE("Env arrays: any key, escapes, a cut-off body, and Env without an array") {
  std::string body = R"js({"Env": [ "A=x\"y", "B=" ], "Cmd":["A=1"]})js";
  std::string hidden = R"js({"Env": [ "A=(hidden)", "B=(hidden)" ], "Cmd":["A=1"]})js";
  CHECK(hide_env_arrays(body) == hidden);
  std::string cut = R"js(body {"Env":["A=s3cr3t)js";
  CHECK(hide_env_arrays(cut) == "body {\"Env\":[(hidden)");
  std::string no_array = R"js("Env" is "A=b")js";
  CHECK(hide_env_arrays(no_array) == no_array);
  CHECK(hide_env_arrays("no env") == "no env");
}

TEST_CASE("errors located in an env field lose their quoted values") {
  CHECK(is_env_location("web.json: $.env"));
  CHECK(is_env_location("user-data containers[0]: $.env.API_KEY"));
  CHECK(is_env_location("web.json: $.environment[\"A B\"]"));
  CHECK(is_env_location("web.json: $.env: expected an object"));
  CHECK(!is_env_location("web.json: $.envoy"));
  CHECK(!is_env_location("web.json: $.image"));

  EnvFilter nothing_declared;
  Error error{"web.json: $.env", "expected an object, got \"API_KEY=s3cr3t-value\""};
  CHECK(nothing_declared.apply(error).message == "expected an object, got (hidden)");
  Error elsewhere{"web.json: $.image", "\"app v1\" contains whitespace"};
  CHECK(nothing_declared.apply(elsewhere).message == elsewhere.message);
  CHECK(nothing_declared.apply_line("web.json: $.env.A: got \"s3\"") ==
        "web.json: $.env.A: got (hidden)");
}

TEST_CASE("an env name written as KEY=value loses its value in the error's location") {
  SpecParse parsed = parse_spec_text(
      R"({"name": "web", "image": "app:v1", "env": {"API_KEY=s3cr3t": "x", "OK": "y"}})",
      "web.json", "web");
  REQUIRE(parsed.errors.size() == 1);
  CHECK(parsed.errors.front().where.find("s3cr3t") != std::string::npos);  // what the parser says
  EnvFilter filter;
  CHECK(filter.apply(parsed.errors.front()).where == "web.json: $.env[\"API_KEY=(hidden)\"]");
  Error other{"web.json: $.image", "\"a=b\" is odd"};
  CHECK(filter.apply(other) == other);
  Error cut{"web.json: $.env[\"A=b", "x"};
  CHECK(filter.apply(cut).where == "web.json: $.env[\"A=(hidden)");
}

TEST_CASE("the spec parser's env error is hidden by the filter") {
  // The parser quotes a wrong-typed value; the filter must catch exactly that message shape.
  SpecParse parsed = parse_spec_text(
      R"({"name": "web", "image": "app:v1", "env": "API_KEY=s3cr3t-value"})", "web.json", "web");
  REQUIRE(!parsed.errors.empty());
  EnvFilter filter;
  for (const auto& error : parsed.errors)
    CHECK(filter.apply(error).str().find("s3cr3t-value") == std::string::npos);
}

TEST_CASE("hide_quoted copes with escapes and unterminated quotes") {
  CHECK(hide_quoted(R"(a "b\"c" d "e")") == "a (hidden) d (hidden)");
  CHECK(hide_quoted(R"(x "unterminated)") == "x (hidden)");
  CHECK(hide_quoted("no quotes") == "no quotes");
}

TEST_CASE("--show-secrets shows everything") {
  EnvFilter shown = env_filter({spec_with_env({{"FOO", "bar"}})}, true);
  CHECK(shown.apply("FOO=bar {\"Env\":[\"FOO=bar\"]}") == "FOO=bar {\"Env\":[\"FOO=bar\"]}");
  Error error{"web.json: $.env", "got \"bar\""};
  CHECK(shown.apply(error) == error);
  CHECK(shown_env_value("abc", true) == "abc");
  CHECK(shown_env_value("abc", false) == "(hidden)");
  CHECK(shown_env_value("", false) == "(hidden)");
}

TEST_CASE("redact_run_result filters errors, keeps reasons and specs, respects --show-secrets") {
  RunResult result;
  ContainerSpec spec = spec_with_env({{"API_KEY", "s3"}, {"HOME", "/data"}});
  result.desired.specs.push_back(spec);
  result.errors.push_back({"container web", "create failed: API_KEY=s3 rejected"});
  result.plan.actions.push_back(
      Action{ActionType::Pull, "data", "image example/data:1.0", spec, "", "app:v1"});
  result.report.outcomes.push_back(
      ActionOutcome{result.plan.actions.back(), Error{"container web", "{\"Env\":[\"HOME=/data\"]}"}});

  RunResult shown = result;
  Settings show;
  show.show_secrets = true;
  redact_run_result(shown, show);
  CHECK(shown.errors.front().message == "create failed: API_KEY=s3 rejected");

  redact_run_result(result, Settings{});
  CHECK(result.errors.front().message == "create failed: API_KEY=(hidden) rejected");
  CHECK(result.plan.actions.front().reason == "image example/data:1.0");
  CHECK(result.report.outcomes.front().error->message == "{\"Env\":[\"HOME=(hidden)\"]}");
  CHECK(result.plan.actions.front().spec->env.at("API_KEY") == "s3");
}

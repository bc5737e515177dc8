#include "dockerup/spec_parser.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace dockerup;

namespace {

const std::string source = "containers.d/web.json";

SpecParse parse(const std::string& json, const std::string& default_name = "web") {
  return parse_spec_text(json, source, default_name);
}

std::string joined(const Errors& errors) {
  std::string text;
  for (const auto& error : errors) text += error.str() + "\n";
  return text;
}

/// Parses text that must be valid and returns its spec.
ContainerSpec valid(const std::string& json) {
  SpecParse result = parse(json);
  INFO(joined(result.errors));
  REQUIRE(result.errors.empty());
  REQUIRE(result.spec.has_value());
  return *result.spec;
}

/// Wraps `fields` (JSON members) into an object that also has a valid image.
std::string with_image(const std::string& fields) {
  return R"({"image": "busybox", )" + fields + "}";
}

/// The one error of text that must be invalid, as "where: message".
std::string only_error(const std::string& json) {
  SpecParse result = parse(json);
  INFO(joined(result.errors));
  CHECK_FALSE(result.spec.has_value());
  REQUIRE(result.errors.size() == 1);
  return result.errors[0].str();
}

}  // namespace

TEST_CASE("the README's registry example parses") {
  ContainerSpec spec = valid(R"({
    "type": "docker",
    "name": "registry",
    "image": "registry",
    "portMappings": [ { "containerPort": "5000", "hostPort": "5000" } ],
    "env": { "STANDALONE": "false", "STORAGE_PATH": "/registry" }
  })");
  CHECK(spec.name == "registry");
  CHECK(spec.image == "registry");
  CHECK(spec.source == source);
  REQUIRE(spec.ports.size() == 1);
  CHECK(spec.ports[0] == PortSpec{5000, 5000, "tcp", ""});
  CHECK(spec.env == std::map<std::string, std::string>{{"STANDALONE", "false"},
                                                       {"STORAGE_PATH", "/registry"}});
  CHECK(spec.restart == "on-failure");
  CHECK(spec.update == UpdatePolicy{});
}

TEST_CASE("comments and trailing commas, as in the README's examples, are accepted") {
  ContainerSpec spec = valid(R"({
    "image": "busybox", /* block comment */
    "volumes": [
      // Host-mapped volume
      { "containerPath": "/data", "hostPath": "/mnt/data" },
      // Container volume for exporting to other containers
      { "containerPath": "/storage" },
      // Read-only host volume
      { "containerPath": "/etc/passwd", "hostPath": "/etc/passwd", "mode": "ro" },
      // Import all volumes from a data volume container
      { "from": "backup" },
    ],
    "portMappings": [
      // Automatically assigned random host port
      { "containerPort": 8080 },
      // Manually mapped port
      { "containerPort": 8081, "hostPort": 8081 },
    ],
  })");
  REQUIRE(spec.volumes.size() == 4);
  CHECK(spec.volumes[0] == VolumeSpec{VolumeSpec::Kind::Bind, "/mnt/data", "/data", false, ""});
  CHECK(spec.volumes[1] == VolumeSpec{VolumeSpec::Kind::Anonymous, "", "/storage", false, ""});
  CHECK(spec.volumes[2] == VolumeSpec{VolumeSpec::Kind::Bind, "/etc/passwd", "/etc/passwd", true, ""});
  CHECK(spec.volumes[3] == VolumeSpec{VolumeSpec::Kind::From, "", "", false, "backup"});
  REQUIRE(spec.ports.size() == 2);
  CHECK(spec.ports[0] == PortSpec{8080, std::nullopt, "tcp", ""});
  CHECK(spec.ports[1] == PortSpec{8081, 8081, "tcp", ""});
}

TEST_CASE("every field of the original format, plus the extensions") {
  ContainerSpec spec = valid(R"({
    "type": "docker", "name": "app", "image": "localhost:5000/team/app:v1",
    "cpu": 10, "memory": "2048m",
    "entrypoint": "/bin/sh -c", "command": ["echo", "hello world"],
    "privileged": true, "network": "host",
    "env": {"A": "x", "N": 5, "F": 1.5, "G": 2.0, "B": true, "C": false},
    "restart": "always",
    "update": {"pull": false, "eager": true, "rolling": true},
    "links": {"db": "database"},
    "signal": "SIGINT",
    "labels": {"team": "payments"}
  })");
  CHECK(spec.name == "app");
  CHECK(spec.image == "localhost:5000/team/app:v1");
  CHECK(spec.cpu_shares == 10);
  CHECK(spec.memory_bytes == 2048LL * 1024 * 1024);
  CHECK(spec.entrypoint == std::vector<std::string>{"/bin/sh", "-c"});
  CHECK(spec.command == std::vector<std::string>{"echo", "hello world"});
  CHECK(spec.privileged);
  CHECK(spec.network == "host");
  CHECK(spec.env == std::map<std::string, std::string>{
                        {"A", "x"}, {"N", "5"}, {"F", "1.5"}, {"G", "2.0"}, {"B", "true"},
                        {"C", "false"}});
  CHECK(spec.restart == "always");
  CHECK(spec.update == UpdatePolicy{.pull = false, .eager = true, .rolling = true});
  CHECK(spec.links == std::map<std::string, std::string>{{"db", "database"}});
  CHECK(spec.stop_signal == "SIGINT");
  CHECK(spec.labels == std::map<std::string, std::string>{{"team", "payments"}});
}

TEST_CASE("type: missing means docker; anything else is an error") {
  CHECK(valid(R"({"image": "busybox"})").image == "busybox");
  CHECK(only_error(with_image(R"("type": "rkt")")) ==
        source + ": $.type: \"rkt\" is not supported (only \"docker\")");
  CHECK(only_error(with_image(R"("type": 1)")) ==
        source + ": $.type: expected a string, got a number (1)");
}

TEST_CASE("name: defaults to the file name, must follow Docker's rule") {
  CHECK(valid(R"({"image": "busybox"})").name == "web");
  CHECK(valid(R"({"image": "busybox", "name": null})").name == "web");
  CHECK(valid(R"({"image": "busybox", "name": "My_app.2-b"})").name == "My_app.2-b");
  CHECK(only_error(with_image(R"("name": "-bad")")) ==
        source + ": $.name: \"-bad\" is not a valid container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)");
  CHECK(only_error(with_image(R"("name": "")")).find("$.name: \"\" is not a valid") !=
        std::string::npos);
  CHECK(only_error(with_image(R"("name": "a b")")).find("$.name:") != std::string::npos);
  CHECK(only_error(with_image(R"("name": "/web")")).find("$.name:") != std::string::npos);

  SpecParse bad_file_name = parse(R"({"image": "busybox"})", "my app");
  REQUIRE(bad_file_name.errors.size() == 1);
  CHECK(bad_file_name.errors[0].str().find("$.name: missing, and the file name \"my app\"") !=
        std::string::npos);

  SpecParse no_default = parse(R"({"image": "busybox"})", "");
  REQUIRE(no_default.errors.size() == 1);
  CHECK(no_default.errors[0].str() == source + ": $.name: required");
}

TEST_CASE("image: required, non-empty, no whitespace") {
  CHECK(only_error(R"({"name": "web"})") == source + ": $.image: required");
  CHECK(only_error(R"({"image": null})") == source + ": $.image: required");
  CHECK(only_error(R"({"image": ""})") == source + ": $.image: must not be empty");
  CHECK(only_error(R"({"image": "busy box"})") ==
        source + ": $.image: \"busy box\" contains whitespace");
  CHECK(only_error(R"({"image": ["busybox"]})") ==
        source + ": $.image: expected a string, got an array");
}

TEST_CASE("image: a user-data document in a file gets a hint") {
  std::string error = only_error(R"({"containers": [{"image": "busybox"}]})");
  CHECK(error.find("$.image: required (this looks like EC2 user-data") != std::string::npos);
}

TEST_CASE("cpu: whole number >= 0, as a number or a numeric string") {
  CHECK(valid(with_image(R"("cpu": 0)")).cpu_shares == 0);
  CHECK(valid(with_image(R"("cpu": "512")")).cpu_shares == 512);
  CHECK(only_error(with_image(R"("cpu": -5)")) ==
        source + ": $.cpu: expected a whole number >= 0, got a number (-5)");
  CHECK(only_error(with_image(R"("cpu": 1.5)")) ==
        source + ": $.cpu: expected a whole number >= 0, got a number (1.5)");
  CHECK(only_error(with_image(R"("cpu": "ten")")) ==
        source + ": $.cpu: expected a whole number >= 0, got \"ten\"");
  CHECK(only_error(with_image(R"("cpu": "-1")")).find("$.cpu:") != std::string::npos);
  CHECK(only_error(with_image(R"("cpu": 18446744073709551615)")).find("$.cpu:") !=
        std::string::npos);
  CHECK(only_error(with_image(R"("cpu": true)")).find("$.cpu:") != std::string::npos);
}

TEST_CASE("memory: a size with units or a number of bytes") {
  CHECK(valid(with_image(R"("memory": "1g")")).memory_bytes == 1024LL * 1024 * 1024);
  CHECK(valid(with_image(R"("memory": "512k")")).memory_bytes == 512 * 1024);
  CHECK(valid(with_image(R"("memory": 1048576)")).memory_bytes == 1048576);
  CHECK(valid(with_image(R"("memory": "1048576")")).memory_bytes == 1048576);
  CHECK(only_error(with_image(R"("memory": "12q")")) ==
        source + ": $.memory: \"12q\" is not a size (use 512k, 2048m, 1g or bytes)");
  CHECK(only_error(with_image(R"("memory": "-1g")")).find("is not a size") != std::string::npos);
  CHECK(only_error(with_image(R"("memory": -1)")).find("$.memory:") != std::string::npos);
  CHECK(only_error(with_image(R"("memory": 1.5)")).find("$.memory:") != std::string::npos);
  CHECK(only_error(with_image(R"("memory": {})")) ==
        source + ": $.memory: an object is not a size (use 512k, 2048m, 1g or bytes)");
  CHECK(only_error(with_image(R"("memory": "99999999999g")")).find("is not a size") !=
        std::string::npos);
}

TEST_CASE("entrypoint and command: shell-split strings or arrays of strings") {
  ContainerSpec spec = valid(with_image(R"("command": "nginx -g 'daemon off;'")"));
  CHECK(spec.command == std::vector<std::string>{"nginx", "-g", "daemon off;"});
  CHECK_FALSE(spec.entrypoint.has_value());
  CHECK(valid(with_image(R"("entrypoint": "")")).entrypoint == std::vector<std::string>{});
  CHECK(valid(with_image(R"("entrypoint": ["/bin/sh", "-c"])")).entrypoint ==
        std::vector<std::string>{"/bin/sh", "-c"});
  CHECK(only_error(with_image(R"("command": "echo 'oops")")) ==
        source + ": $.command: \"echo 'oops\" has an unterminated quote or a trailing backslash");
  CHECK(only_error(with_image(R"("entrypoint": ["/bin/sh", 5])")) ==
        source + ": $.entrypoint[1]: expected a string, got a number (5)");
  CHECK(only_error(with_image(R"("command": {"a": 1})")) ==
        source + ": $.command: expected a string or an array of strings, got an object");
}

TEST_CASE("privileged: only true or false") {
  CHECK(valid(with_image(R"("privileged": false)")).privileged == false);
  CHECK(only_error(with_image(R"("privileged": "false")")) ==
        source + ": $.privileged: expected true or false, got \"false\"");
  CHECK(only_error(with_image(R"("privileged": 1)")).find("$.privileged:") != std::string::npos);
}

TEST_CASE("network: bridge, none, host, container:NAME or a named network") {
  for (const char* mode : {"bridge", "none", "host", "container:db", "backend-net", ""}) {
    INFO(mode);
    CHECK(valid(with_image(std::string(R"("network": ")") + mode + "\"")).network == mode);
  }
  CHECK(only_error(with_image(R"("network": "container")")).find("container:NAME") !=
        std::string::npos);
  CHECK(only_error(with_image(R"("network": "container:")")) ==
        source + ": $.network: \"\" is not a valid container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)");
  CHECK(only_error(with_image(R"("network": "container:a b")")).find("$.network:") !=
        std::string::npos);
  CHECK(only_error(with_image(R"("network": "my net")")).find("is not a network") !=
        std::string::npos);
}

TEST_CASE("volumes: errors name the entry and the field") {
  CHECK(only_error(with_image(R"("volumes": [{"containerPath": "data"}])")) ==
        source + ": $.volumes[0].containerPath: \"data\" is not an absolute path");
  CHECK(only_error(with_image(R"("volumes": [{"containerPath": "/d", "hostPath": "mnt"}])")) ==
        source + ": $.volumes[0].hostPath: \"mnt\" is not an absolute path");
  CHECK(only_error(with_image(R"("volumes": [{"containerPath": "/d", "hostPath": ""}])")) ==
        source + ": $.volumes[0].hostPath: \"\" is not an absolute path");
  CHECK(only_error(with_image(R"("volumes": [{"containerPath": "/d:x"}])")).find("contains ':'") !=
        std::string::npos);
  CHECK(only_error(with_image(R"("volumes": [{"containerPath": "/d", "mode": "rx"}])")) ==
        source + ": $.volumes[0].mode: \"rx\" is not a mode (\"ro\" or \"rw\")");
  CHECK(only_error(with_image(R"("volumes": [{"hostPath": "/d"}])")) ==
        source + ": $.volumes[0].containerPath: required (or \"from\")");
  CHECK(only_error(with_image(R"("volumes": [{"from": "data", "containerPath": "/d"}])")) ==
        source + ": $.volumes[0]: \"from\" cannot be combined with containerPath, hostPath or mode");
  CHECK(only_error(with_image(R"("volumes": [{"from": "bad name"}])")).find("$.volumes[0].from:") !=
        std::string::npos);
  CHECK(only_error(with_image(R"("volumes": ["/data"])")) ==
        source + ": $.volumes[0]: expected an object, got \"/data\"");
  CHECK(only_error(with_image(R"("volumes": {"containerPath": "/d"})")) ==
        source + ": $.volumes: expected an array, got an object");
  CHECK(only_error(with_image(
            R"("volumes": [{"containerPath": "/d"}, {"containerPath": "/d", "hostPath": "/x"}])")) ==
        source + ": $.volumes[1].containerPath: \"/d\" is already mounted by $.volumes[0]");
  CHECK(valid(with_image(R"("volumes": [{"containerPath": "/d", "mode": "rw"}])")).volumes[0].read_only ==
        false);
}

TEST_CASE("portMappings: numbers or numeric strings, protocol, hostIp") {
  ContainerSpec spec = valid(with_image(R"("portMappings": [
      {"containerPort": 53, "hostPort": "5353", "protocol": "UDP", "hostIp": "127.0.0.1"},
      {"containerPort": "80", "hostIp": "::1"}])"));
  REQUIRE(spec.ports.size() == 2);
  CHECK(spec.ports[0] == PortSpec{53, 5353, "udp", "127.0.0.1"});
  CHECK(spec.ports[1] == PortSpec{80, std::nullopt, "tcp", "::1"});
}

TEST_CASE("portMappings: errors name the entry and the field") {
  CHECK(only_error(with_image(R"("portMappings": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 70000}])")) ==
        source + ": $.portMappings[1].hostPort: a number (70000) is not a port (1 to 65535)");
  CHECK(only_error(with_image(R"("portMappings": [{"containerPort": "0"}])")) ==
        source + ": $.portMappings[0].containerPort: \"0\" is not a port (1 to 65535)");
  CHECK(only_error(with_image(R"("portMappings": [{"hostPort": 80}])")) ==
        source + ": $.portMappings[0].containerPort: required");
  CHECK(only_error(with_image(R"("portMappings": [{"containerPort": 80, "protocol": "sctp"}])")) ==
        source + ": $.portMappings[0].protocol: \"sctp\" is not a protocol (\"tcp\" or \"udp\")");
  CHECK(only_error(with_image(R"("portMappings": [{"containerPort": 80, "hostIp": "localhost"}])")) ==
        source + ": $.portMappings[0].hostIp: \"localhost\" is not an IP address");
  CHECK(only_error(with_image(R"("portMappings": [{"containerPort": 80, "hostPort": 8080},
                                                  {"containerPort": 81, "hostPort": 8080}])")) ==
        source + ": $.portMappings[1].hostPort: 8080/tcp is already published by $.portMappings[0]");
  // The same host port on another protocol or address is fine.
  CHECK(valid(with_image(R"("portMappings": [{"containerPort": 80, "hostPort": 8080},
                                             {"containerPort": 80, "hostPort": 8080, "protocol": "udp"},
                                             {"containerPort": 80, "hostPort": 8080, "hostIp": "127.0.0.1"}])"))
            .ports.size() == 3);
}

TEST_CASE("env: strings, numbers and booleans; nothing else") {
  CHECK(only_error(with_image(R"("env": {"A": null})")) ==
        source + ": $.env.A: expected a string, got null");
  CHECK(only_error(with_image(R"("env": {"A": ["x"]})")) ==
        source + ": $.env.A: expected a string, got an array");
  CHECK(only_error(with_image(R"("env": {"A=B": "x"})")) ==
        source + ": $.env[\"A=B\"]: a variable name cannot contain '='");
  CHECK(only_error(with_image(R"("env": {"": "x"})")) == source + ": $.env[\"\"]: empty name");
  CHECK(only_error(with_image(R"("env": ["A=x"])")) ==
        source + ": $.env: expected an object, got an array");
  CHECK(only_error(with_image(R"("env": {"A": "1", "A": "2"})")) == source + ": $.env.A: given twice");
}

TEST_CASE("restart: the original's values and Docker's") {
  CHECK(valid(with_image(R"("restart": "never")")).restart == "no");
  CHECK(valid(with_image(R"("restart": "no")")).restart == "no");
  CHECK(valid(with_image(R"("restart": "on-failure")")).restart == "on-failure");
  CHECK(valid(with_image(R"("restart": "unless-stopped")")).restart == "unless-stopped");
  CHECK(valid(with_image(R"("restart": "always")")).restart == "always");
  CHECK(only_error(with_image(R"("restart": "sometimes")")).find(
            "$.restart: \"sometimes\" is not a restart policy") != std::string::npos);
}

TEST_CASE("update: booleans; unknown keys warn") {
  CHECK(valid(with_image(R"("update": {"eager": true})")).update == UpdatePolicy{.pull = true, .eager = true, .rolling = false});
  CHECK(only_error(with_image(R"("update": {"pull": "no"})")) ==
        source + ": $.update.pull: expected true or false, got \"no\"");
  CHECK(only_error(with_image(R"("update": true)")) ==
        source + ": $.update: expected an object, got true");
  SpecParse result = parse(with_image(R"("update": {"eagre": true})"));
  CHECK(result.spec.has_value());
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].where == source + ": $.update.eagre");
}

TEST_CASE("links: name to alias, both valid names") {
  CHECK(only_error(with_image(R"("links": {"db": 1})")) ==
        source + ": $.links.db: expected a string, got a number (1)");
  CHECK(only_error(with_image(R"("links": {"bad name": "db"})")).find("$.links[\"bad name\"]:") !=
        std::string::npos);
  CHECK(only_error(with_image(R"("links": {"db": ""})")).find("$.links.db:") != std::string::npos);
  CHECK(only_error(with_image(R"("links": ["db"])")).find("$.links: expected an object") !=
        std::string::npos);
}

TEST_CASE("signal: a name or a number") {
  CHECK(valid(with_image(R"("signal": "TERM")")).stop_signal == "TERM");
  CHECK(valid(with_image(R"("signal": "SIGRTMIN+3")")).stop_signal == "SIGRTMIN+3");
  CHECK(valid(with_image(R"("signal": 9)")).stop_signal == "9");
  CHECK(only_error(with_image(R"("signal": "SIG TERM")")).find("$.signal:") != std::string::npos);
  CHECK(only_error(with_image(R"("signal": "")")).find("$.signal:") != std::string::npos);
  CHECK(only_error(with_image(R"("signal": -1)")).find("$.signal:") != std::string::npos);
}

TEST_CASE("labels: strings only, io.dockerup.* reserved") {
  CHECK(only_error(with_image(R"("labels": {"io.dockerup.managed": "false"})")) ==
        source + ": $.labels[\"io.dockerup.managed\"]: labels starting with \"io.dockerup.\" are "
                 "reserved for dockerup itself");
  CHECK(only_error(with_image(R"("labels": {"n": 1})")) ==
        source + ": $.labels.n: expected a string, got a number (1)");
}

TEST_CASE("unknown top-level fields are warnings, with a guess when there is one") {
  SpecParse result = parse(with_image(R"("ports": [], "Memory": "1g", "owner": "me")"));
  INFO(joined(result.errors));
  REQUIRE(result.spec.has_value());
  CHECK(result.errors.empty());
  REQUIRE(result.warnings.size() == 3);
  CHECK(result.warnings[0].str() ==
        source + ": $.ports: unknown field, ignored (did you mean \"portMappings\"?)");
  CHECK(result.warnings[1].str() ==
        source + ": $.Memory: unknown field, ignored (did you mean \"memory\"?)");
  CHECK(result.warnings[2].str() == source + ": $.owner: unknown field, ignored");
  CHECK_FALSE(result.spec->memory_bytes.has_value());
}

TEST_CASE("every error of a file is reported, not only the first") {
  SpecParse result = parse(R"({
    "name": "-x", "cpu": -1, "memory": "12q", "restart": "maybe",
    "portMappings": [{"containerPort": 0}, {"containerPort": 1, "protocol": "x"}]
  })");
  CHECK_FALSE(result.spec.has_value());
  CHECK(result.errors.size() == 7);  // name, cpu, memory, restart, 2 ports, image required
  std::string text = joined(result.errors);
  for (const char* path : {"$.name:", "$.cpu:", "$.memory:", "$.restart:",
                           "$.portMappings[0].containerPort:", "$.portMappings[1].protocol:",
                           "$.image: required"})
    CHECK(text.find(path) != std::string::npos);
}

TEST_CASE("a top-level key given twice is an error") {
  CHECK(only_error(R"({"image": "a", "image": "b"})") == source + ": $.image: given twice");
}

TEST_CASE("invalid JSON: the error gives line and column") {
  SpecParse result = parse("{\n  \"image\": \"busybox\"\n  \"name\": \"x\"\n}");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].where == source);
  CHECK(result.errors[0].message ==
        "invalid JSON at line 3, column 3: missing a comma or '}' after an object member");
  CHECK(parse("").errors.at(0).message.find("line 1, column 1: the document is empty") !=
        std::string::npos);
  CHECK(parse("{} {}").errors.at(0).message.find("line 1, column 4") != std::string::npos);
  CHECK(parse("{\"image\": \"\xff\"}").errors.size() == 1);  // invalid UTF-8
}

TEST_CASE("the document must be one object") {
  CHECK(only_error(R"([{"image": "busybox"}])") ==
        source + ": $: expected a JSON object (one container per file), got an array");
  CHECK(only_error("42") ==
        source + ": $: expected a JSON object (one container per file), got a number (42)");
}

TEST_CASE("deeply nested input does not crash the parser") {
  std::string deep(100000, '[');
  SpecParse result = parse(deep);
  CHECK(result.errors.size() == 1);
  // Balanced but deeper than the limit: refused while parsing, so nothing recurses over it later.
  std::string nested_field = with_image("\"x\": " + std::string(50000, '[') + std::string(50000, ']'));
  SpecParse too_deep = parse(nested_field);
  REQUIRE(too_deep.errors.size() == 1);
  CHECK(too_deep.errors[0].message.find("nested deeper than 64 levels") != std::string::npos);
  // Within the limit, an unknown nested field is only a warning.
  std::string shallow = with_image("\"x\": " + std::string(60, '[') + std::string(60, ']'));
  CHECK(parse(shallow).errors.empty());
  CHECK(parse(shallow).warnings.size() == 1);
}

TEST_CASE("is_valid_container_name") {
  CHECK(is_valid_container_name("a"));
  CHECK(is_valid_container_name("0web_1.b-c"));
  CHECK_FALSE(is_valid_container_name(""));
  CHECK_FALSE(is_valid_container_name("_web"));
  CHECK_FALSE(is_valid_container_name(".web"));
  CHECK_FALSE(is_valid_container_name("web/1"));
  CHECK_FALSE(is_valid_container_name("wéb"));
}

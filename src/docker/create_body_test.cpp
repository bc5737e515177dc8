#include "create_body.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

using namespace dockerup;

namespace {

rapidjson::Document body_of(const CreateRequest& request) {
  std::string text = make_create_body(request);
  rapidjson::Document document;
  document.Parse(text.c_str());
  REQUIRE_FALSE(document.HasParseError());
  REQUIRE(document.IsObject());
  return document;
}

std::vector<std::string> strings(const rapidjson::Value& array) {
  std::vector<std::string> result;
  for (const auto& item : array.GetArray()) result.emplace_back(item.GetString());
  return result;
}

std::vector<std::string> keys(const rapidjson::Value& object) {
  std::vector<std::string> result;
  for (const auto& member : object.GetObject()) {
    CHECK(member.value.IsObject());
    CHECK(member.value.ObjectEmpty());
    result.emplace_back(member.name.GetString());
  }
  return result;
}

CreateRequest full_request() {
  CreateRequest request;
  request.name = "web";
  ContainerSpec& spec = request.spec;
  spec.name = "web";
  spec.image = "localhost:5000/app:v1";
  spec.cpu_shares = 512;
  spec.memory_bytes = 256 * 1024 * 1024;
  spec.entrypoint = std::vector<std::string>{"/bin/sh", "-c"};
  spec.command = std::vector<std::string>{"echo hi", "x"};
  spec.privileged = true;
  spec.network = "bridge";
  spec.volumes = {
      {VolumeSpec::Kind::Bind, "/srv/data", "/data", false, ""},
      {VolumeSpec::Kind::Bind, "/etc/conf", "/conf", true, ""},
      {VolumeSpec::Kind::Anonymous, "", "/cache", false, ""},
      {VolumeSpec::Kind::From, "", "", false, "datastore"},
      {VolumeSpec::Kind::From, "", "", true, "secrets"},
  };
  spec.ports = {
      {8080, 8080, "tcp", ""}, {53, std::nullopt, "udp", ""}, {8080, 9090, "tcp", "127.0.0.1"}};
  spec.env = {{"MODE", "prod"}, {"EMPTY", ""}};
  spec.restart = "always";
  spec.links = {{"db", "database"}, {"cache", "cache"}};
  spec.stop_signal = "SIGINT";
  spec.labels = {{"team", "web"}, {"io.dockerup.name", "spoofed"}};
  request.labels = {{"io.dockerup.managed", "true"}, {"io.dockerup.name", "web"}};
  return request;
}

}  // namespace

TEST_CASE("create body: container config fields") {
  rapidjson::Document body = body_of(full_request());
  CHECK(std::string(body["Image"].GetString()) == "localhost:5000/app:v1");
  CHECK(strings(body["Entrypoint"]) == std::vector<std::string>{"/bin/sh", "-c"});
  CHECK(strings(body["Cmd"]) == std::vector<std::string>{"echo hi", "x"});
  CHECK(strings(body["Env"]) ==
        std::vector<std::string>{"EMPTY=", "MODE=prod", "DOCKER_IMAGE=localhost:5000/app:v1"});
  CHECK(std::string(body["StopSignal"].GetString()) == "SIGINT");
  CHECK(keys(body["ExposedPorts"]) == std::vector<std::string>{"8080/tcp", "53/udp"});
  CHECK(keys(body["Volumes"]) == std::vector<std::string>{"/cache"});

  const auto& labels = body["Labels"];
  CHECK(labels.MemberCount() == 3);
  CHECK(std::string(labels["team"].GetString()) == "web");
  CHECK(std::string(labels["io.dockerup.managed"].GetString()) == "true");
  CHECK(std::string(labels["io.dockerup.name"].GetString()) == "web");  // dockerup's label wins
}

TEST_CASE("create body: host config fields") {
  rapidjson::Document body = body_of(full_request());
  const auto& host = body["HostConfig"];
  CHECK(host["CpuShares"].GetInt64() == 512);
  CHECK(host["Memory"].GetInt64() == 256 * 1024 * 1024);
  CHECK(host["Privileged"].GetBool());
  CHECK(std::string(host["NetworkMode"].GetString()) == "bridge");
  CHECK(strings(host["Binds"]) ==
        std::vector<std::string>{"/srv/data:/data:rw", "/etc/conf:/conf:ro"});
  CHECK(strings(host["VolumesFrom"]) == std::vector<std::string>{"datastore:rw", "secrets:ro"});
  CHECK(strings(host["Links"]) == std::vector<std::string>{"cache:cache", "db:database"});
  CHECK(std::string(host["RestartPolicy"]["Name"].GetString()) == "always");
  CHECK(host["RestartPolicy"]["MaximumRetryCount"].GetInt() == 0);

  const auto& bindings = host["PortBindings"];
  CHECK(bindings.MemberCount() == 2);
  const auto& http = bindings["8080/tcp"];
  REQUIRE(http.Size() == 2);
  CHECK(std::string(http[0]["HostIp"].GetString()) == "");
  CHECK(std::string(http[0]["HostPort"].GetString()) == "8080");
  CHECK(std::string(http[1]["HostIp"].GetString()) == "127.0.0.1");
  CHECK(std::string(http[1]["HostPort"].GetString()) == "9090");
  const auto& dns = bindings["53/udp"];
  REQUIRE(dns.Size() == 1);
  CHECK(std::string(dns[0]["HostPort"].GetString()) == "");  // Docker picks a random port
}

TEST_CASE("create body: a minimal spec leaves Docker's defaults alone") {
  CreateRequest request;
  request.name = "min";
  request.spec.image = "busybox";
  rapidjson::Document body = body_of(request);
  CHECK_FALSE(body.HasMember("Entrypoint"));
  CHECK_FALSE(body.HasMember("Cmd"));
  CHECK_FALSE(body.HasMember("StopSignal"));
  CHECK(strings(body["Env"]) == std::vector<std::string>{"DOCKER_IMAGE=busybox"});
  CHECK(body["Labels"].ObjectEmpty());
  CHECK(body["ExposedPorts"].ObjectEmpty());
  CHECK(body["Volumes"].ObjectEmpty());
  const auto& host = body["HostConfig"];
  CHECK_FALSE(host.HasMember("CpuShares"));
  CHECK_FALSE(host.HasMember("Memory"));
  CHECK_FALSE(host.HasMember("NetworkMode"));
  CHECK_FALSE(host["Privileged"].GetBool());
  CHECK(host["Binds"].Empty());
  CHECK(host["PortBindings"].ObjectEmpty());
  CHECK(std::string(host["RestartPolicy"]["Name"].GetString()) == "on-failure");
}

TEST_CASE("create body: an explicit DOCKER_IMAGE and empty command arrays are kept") {
  CreateRequest request;
  request.spec.image = "busybox";
  request.spec.env = {{"DOCKER_IMAGE", "mine"}};
  request.spec.entrypoint = std::vector<std::string>{};
  rapidjson::Document body = body_of(request);
  CHECK(strings(body["Env"]) == std::vector<std::string>{"DOCKER_IMAGE=mine"});
  CHECK(body["Entrypoint"].IsArray());
  CHECK(body["Entrypoint"].Empty());
}

TEST_CASE("create body: text with quotes and non-ASCII is escaped as JSON") {
  CreateRequest request;
  request.spec.image = "busybox";
  request.spec.env = {{"MSG", "say \"hi\"\n\\ \xC3\xA9"}};
  rapidjson::Document body = body_of(request);
  CHECK(strings(body["Env"])[0] == "MSG=say \"hi\"\n\\ \xC3\xA9");
}

#include "registry_host.hpp"

#include "dockerup/error.hpp"

#include <doctest/doctest.h>

using namespace dockerup;

TEST_CASE("the registry host of a reference; Docker Hub under one name") {
  CHECK(registry_host_of("busybox") == "docker.io");
  CHECK(registry_host_of("team/app:v1") == "docker.io");
  CHECK(registry_host_of("docker.io/library/busybox") == "docker.io");
  CHECK(registry_host_of("index.docker.io/team/app") == "docker.io");
  CHECK(registry_host_of("registry-1.docker.io/team/app") == "docker.io");
  CHECK(registry_host_of("reg.example:5000/team/app:v1") == "reg.example:5000");
  CHECK(registry_host_of("123.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:" + std::string(64, 'a')) ==
        "123.dkr.ecr.eu-west-1.amazonaws.com");
  CHECK_THROWS_AS(registry_host_of("Not Valid"), Failure);
}

TEST_CASE("auths keys lose scheme and path; every Hub spelling is docker.io") {
  CHECK(normalise_registry_key("https://index.docker.io/v1/") == "docker.io");
  CHECK(normalise_registry_key("index.docker.io") == "docker.io");
  CHECK(normalise_registry_key("registry-1.docker.io") == "docker.io");
  CHECK(normalise_registry_key("") == "docker.io");
  CHECK(normalise_registry_key("https://Reg.Example:5000/v2/") == "reg.example:5000");
  CHECK(normalise_registry_key("http://reg.example") == "reg.example");
  CHECK(normalise_registry_key("reg.example:5000") == "reg.example:5000");
}

TEST_CASE("server address: the Hub URL for Docker Hub, the host otherwise") {
  CHECK(server_address_for("docker.io") == "https://index.docker.io/v1/");
  CHECK(server_address_for("reg.example:5000") == "reg.example:5000");
}

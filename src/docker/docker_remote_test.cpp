#include "dockerup/docker_engine.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <string>

using dockerup::DockerEndpoint;
using dockerup::Failure;
using dockerup::parse_docker_remote;

namespace {

/// Sets or clears DOCKER_HOST for one test and puts the old value back.
class ScopedDockerHost {
 public:
  explicit ScopedDockerHost(const char* value) {
    if (const char* old = std::getenv("DOCKER_HOST")) old_ = old;
    if (value != nullptr)
      setenv("DOCKER_HOST", value, 1);
    else
      unsetenv("DOCKER_HOST");
  }
  ~ScopedDockerHost() {
    if (old_)
      setenv("DOCKER_HOST", old_->c_str(), 1);
    else
      unsetenv("DOCKER_HOST");
  }

 private:
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("unix remotes, with three slashes or the original's two") {
  for (const char* remote : {"unix:///var/run/docker.sock", "unix://var/run/docker.sock"}) {
    CAPTURE(remote);
    DockerEndpoint endpoint = parse_docker_remote(remote);
    CHECK(endpoint.unix_socket == "/var/run/docker.sock");
    CHECK(endpoint.base_url == "http://localhost");
  }
  CHECK(parse_docker_remote("unix:///run/user/1000/docker.sock").unix_socket ==
        "/run/user/1000/docker.sock");
}

TEST_CASE("tcp and http remotes become http URLs") {
  DockerEndpoint tcp = parse_docker_remote("tcp://10.0.0.5:2375");
  CHECK(tcp.unix_socket == "");
  CHECK(tcp.base_url == "http://10.0.0.5:2375");
  CHECK(parse_docker_remote("tcp://docker.internal").base_url == "http://docker.internal:2375");
  CHECK(parse_docker_remote("tcp://127.0.0.1:2375/").base_url == "http://127.0.0.1:2375");
  CHECK(parse_docker_remote("http://127.0.0.1:2375").base_url == "http://127.0.0.1:2375");
  CHECK(parse_docker_remote("http://127.0.0.1:2375").unix_socket == "");
}

TEST_CASE("an empty remote means DOCKER_HOST, else the default socket") {
  {
    ScopedDockerHost host("tcp://127.0.0.1:12375");
    CHECK(parse_docker_remote("").base_url == "http://127.0.0.1:12375");
    CHECK(parse_docker_remote("unix:///x.sock").unix_socket == "/x.sock");  // explicit wins
  }
  {
    ScopedDockerHost host(nullptr);
    CHECK(parse_docker_remote("").unix_socket == "/var/run/docker.sock");
  }
  {
    ScopedDockerHost host("");
    CHECK(parse_docker_remote("").unix_socket == "/var/run/docker.sock");
  }
}

TEST_CASE("unusable remotes throw a Failure naming them") {
  for (const char* remote :
       {"https://h:2376", "ssh://user@host", "/var/run/docker.sock", "unix://", "tcp://", "http://",
        "npipe:////./pipe/docker_engine", "tcp://h:1/path"}) {
    CAPTURE(remote);
    try {
      parse_docker_remote(remote);
      FAIL("no failure");
    } catch (const Failure& failure) {
      CHECK(std::string(failure.what()).find(std::string("\"") + remote + "\"") !=
            std::string::npos);
    }
  }
}

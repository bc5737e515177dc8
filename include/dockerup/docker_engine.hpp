// The Docker Engine API implementation of Engine, over libcurl (Unix socket or TCP).
#pragma once

#include "dockerup/engine.hpp"
#include "dockerup/error.hpp"

#include <memory>
#include <string>

namespace dockerup {

struct DockerEndpoint {
  std::string unix_socket;  ///< set for unix:// remotes
  std::string base_url;     ///< "http://localhost" for sockets, "http://host:2375" for tcp://
};

/// unix:///var/run/docker.sock, the original's unix://var/run/docker.sock, tcp://h:p, http://h:p.
/// An empty remote means $DOCKER_HOST, else unix:///var/run/docker.sock. Throws Failure on a
/// scheme it cannot use.
DockerEndpoint parse_docker_remote(const std::string& remote);

/// The X-Registry-Auth header value for these credentials: base64url of the JSON the Engine API
/// expects ({"username","password","email","serveraddress"} or {"identitytoken","serveraddress"}).
std::string x_registry_auth(const RegistryAuth& auth);

/// Connects lazily: the first call negotiates the API version with the daemon
/// (GET /version), so a daemon that is down only fails the calls, not the construction.
std::unique_ptr<Engine> make_docker_engine(const DockerEndpoint& endpoint);

}  // namespace dockerup

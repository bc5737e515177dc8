// The Docker Engine API implementation of Engine, over libcurl (Unix socket or TCP).
#pragma once

#include "dockerup/engine.hpp"
#include "dockerup/error.hpp"
#include "dockerup/http_client.hpp"

#include <memory>
#include <string>

namespace dockerup {

struct DockerEndpoint {
  std::string unix_socket;  ///< set for unix:// remotes
  /// "http://localhost" for sockets, "http://host:2375" for tcp://, "https://host:2376" for TLS
  std::string base_url;
  TlsFiles tls = {};  ///< for https:// base URLs
};

/// unix:///var/run/docker.sock, the original's unix://var/run/docker.sock, tcp://h:p, http://h:p,
/// https://h:p. An empty remote means $DOCKER_HOST, else unix:///var/run/docker.sock.
/// TLS as the docker CLI does it: tcp:// becomes https:// (default port 2376) when
/// DOCKER_TLS_VERIFY is set or any of `configured` (dockerup.conf's tls_ca, tls_cert,
/// tls_key) is; the files are the configured ones, else DOCKER_CERT_PATH's (default ~/.docker)
/// ca.pem, cert.pem and key.pem where they exist. Verification is never turned off. Throws
/// Failure on a scheme it cannot use, an unreadable file, or a certificate without its key.
DockerEndpoint parse_docker_remote(const std::string& remote, const TlsFiles& configured = {});

/// The X-Registry-Auth header value for these credentials: base64url of the JSON the Engine API
/// expects ({"username","password","email","serveraddress"} or {"identitytoken","serveraddress"}).
std::string x_registry_auth(const RegistryAuth& auth);

/// Connects lazily: the first call negotiates the API version with the daemon
/// (GET /version), so a daemon that is down only fails the calls, not the construction.
std::unique_ptr<Engine> make_docker_engine(const DockerEndpoint& endpoint);

}  // namespace dockerup

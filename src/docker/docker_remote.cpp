// Where the Docker daemon listens, from a "remote" setting in the forms Docker and the original
// dockerup accept, and which TLS files secure it: the docker CLI's DOCKER_HOST,
// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, or dockerup.conf's tls_ca, tls_cert and tls_key.
#include "dockerup/docker_engine.hpp"

#include "dockerup/error.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace dockerup {
namespace {

constexpr std::string_view default_remote = "unix:///var/run/docker.sock";
/// Docker's own defaults for tcp:// without a port: 2375 plain HTTP, 2376 TLS.
constexpr std::string_view default_tcp_port = "2375";
constexpr std::string_view default_tls_port = "2376";

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

std::string without_trailing_slashes(std::string_view text) {
  while (text.size() > 1 && text.ends_with('/')) text.remove_suffix(1);
  return std::string(text);
}

bool any_set(const TlsFiles& files) {
  return !files.ca.empty() || !files.cert.empty() || !files.key.empty();
}

DockerEndpoint unix_endpoint(const std::string& remote, std::string_view path) {
  // The original's default "unix://var/run/docker.sock" has only two slashes; it always meant
  // the absolute path, as the Python client read it.
  if (path.empty()) fail("Docker remote \"{}\": no socket path after unix://", remote);
  std::string absolute = path.starts_with('/') ? std::string(path) : "/" + std::string(path);
  return {absolute, "http://localhost", {}};
}

std::string host_port(const std::string& remote, std::string_view text,
                      std::string_view default_port) {
  std::string host = without_trailing_slashes(text);
  if (host.empty() || host == "/" || host.find('/') != std::string::npos)
    fail("Docker remote \"{}\": expected host:port after the scheme", remote);
  // A port is the part after the last colon, unless that colon closes an IPv6 "[...]".
  auto colon = host.rfind(':');
  auto bracket = host.rfind(']');
  bool has_port = colon != std::string::npos && (bracket == std::string::npos || bracket < colon);
  if (!default_port.empty() && !has_port) host += ":" + std::string(default_port);
  return host;
}

/// The docker CLI's files: DOCKER_CERT_PATH (default ~/.docker) holding ca.pem, cert.pem and
/// key.pem; like the CLI, a file that does not exist is left out.
TlsFiles files_from_cert_path() {
  std::string dir = environment("DOCKER_CERT_PATH");
  if (dir.empty()) {
    std::string home = environment("HOME");
    if (home.empty()) return {};
    dir = home + "/.docker";
  }
  auto existing = [&dir](const char* name) {
    std::string path = dir + "/" + name;
    return access(path.c_str(), F_OK) == 0 ? path : std::string();
  };
  return {existing("ca.pem"), existing("cert.pem"), existing("key.pem")};
}

/// The configured files (each key on its own), else the CLI's; every one must be readable,
/// and a client certificate needs its key.
TlsFiles tls_files(const std::string& remote, const TlsFiles& configured) {
  TlsFiles env = files_from_cert_path();
  TlsFiles files{.ca = configured.ca.empty() ? env.ca : configured.ca,
                 .cert = configured.cert.empty() ? env.cert : configured.cert,
                 .key = configured.key.empty() ? env.key : configured.key};
  for (auto [path, key] : {std::pair{&files.ca, "tls_ca"}, std::pair{&files.cert, "tls_cert"},
                           std::pair{&files.key, "tls_key"}}) {
    if (!path->empty() && access(path->c_str(), R_OK) != 0)
      fail("Docker remote \"{}\": {} {} cannot be read", remote, key, *path);
  }
  if (files.cert.empty() != files.key.empty())
    fail("Docker remote \"{}\": a client certificate needs both tls_cert and tls_key (got {})",
         remote, files.cert.empty() ? "only tls_key " + files.key : "only tls_cert " + files.cert);
  return files;
}

/// tcp:// speaks TLS as the docker CLI decides it: DOCKER_TLS_VERIFY set to anything, or (for
/// dockerup) any of the tls_* keys set.
bool tcp_wants_tls(const TlsFiles& configured) {
  return !environment("DOCKER_TLS_VERIFY").empty() || any_set(configured);
}

}  // namespace

DockerEndpoint parse_docker_remote(const std::string& remote, const TlsFiles& configured) {
  if (remote.empty()) {
    std::string docker_host = environment("DOCKER_HOST");
    return parse_docker_remote(docker_host.empty() ? std::string(default_remote) : docker_host,
                               configured);
  }
  std::string_view text = remote;
  bool https = text.starts_with("https://");
  bool tcp = text.starts_with("tcp://");
  if (!https && any_set(configured) && !tcp)
    fail("Docker remote \"{}\": tls_ca, tls_cert and tls_key apply to tcp:// and https:// "
         "remotes only",
         remote);
  if (text.starts_with("unix://")) return unix_endpoint(remote, text.substr(7));
  if (text.starts_with("http://")) return {"", "http://" + host_port(remote, text.substr(7), ""), {}};
  if (https)
    return {"", "https://" + host_port(remote, text.substr(8), ""), tls_files(remote, configured)};
  if (tcp && tcp_wants_tls(configured))
    return {"", "https://" + host_port(remote, text.substr(6), default_tls_port),
            tls_files(remote, configured)};
  if (tcp) return {"", "http://" + host_port(remote, text.substr(6), default_tcp_port), {}};
  fail(
      "Docker remote \"{}\" is not supported: use unix:///path/to/docker.sock, tcp://host:port "
      "(TLS with DOCKER_TLS_VERIFY or tls_*), http://host:port or https://host:port",
      remote);
}

}  // namespace dockerup

// Where the Docker daemon listens, from a "remote" setting in the forms Docker and the original
// dockerup accept.
#include "dockerup/docker_engine.hpp"

#include "dockerup/error.hpp"

#include <cstdlib>
#include <string_view>

namespace dockerup {
namespace {

constexpr std::string_view default_remote = "unix:///var/run/docker.sock";
/// Docker's own default for tcp:// without a port (plain HTTP; TLS is 2376 and not supported).
constexpr std::string_view default_tcp_port = "2375";

std::string without_trailing_slashes(std::string_view text) {
  while (text.size() > 1 && text.ends_with('/')) text.remove_suffix(1);
  return std::string(text);
}

DockerEndpoint unix_endpoint(const std::string& remote, std::string_view path) {
  // The original's default "unix://var/run/docker.sock" has only two slashes; it always meant
  // the absolute path, as the Python client read it.
  if (path.empty()) fail("Docker remote \"{}\": no socket path after unix://", remote);
  std::string absolute = path.starts_with('/') ? std::string(path) : "/" + std::string(path);
  return {absolute, "http://localhost"};
}

DockerEndpoint http_endpoint(const std::string& remote, std::string_view host_port) {
  std::string host = without_trailing_slashes(host_port);
  if (host.empty() || host == "/" || host.find('/') != std::string::npos)
    fail("Docker remote \"{}\": expected host:port after the scheme", remote);
  return {"", "http://" + host};
}

}  // namespace

DockerEndpoint parse_docker_remote(const std::string& remote) {
  if (remote.empty()) {
    const char* docker_host = std::getenv("DOCKER_HOST");
    return parse_docker_remote(docker_host != nullptr && *docker_host != '\0'
                                   ? std::string(docker_host)
                                   : std::string(default_remote));
  }
  std::string_view text = remote;
  if (text.starts_with("unix://")) return unix_endpoint(remote, text.substr(7));
  if (text.starts_with("http://")) return http_endpoint(remote, text.substr(7));
  if (text.starts_with("tcp://")) {
    std::string host = without_trailing_slashes(text.substr(6));
    if (!host.empty() && host.find(':') == std::string::npos)
      host += ":" + std::string(default_tcp_port);
    return http_endpoint(remote, host);
  }
  fail(
      "Docker remote \"{}\" is not supported: use unix:///path/to/docker.sock, tcp://host:port "
      "or http://host:port (TLS remotes are not supported)",
      remote);
}

}  // namespace dockerup

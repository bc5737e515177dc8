#include "registry_host.hpp"

#include "dockerup/ascii.hpp"
#include "dockerup/error.hpp"
#include "dockerup/image_ref.hpp"

namespace dockerup {

bool is_docker_hub(std::string_view host) {
  std::string name = ascii_lower(host);
  return name.empty() || name == "docker.io" || name == "index.docker.io" ||
         name == "registry-1.docker.io" || name == docker_hub_address;
}

std::string registry_host_of(const std::string& reference) {
  auto ref = parse_image_ref(reference);
  if (!ref) fail("\"{}\" is not a valid image reference", reference);
  return is_docker_hub(ref->registry) ? std::string(docker_hub_host) : ascii_lower(ref->registry);
}

std::string normalise_registry_key(std::string_view key) {
  std::string_view rest = key;
  for (std::string_view scheme : {"https://", "http://"})
    if (ascii_lower(rest.substr(0, scheme.size())) == scheme) rest.remove_prefix(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  std::string host = ascii_lower(rest);
  return is_docker_hub(host) ? std::string(docker_hub_host) : host;
}

std::string server_address_for(std::string_view host) {
  return is_docker_hub(host) ? std::string(docker_hub_address) : std::string(host);
}

}  // namespace dockerup

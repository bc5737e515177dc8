#include "podman_names.hpp"

#include "dockerup/image_ref.hpp"

#include <string_view>

namespace dockerup {

std::string docker_spelling(const std::string& podman_name) {
  constexpr std::string_view local = "localhost/";
  if (!podman_name.starts_with(local)) return podman_name;
  std::string rest = podman_name.substr(local.size());
  // Only when the rest is itself a Docker Hub name: "localhost/a.b:5000/x" stays as it is.
  auto ref = parse_image_ref(rest);
  return ref && ref->registry.empty() ? rest : podman_name;
}

void use_docker_spelling(std::vector<ImageSummary>& images) {
  for (ImageSummary& image : images) {
    for (std::string& tag : image.tags) tag = docker_spelling(tag);
    for (std::string& digest : image.digests) digest = docker_spelling(digest);
  }
}

void use_docker_spelling(std::vector<ContainerSummary>& containers) {
  for (ContainerSummary& container : containers) container.image = docker_spelling(container.image);
}

}  // namespace dockerup

// Podman's Docker-compatible service spells image names its own way: a local image (built or
// tagged without a registry) is "localhost/NAME:TAG" where Docker says "NAME:TAG". dockerup
// reads Podman's answers in Docker's spelling, so the references in container files (written
// for Docker) match, and image lists and container lists agree with each other.
#pragma once

#include "dockerup/engine.hpp"

#include <string>
#include <vector>

namespace dockerup {

/// "localhost/web:1" -> "web:1", "localhost/team/app@sha256:..." -> "team/app@sha256:...";
/// anything else (a registry with a port, "docker.io/library/busybox:latest") as it is.
std::string docker_spelling(const std::string& podman_name);

void use_docker_spelling(std::vector<ImageSummary>& images);
void use_docker_spelling(std::vector<ContainerSummary>& containers);

}  // namespace dockerup

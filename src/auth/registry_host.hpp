// Registry names as the docker CLI compares them: an image reference's registry part, the keys
// of config.json's "auths" (often written as URLs), and Docker Hub's many spellings.
#pragma once

#include <string>
#include <string_view>

namespace dockerup {

/// The one name dockerup uses for Docker Hub in lookups and messages.
inline constexpr std::string_view docker_hub_host = "docker.io";
/// What the docker CLI stores and sends for Docker Hub (config.json key, helper input).
inline constexpr std::string_view docker_hub_address = "https://index.docker.io/v1/";

/// docker.io, index.docker.io, registry-1.docker.io, the Hub URL, or no registry at all.
bool is_docker_hub(std::string_view host);

/// The registry host an image reference pulls from: "registry.example:5000", or "docker.io" for
/// references without a registry part. Throws Failure for a reference that is not valid.
std::string registry_host_of(const std::string& reference);

/// The host an "auths" key (or the `registry` setting) names: "https://reg.example:5000/v2/"
/// -> "reg.example:5000"; any Docker Hub spelling -> "docker.io". Lower-cased: hosts are
/// case-insensitive.
std::string normalise_registry_key(std::string_view key);

/// What credential helpers are asked for and X-Registry-Auth names as serveraddress: the Hub
/// URL for Docker Hub, else the host (as the docker CLI does).
std::string server_address_for(std::string_view host);

}  // namespace dockerup

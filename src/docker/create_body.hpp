// The JSON body of POST /containers/create, built from a CreateRequest. Kept apart from the
// HTTP code so that every field can be checked without a daemon.
#pragma once

#include "dockerup/engine.hpp"

#include <string>

namespace dockerup {

/// Every container also gets DOCKER_IMAGE=<image> in its environment, as the original dockerup
/// did (programs in the container read it); an explicit env entry of that name wins.
inline constexpr const char* docker_image_env = "DOCKER_IMAGE";

std::string make_create_body(const CreateRequest& request);

}  // namespace dockerup

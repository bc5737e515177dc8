// Where a run's registry credentials come from (src/auth): the docker CLI's config.json and
// credential helpers, and the original's registry/username/password/email keys.
#pragma once

#include "dockerup/registry_auth.hpp"
#include "dockerup/settings.hpp"

#include <memory>

namespace dockerup {

/// A fresh lookup for one run: reads the Docker client config now ($DOCKER_CONFIG, the
/// docker_config setting, ~/.docker/config.json, ~/.dockercfg) so edits and rotated tokens
/// count from the next run. Never throws: a broken config file becomes every lookup's error.
std::unique_ptr<RegistryAuthSource> make_registry_auth(const Settings& settings);

}  // namespace dockerup

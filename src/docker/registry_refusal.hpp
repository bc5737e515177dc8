// Telling a registry that refuses the credentials from one that cannot be reached. The engine
// passes the registry's answer on only as text (and the status of its own reply), so the
// answer is recognised by what registries say: Docker Distribution, ECR, Docker Hub.
#pragma once

#include <string_view>

namespace dockerup {

/// Whether the engine's error means the registry refused the credentials sent or their absence.
/// `status`: the engine's HTTP status (401 and 403 always mean it), or 0 for an error line
/// inside a pull stream; `message`: the engine's error text.
bool registry_refused(long status, std::string_view message);

}  // namespace dockerup

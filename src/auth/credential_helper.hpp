// The docker-credential-helpers protocol, "get" only: `docker-credential-NAME get` reads the
// server address on stdin and prints {"ServerURL","Username","Secret"} (Amazon ECR's
// docker-credential-ecr-login, pass, secretservice, ...).
#pragma once

#include "dockerup/registry_auth.hpp"
#include "process_runner.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace dockerup {

/// How long a helper may take: ECR's helper makes one HTTPS call to AWS.
inline constexpr std::chrono::milliseconds helper_time_limit{10'000};

/// "docker-credential-" + name. Names with a slash are refused (no path tricks).
std::string credential_helper_program(const std::string& name);

/// Asks helper `name` for `server_address`. nullopt when the helper has no credentials for it
/// (it says "credentials not found"): the pull goes anonymous. Throws Failure naming the helper
/// program and the registry when it cannot be run, hangs past `limit`, fails, or prints
/// something that is not its JSON answer. Messages never carry the helper's stdout (it may hold
/// the secret); stderr is quoted, shortened.
std::optional<RegistryAuth> ask_credential_helper(ProcessRunner& runner, const std::string& name,
                                                  const std::string& server_address,
                                                  std::chrono::milliseconds limit = helper_time_limit);

}  // namespace dockerup

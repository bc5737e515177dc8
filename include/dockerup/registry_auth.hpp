// Registry credentials as they travel from where they are found (src/auth: Docker config files,
// credential helpers, the dockerup.conf keys) to the engine, which sends them with each pull and
// digest check. Kept apart from the lookup so the engine and the run need no auth code.
#pragma once

#include "dockerup/error.hpp"

#include <string>

namespace dockerup {

/// What the Engine API wants in X-Registry-Auth for one registry.
struct RegistryAuth {
  std::string server_address;  ///< the registry as named in the lookup: "registry.example:5000"
  std::string username;
  std::string password;        ///< a secret: never logged
  std::string identity_token;  ///< a secret (OAuth refresh token); when set, sent instead of a password
  std::string email;
  /// Where the credentials came from, for messages: "auths in /root/.docker/config.json",
  /// "credential helper docker-credential-ecr-login", "dockerup.conf". Never contains a secret.
  std::string origin;
  bool operator==(const RegistryAuth&) const = default;
};

/// The registry refused the credentials sent, or their absence (HTTP 401/403, "unauthorized",
/// "denied", "no basic auth credentials"), or the credentials could not be found (a failing
/// helper). Unlike a registry that cannot be reached, this is the operator's to fix: it fails the
/// run even when the image is present locally (whose container keeps running as it is).
class RegistryRefused : public Failure {
 public:
  using Failure::Failure;
};

/// Finds the credentials for the registry an image reference pulls from. One object lives for
/// one run: each registry is looked up at most once (a credential helper may cost a network round
/// trip). Implementations are thread-safe: pulls may run concurrently.
class RegistryAuthSource {
 public:
  virtual ~RegistryAuthSource() = default;
  /// nullptr: pull anonymously. The pointer stays valid as long as this object. Throws Failure
  /// naming the registry and the credential origin (never the secret) when the lookup itself
  /// fails, e.g. a credential helper that hangs or crashes.
  virtual const RegistryAuth* for_image(const std::string& reference) = 0;
};

}  // namespace dockerup

// One run's registry credential lookup: per registry host, the dockerup.conf keys, then
// credHelpers[host], then credsStore, then "auths" (exact key, then normalised keys). Each host
// is resolved once per run, errors included, under a mutex (pulls run concurrently).
#pragma once

#include "docker_config.hpp"
#include "dockerup/registry_auth.hpp"
#include "process_runner.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace dockerup {

/// The original's registry/username/password/email keys (dockerup.conf or user-data).
struct ConfKeys {
  std::string registry;  ///< empty: Docker Hub
  std::string username;  ///< empty: the keys are not in use
  std::string password;
  std::string email;
};

struct LookupInputs {
  DockerConfig config;
  /// Set when the config file exists but cannot be used: every lookup then fails with it (a
  /// silent anonymous pull would hide the broken file behind "unauthorized").
  std::optional<std::string> config_error;
  ConfKeys conf;
  std::chrono::milliseconds helper_limit{10'000};
};

class CredentialLookup final : public RegistryAuthSource {
 public:
  /// `runner` must outlive this object.
  CredentialLookup(LookupInputs inputs, ProcessRunner& runner);

  const RegistryAuth* for_image(const std::string& reference) override;
  /// Credentials for a registry host as registry_host_of() names it.
  const RegistryAuth* for_host(const std::string& host);

 private:
  struct Resolved {
    std::optional<RegistryAuth> auth;
    std::string error;  ///< non-empty: the lookup failed; thrown again for every image
  };
  struct Entry {
    std::once_flag once;  ///< one lookup per host; other hosts do not wait for it
    Resolved resolved;
  };
  Resolved resolve(const std::string& host);
  std::optional<RegistryAuth> from_auths(const std::string& host) const;
  std::optional<RegistryAuth> from_helper(const std::string& helper, const std::string& host);

  LookupInputs inputs_;
  ProcessRunner& runner_;
  std::mutex mutex_;  ///< guards cache_ itself, never held during a lookup
  std::map<std::string, std::unique_ptr<Entry>> cache_;  ///< host -> its lookup
};

}  // namespace dockerup

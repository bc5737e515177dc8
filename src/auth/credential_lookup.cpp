#include "credential_lookup.hpp"

#include "credential_helper.hpp"
#include "dockerup/error.hpp"
#include "dockerup/log.hpp"
#include "registry_host.hpp"

#include <set>

namespace dockerup {
namespace {

/// The precedence note is logged once per process and host, not once per run.
void log_precedence_once(const std::string& host, const std::string& shadowed) {
  static std::mutex mutex;
  static std::set<std::string> logged;
  std::lock_guard lock(mutex);
  if (!logged.insert(host).second) return;
  log_info("credentials for {}: the dockerup.conf keys (registry/username/password) are used; {} "
           "also has credentials for it and is not consulted",
           host, shadowed);
}

}  // namespace

CredentialLookup::CredentialLookup(LookupInputs inputs, ProcessRunner& runner)
    : inputs_(std::move(inputs)), runner_(runner) {}

const RegistryAuth* CredentialLookup::for_image(const std::string& reference) {
  std::string host = registry_host_of(reference);
  try {
    return for_host(host);
  } catch (const Failure& e) {
    fail("credentials for {} (registry {}): {}", reference, host, e.what());
  }
}

const RegistryAuth* CredentialLookup::for_host(const std::string& host) {
  Entry* entry = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto& slot = cache_[host];
    if (!slot) slot = std::make_unique<Entry>();
    entry = slot.get();
  }
  // Concurrent pulls from one registry wait for the one lookup; resolve() never throws.
  std::call_once(entry->once, [&] { entry->resolved = resolve(host); });
  if (!entry->resolved.error.empty()) throw Failure(entry->resolved.error);
  return entry->resolved.auth ? &*entry->resolved.auth : nullptr;
}

CredentialLookup::Resolved CredentialLookup::resolve(const std::string& host) {
  Resolved resolved;
  const ConfKeys& conf = inputs_.conf;
  if (!conf.username.empty() && normalise_registry_key(conf.registry) == host) {
    // The original logged in with these keys at start (which overwrote config.json's entry),
    // so they win here too; the shadowed source is named once so nobody wonders.
    RegistryAuth auth{server_address_for(host), conf.username, conf.password, "", conf.email,
                      "dockerup.conf (registry/username/password)"};
    if (inputs_.config.cred_helpers.count(host) || from_auths(host))
      log_precedence_once(host, inputs_.config.path);
    resolved.auth = auth;
    return resolved;
  }
  if (inputs_.config_error) {
    resolved.error = *inputs_.config_error;
    return resolved;
  }
  try {
    const DockerConfig& config = inputs_.config;
    for (const auto& [key, helper] : config.cred_helpers)
      if (normalise_registry_key(key) == host) {
        resolved.auth = from_helper(helper, host);
        return resolved;
      }
    if (!config.creds_store.empty()) resolved.auth = from_helper(config.creds_store, host);
    if (!resolved.auth) resolved.auth = from_auths(host);
  } catch (const Failure& e) {
    resolved.error = e.what();
  }
  if (resolved.auth)
    log_debug("credentials for {}: {}", host, resolved.auth->origin);
  else
    log_debug("no credentials for {}: pulling anonymously", host);
  return resolved;
}

std::optional<RegistryAuth> CredentialLookup::from_helper(const std::string& helper,
                                                          const std::string& host) {
  return ask_credential_helper(runner_, helper, server_address_for(host), inputs_.helper_limit);
}

std::optional<RegistryAuth> CredentialLookup::from_auths(const std::string& host) const {
  const auto& auths = inputs_.config.auths;
  auto make = [&](const std::string& key, const AuthEntry& entry) -> std::optional<RegistryAuth> {
    if (!entry.has_credentials()) return std::nullopt;
    return RegistryAuth{server_address_for(host), entry.username,       entry.password,
                        entry.identity_token,     entry.email,
                        fmt::format("auths[\"{}\"] in {}", key, inputs_.config.path)};
  };
  // Exact key first (how `docker login` writes it), then any spelling that names the same host.
  if (auto it = auths.find(server_address_for(host)); it != auths.end()) return make(it->first, it->second);
  for (const auto& [key, entry] : auths)
    if (normalise_registry_key(key) == host) return make(key, entry);
  return std::nullopt;
}

}  // namespace dockerup

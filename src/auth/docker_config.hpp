// The docker CLI's client configuration: config.json (or the legacy ~/.dockercfg), read the way
// the CLI reads it, so a host that `docker login` or `docker pull` works on works for dockerup.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dockerup {

/// One "auths" entry. `auth` (base64 "user:password") is decoded into username and password.
struct AuthEntry {
  std::string username;
  std::string password;        ///< a secret
  std::string identity_token;  ///< a secret
  std::string email;
  /// Entries docker writes when a credsStore keeps the secret ({}) carry no credentials.
  bool has_credentials() const { return !identity_token.empty() || !username.empty(); }
};

struct DockerConfig {
  std::string path;  ///< the file read; empty when there was none
  std::map<std::string, AuthEntry> auths;  ///< keys as written ("https://index.docker.io/v1/")
  std::string creds_store;                 ///< "desktop", "pass", ... ; empty: none
  std::map<std::string, std::string> cred_helpers;  ///< registry host -> helper name
};

/// Parses config.json; `legacy` for ~/.dockercfg, whose top level is the auths object itself.
/// Throws Failure naming the path and the field (never a value: it may be a secret).
DockerConfig parse_docker_config(std::string_view text, const std::string& path, bool legacy);

/// Where to look, in the docker CLI's order.
struct DockerConfigPlaces {
  std::string env_docker_config;  ///< $DOCKER_CONFIG (a directory)
  std::string setting;            ///< docker_config / --docker-config: a directory or a file
  std::string home;               ///< home directory of the user dockerup runs as
};

/// The file to read and whether it is the legacy format: $DOCKER_CONFIG/config.json, else the
/// docker_config setting, else ~/.docker/config.json; ~/.dockercfg only when that does not
/// exist. nullopt when no file exists (anonymous pulls only).
struct DockerConfigFile {
  std::string path;
  bool legacy = false;
};
std::optional<DockerConfigFile> find_docker_config(const DockerConfigPlaces& places);

/// find_docker_config + read + parse. No file: an empty config. Throws Failure when the file
/// exists but cannot be read or parsed.
DockerConfig load_docker_config(const DockerConfigPlaces& places);

/// $DOCKER_CONFIG, the setting, and $HOME (else the passwd entry of the effective user).
DockerConfigPlaces docker_config_places(const std::string& setting);

}  // namespace dockerup

// Who this host is to AWS: credentials for signing S3 requests, the region, the instance ID.
// From the environment first (AWS_ACCESS_KEY_ID, ...), else the instance metadata service
// (IMDSv2): the instance role's temporary credentials, refreshed before they expire.
#pragma once

#include "dockerup/imds.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace dockerup::fleet {

using WallClock = std::function<std::chrono::system_clock::time_point()>;
/// getenv, injectable: returns nullptr for unset variables.
using Getenv = std::function<const char*(const char*)>;

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  ///< empty for long-term keys
  /// When instance-role credentials stop working; nullopt for keys from the environment.
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string origin;  ///< "environment" or "instance role NAME", for messages
};

/// Role credentials are fetched again this long before they expire (AWS rotates them at least
/// five minutes before, so a fresh copy is always there by then).
inline constexpr std::chrono::minutes kRefreshBeforeExpiry{5};

/// "2026-12-01T16:00:00Z" (the IMDS Expiration format); nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_utc_time(const std::string& text);

class AwsIdentity {
 public:
  AwsIdentity(std::unique_ptr<ImdsClient> imds, WallClock clock, Getenv getenv);

  /// Environment keys when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set, else the
  /// instance role's (cached until kRefreshBeforeExpiry before expiry; a failed refresh keeps
  /// using the cached ones while they are still valid). Throws Failure saying why none are there.
  AwsCredentials credentials();
  /// AWS_REGION, AWS_DEFAULT_REGION, else the instance identity document. Throws Failure.
  std::string region();
  /// The instance ID from the identity document; nullopt when there is no metadata service.
  std::optional<std::string> instance_id();

 private:
  AwsCredentials fetch_role_credentials();
  /// The instance identity document, fetched once. Throws Failure.
  const std::string& identity_document();

  std::unique_ptr<ImdsClient> imds_;
  WallClock clock_;
  Getenv getenv_;
  std::optional<AwsCredentials> role_credentials_;
  std::optional<std::string> identity_document_;
};

}  // namespace dockerup::fleet

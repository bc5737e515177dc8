// Which Engine API version dockerup speaks with a daemon: negotiated as the docker CLI does it,
// capped at the newest version dockerup is tested against.
#pragma once

#include <string>
#include <string_view>

namespace dockerup {

/// The newest Engine API version CI runs the integration tests against (Debian 13's Docker
/// 26.1). dockerup never speaks a newer one, even to a newer daemon: nobody tested it.
inline constexpr std::string_view newest_tested_api_version = "1.45";
/// The oldest one (Debian 12's Docker 20.10, Podman 4.3). An older daemon is still spoken to
/// at its own version, as the docker CLI does, but with a warning: nobody tested that.
inline constexpr std::string_view oldest_tested_api_version = "1.41";

/// What GET /version tells about the daemon.
struct DaemonVersion {
  std::string version;          ///< the engine's own version: "20.10.24", "4.3.1"
  std::string api_version;      ///< newest API it speaks: "1.41"
  std::string min_api_version;  ///< oldest API it accepts; empty when it does not say
  bool podman = false;          ///< Podman's Docker-compatible service, not Docker
};

/// GET /version -> DaemonVersion; throws when ApiVersion is missing or not "<major>.<minor>"
/// (or MinAPIVersion is present and malformed).
DaemonVersion parse_daemon_version(std::string_view json);

/// Orders "1.9" < "1.41" < "1.45" < "2.0" numerically. Both must be "<major>.<minor>".
int compare_api_versions(std::string_view a, std::string_view b);

/// min(daemon's ApiVersion, newest_tested_api_version). Throws Failure naming both versions
/// when the daemon's MinAPIVersion is above that: dockerup is too old for this daemon.
std::string negotiate_api_version(const DaemonVersion& daemon, std::string_view where);

/// The warning to log when `negotiated` is older than oldest_tested_api_version, else "".
std::string untested_api_warning(const DaemonVersion& daemon, std::string_view negotiated,
                                 std::string_view where);

}  // namespace dockerup

// What FleetSources talks to, replaceable in tests.
#pragma once

#include "aws_identity.hpp"
#include "fleet_http.hpp"

#include "dockerup/settings.hpp"

#include <functional>
#include <memory>
#include <string>

namespace dockerup::fleet {

struct Dependencies {
  std::unique_ptr<FleetHttp> http = {};
  WallClock clock = {};
  Getenv getenv = {};
  /// The metadata client for credentials, region and instance ID (created on first use).
  std::function<std::unique_ptr<ImdsClient>(const Settings&)> make_imds = {};
  /// This host's name, the stagger identity when there is no instance ID.
  std::function<std::string()> hostname = {};
};

/// libcurl, std::chrono::system_clock, std::getenv, ImdsClient(imds_options(settings)),
/// gethostname.
Dependencies real_dependencies();

}  // namespace dockerup::fleet

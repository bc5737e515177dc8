#include "fleet_dependencies.hpp"

#include <unistd.h>

#include <cstdlib>

namespace dockerup::fleet {

Dependencies real_dependencies() {
  return {
      make_curl_fleet_http(),
      [] { return std::chrono::system_clock::now(); },
      [](const char* name) -> const char* { return std::getenv(name); },
      [](const Settings& settings) { return std::make_unique<ImdsClient>(imds_options(settings)); },
      [] {
        char name[256] = {};
        if (::gethostname(name, sizeof name - 1) != 0) return std::string("localhost");
        return std::string(name);
      },
  };
}

}  // namespace dockerup::fleet

#include "dockerup/utc_time.hpp"

#include <ctime>

namespace dockerup {

std::string strftime_utc(std::chrono::system_clock::time_point time, const char* format) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::size_t length = std::strftime(buffer, sizeof buffer, format, &utc);
  return std::string(buffer, length);
}

}  // namespace dockerup

// Times written for people and file names: always UTC, so logs, status and moved-aside files of
// hosts in different time zones read alike.
#pragma once

#include <chrono>
#include <string>

namespace dockerup {

/// `time` (to the second) in UTC through strftime's `format`, e.g. "%Y-%m-%dT%H:%M:%SZ".
/// gmtime_r, not gmtime: the daemon formats times on several threads.
std::string strftime_utc(std::chrono::system_clock::time_point time, const char* format);

}  // namespace dockerup

#include "dockerup/utc_time.hpp"

#include <doctest/doctest.h>

using dockerup::strftime_utc;

TEST_CASE("strftime_utc: the time in UTC, to the second, in the given format") {
  // 2027-01-15 08:00:00 UTC, 250 ms in: the milliseconds are not the format's business.
  auto time = std::chrono::system_clock::from_time_t(1800000000) + std::chrono::milliseconds(250);
  CHECK(strftime_utc(time, "%Y-%m-%dT%H:%M:%SZ") == "2027-01-15T08:00:00Z");
  CHECK(strftime_utc(time, "%Y%m%dT%H%M%SZ") == "20270115T080000Z");
}

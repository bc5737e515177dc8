#include "dockerup/ops_backoff.hpp"

#include <doctest/doctest.h>

using namespace dockerup;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("backoff doubles from the first delay, with equal jitter") {
  BackoffPolicy policy{.first = seconds(1), .cap = seconds(30)};
  CHECK(backoff_delay(policy, 1, 0.0) == milliseconds(500));
  CHECK(backoff_delay(policy, 1, 0.999) == milliseconds(999));
  CHECK(backoff_delay(policy, 2, 0.0) == milliseconds(1000));
  CHECK(backoff_delay(policy, 3, 0.5) == milliseconds(3000));  // base 4 s: 2 s + 0.5 * 2 s
}

TEST_CASE("backoff stops growing at the cap, however many failures") {
  BackoffPolicy policy{.first = seconds(1), .cap = seconds(30)};
  CHECK(backoff_delay(policy, 6, 0.0) == seconds(15));   // base 32 s capped to 30 s
  CHECK(backoff_delay(policy, 6, 0.999) <= seconds(30));
  CHECK(backoff_delay(policy, 1000000, 0.0) == seconds(15));
  CHECK(backoff_delay(policy, 1000000, 2.0) == seconds(30));  // random01 out of range is clamped
}

TEST_CASE("a failed run is retried sooner than the interval, then less often") {
  BackoffPolicy policy = failed_run_backoff(60);
  CHECK(policy.first == seconds(10));
  CHECK(policy.cap == seconds(300));
  BackoffPolicy long_interval = failed_run_backoff(3600);
  CHECK(long_interval.first == seconds(10));
  CHECK(long_interval.cap == seconds(3600));  // never less often than the interval's own runs
  BackoffPolicy short_interval = failed_run_backoff(2);
  CHECK(short_interval.first == seconds(2));
  CHECK(failed_run_backoff(0).first == seconds(1));  // a nonsense interval still waits
}

TEST_CASE("an unreachable engine is probed from 1 s up to 30 s") {
  BackoffPolicy policy = unreachable_backoff();
  CHECK(policy.first == seconds(1));
  CHECK(policy.cap == seconds(30));
}

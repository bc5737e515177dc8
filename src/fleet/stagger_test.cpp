#include "stagger.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <vector>

using namespace dockerup::fleet;

TEST_CASE("stagger delay: deterministic, inside the window, 0 without a window") {
  // The same value as the Python in stagger.hpp (computed with it).
  CHECK(host_hash("i-0123456789abcdef0") == 0x5826238b44c76c26ULL);
  CHECK(stagger_delay_seconds("i-0123456789abcdef0", 600) == 38);
  CHECK(stagger_delay_seconds("host-a", 100) == 66);
  CHECK(stagger_delay_seconds("host-a", 100) == stagger_delay_seconds("host-a", 100));
  CHECK(stagger_delay_seconds("host-a", 0) == 0);
  CHECK(stagger_delay_seconds("host-a", 1) == 0);
}

TEST_CASE("stagger spread: 1,000 instance IDs fill a 600 s window evenly") {
  // 10 buckets of 60 s, 100 hosts expected in each. Binomial standard deviation ~9.5: every
  // bucket must hold 100 +/- 30 (over 3 sigma), and no two hosts in ten may share a second on
  // average (at least 600 * (1 - e^-1000/600) * 0.9 distinct seconds used).
  constexpr int kHosts = 1000, kWindow = 600, kBuckets = 10;
  std::vector<int> buckets(kBuckets, 0);
  std::vector<bool> used(kWindow, false);
  for (int i = 0; i < kHosts; ++i) {
    // Sequential IDs, the worst case for a weak hash: they differ in the last digits only.
    int delay = stagger_delay_seconds(fmt::format("i-0abc{:013x}", 0x1000 + i), kWindow);
    REQUIRE(delay >= 0);
    REQUIRE(delay < kWindow);
    ++buckets[delay / (kWindow / kBuckets)];
    used[delay] = true;
  }
  for (int b = 0; b < kBuckets; ++b)
    CHECK_MESSAGE((buckets[b] >= 70 && buckets[b] <= 130), "bucket ", b, ": ", buckets[b]);
  int distinct = 0;
  for (bool u : used) distinct += u ? 1 : 0;
  CHECK(distinct >= 440);  // expected ~486
}

TEST_CASE("stagger spread: host names too (web-001 .. web-1000)") {
  std::vector<int> buckets(10, 0);
  for (int i = 1; i <= 1000; ++i) ++buckets[stagger_delay_seconds(fmt::format("web-{:03}", i), 100) / 10];
  for (int count : buckets) CHECK((count >= 70 && count <= 130));
}

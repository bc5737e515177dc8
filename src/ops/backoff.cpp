#include "dockerup/ops_backoff.hpp"

#include <algorithm>

namespace dockerup {

using std::chrono::milliseconds;
using std::chrono::seconds;

BackoffPolicy failed_run_backoff(int interval_seconds) {
  milliseconds interval = seconds(std::max(1, interval_seconds));
  return {std::min<milliseconds>(interval, seconds(10)),
          std::max<milliseconds>(interval, seconds(300))};
}

BackoffPolicy unreachable_backoff() { return {seconds(1), seconds(30)}; }

milliseconds backoff_delay(const BackoffPolicy& policy, int failures, double random01) {
  milliseconds base = policy.first;
  // Doubling stops at the cap, so no overflow however many failures there were.
  for (int i = 1; i < failures && base < policy.cap; ++i) base *= 2;
  base = std::min(base, policy.cap);
  random01 = std::clamp(random01, 0.0, 1.0);
  auto half = base.count() / 2;
  return milliseconds(half + static_cast<milliseconds::rep>(random01 * static_cast<double>(half)));
}

}  // namespace dockerup

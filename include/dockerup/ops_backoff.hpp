// How long the --server loop waits before trying again after a run that did not succeed.
#pragma once

#include <chrono>

namespace dockerup {

struct BackoffPolicy {
  std::chrono::milliseconds first;  ///< base delay after the first failure
  std::chrono::milliseconds cap;    ///< the base delay never grows past this
};

/// After a failed run (engine reachable, something else went wrong): first min(interval, 10 s),
/// doubling up to max(interval, 5 min). Retrying a little sooner than the interval catches a
/// transient failure (registry hiccup) quickly; a failure that persists is retried less often
/// than the interval, so a broken registry or spec is not hammered every minute.
BackoffPolicy failed_run_backoff(int interval_seconds);

/// While the Docker engine is unreachable: first 1 s, doubling up to 30 s. Each try is one cheap
/// API call, and a restarted engine should be reconciled soon after it answers again.
BackoffPolicy unreachable_backoff();

/// The delay before the next try after `failures` consecutive failures (>= 1): base =
/// min(cap, first * 2^(failures-1)), then "equal jitter": base/2 + random01 * base/2, so hosts
/// that failed together (a registry outage) do not retry in lock-step. `random01` in [0, 1).
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int failures,
                                        double random01);

}  // namespace dockerup

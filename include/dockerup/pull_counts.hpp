// How far a running pull is, read from the engine's pull stream: what the progress log lines
// and `dockerup status` show.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace dockerup {

struct PullCounts {
  int layers_total = 0;
  int layers_done = 0;            ///< pulled, or already present locally
  std::int64_t bytes_done = 0;    ///< downloaded so far, over the layers whose size is known
  std::int64_t bytes_total = 0;
  bool operator==(const PullCounts&) const = default;
};

/// Told how far a pull is while it runs (about once a second; never with a secret).
using PullObserver = std::function<void(const PullCounts&)>;

/// "2/5 layers, 1.5 MB of 3.2 MB"
std::string describe_pull_counts(const PullCounts& counts);

}  // namespace dockerup

#include "dockerup/pull_counts.hpp"

#include <fmt/format.h>

namespace dockerup {

std::string describe_pull_counts(const PullCounts& c) {
  auto megabytes = [](std::int64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); };
  return fmt::format("{}/{} layers, {} of {}", c.layers_done, c.layers_total,
                     megabytes(c.bytes_done), megabytes(c.bytes_total));
}

}  // namespace dockerup

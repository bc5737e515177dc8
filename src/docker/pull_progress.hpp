// Progress of a long pull, read from the same stream PullStreamChecker reads: a line about every
// 10 s (layers done/total, bytes), so a boot-time pull of a large image does not look like a hang.
#pragma once

#include "dockerup/pull_counts.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace dockerup {

class PullProgress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Report = std::function<void(const std::string& line)>;

  /// The clock is injected so tests need no waiting; `report` gets one line per interval.
  PullProgress(std::string reference, Clock clock, Report report,
               std::chrono::seconds interval = std::chrono::seconds(10));

  /// Also tells `observer` the counts when they change (`dockerup status` shows them): at once
  /// when a layer is seen or done, at most once per `every` when only bytes moved.
  void observe(PullObserver observer, std::chrono::seconds every = std::chrono::seconds(1));

  /// Chunks of the stream; they may end in the middle of a line.
  void feed(std::string_view chunk);
  PullCounts counts() const;
  /// "pulling busybox:1: 2/5 layers, 1.5 MB of 3.2 MB"
  std::string describe() const;

 private:
  struct Layer {
    std::int64_t current = 0;
    std::int64_t total = 0;
    bool done = false;
  };
  void line(std::string_view text);
  void tell_observer(std::chrono::steady_clock::time_point now);

  std::string reference_;
  Clock clock_;
  Report report_;
  std::chrono::seconds interval_;
  std::chrono::steady_clock::time_point last_;
  PullObserver observer_;
  std::chrono::seconds observe_every_{1};
  std::chrono::steady_clock::time_point last_observed_;
  PullCounts observed_;  ///< what the observer was told last
  std::string partial_;
  std::map<std::string, Layer> layers_;
};

}  // namespace dockerup

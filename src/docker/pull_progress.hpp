// Progress of a long pull, read from the same stream PullStreamChecker reads: a line about every
// 10 s (layers done/total, bytes), so a boot-time pull of a large image does not look like a hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace dockerup {

struct PullCounts {
  int layers_total = 0;
  int layers_done = 0;            ///< pulled, or already present locally
  std::int64_t bytes_done = 0;    ///< downloaded so far, over the layers whose size is known
  std::int64_t bytes_total = 0;
};

class PullProgress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Report = std::function<void(const std::string& line)>;

  /// The clock is injected so tests need no waiting; `report` gets one line per interval.
  PullProgress(std::string reference, Clock clock, Report report,
               std::chrono::seconds interval = std::chrono::seconds(10));

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

  std::string reference_;
  Clock clock_;
  Report report_;
  std::chrono::seconds interval_;
  std::chrono::steady_clock::time_point last_;
  std::string partial_;
  std::map<std::string, Layer> layers_;
};

}  // namespace dockerup

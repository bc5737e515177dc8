// SIGTERM/SIGINT/SIGHUP through a signalfd: signals are blocked and read as data, so a signal
// never interrupts an action half-way; the server loop and the executor ask between steps.
#pragma once

#include <vector>

namespace dockerup {

class Signals {
 public:
  /// Blocks the signals in this thread (call before starting any thread) and opens the signalfd.
  Signals();
  ~Signals();
  Signals(const Signals&) = delete;
  Signals& operator=(const Signals&) = delete;

  /// Non-blocking: reads pending signals and says whether SIGTERM/SIGINT arrived (sticky).
  bool stop_requested();
  /// Whether SIGHUP arrived since the last call (clears it).
  bool take_reload();

  enum class Wake { Timeout, Stop, Reload, Fd };
  /// Sleeps up to timeout_ms, waking early for a signal or when one of `fds` becomes readable.
  Wake wait(int timeout_ms, const std::vector<int>& fds = {});

 private:
  void drain();
  int fd_ = -1;
  bool stop_ = false;
  bool reload_ = false;
};

}  // namespace dockerup

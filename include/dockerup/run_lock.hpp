// The cache dir's run.lock: one dockerup reconciles a host at a time. flock() is released by the
// kernel when the holder dies, so a crash never leaves a stale lock behind (the original's did).
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace dockerup {

class RunLock {
 public:
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

  /// Creates cache_dir if needed (0700) and takes cache_dir/run.lock (0600, so nobody else can
  /// open it, let alone hold it). When another process holds it: without `wait`, returns nullptr
  /// and sets `why` to "another dockerup (pid N) holds ..."; with `wait`, blocks until the holder
  /// releases it. Throws Failure when the file cannot be opened, Untrusted when it or the cache
  /// dir is not trusted (TrustedDir).
  static std::unique_ptr<RunLock> acquire(const std::string& cache_dir, bool wait,
                                          std::string& why);

  /// The pid written by the current holder, if the lock is held, the file names one, and that
  /// process is a dockerup (/proc/PID/exe) holding this very lock (/proc/locks): a stale pid may
  /// belong to any process by now.
  static std::optional<int> holder_pid(const std::string& cache_dir);

  /// Whether process `pid` is a dockerup holding this cache dir's lock right now, judged from
  /// /proc alone: unlike holder_pid it never takes the lock itself, even for a moment, so a
  /// reader (`dockerup status`) can never make a starting run think another one holds it.
  /// False when the lock file does not exist or cannot be opened.
  static bool held_by(const std::string& cache_dir, int pid);

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace dockerup

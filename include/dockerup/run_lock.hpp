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

  /// Creates cache_dir if needed and takes cache_dir/run.lock. When another process holds it:
  /// without `wait`, returns nullptr and sets `why` to "... held by pid N (since ...)"; with
  /// `wait`, blocks until the holder releases it. Throws Failure when the file cannot be opened.
  static std::unique_ptr<RunLock> acquire(const std::string& cache_dir, bool wait,
                                          std::string& why);

  /// The pid written by the current holder, if the lock is held and the file names one.
  static std::optional<int> holder_pid(const std::string& cache_dir);

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace dockerup

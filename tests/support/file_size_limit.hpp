// A full disk for unit tests, that works as root too: while a FileSizeLimit lives, this process
// cannot write a single byte to any regular file (write() fails with EFBIG, as it fails with
// ENOSPC on a full file system or EROFS on a read-only one; SIGXFSZ is ignored meanwhile).
// Creating, renaming and removing files still work. Keep the scope narrow: doctest's own output
// to a file would fail too, so check results after the scope ends.
#pragma once

#include <csignal>
#include <stdexcept>

#include <sys/resource.h>

namespace dockerup::testing {

class FileSizeLimit {
 public:
  FileSizeLimit() {
    if (::getrlimit(RLIMIT_FSIZE, &saved_) != 0) throw std::runtime_error("getrlimit failed");
    saved_signal_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit none = saved_;
    none.rlim_cur = 0;
    if (::setrlimit(RLIMIT_FSIZE, &none) != 0) throw std::runtime_error("setrlimit failed");
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, saved_signal_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*saved_signal_)(int) = SIG_DFL;
};

}  // namespace dockerup::testing

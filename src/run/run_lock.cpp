#include "dockerup/run_lock.hpp"

#include "dockerup/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace dockerup {
namespace {

std::string read_holder(int fd) {
  char buffer[64] = {};
  ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "an unknown process" : "pid " + pid;
}

void write_pid(int fd) {
  std::string pid = fmt::format("{}\n", getpid());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The lock itself is what matters; the pid is only there for the message of a second process.
  }
}

}  // namespace

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

std::unique_ptr<RunLock> RunLock::acquire(const std::string& cache_dir, bool wait,
                                          std::string& why) {
  std::error_code ec;
  std::filesystem::create_directories(cache_dir, ec);
  if (ec) fail("cannot create cache dir {}: {}", cache_dir, ec.message());
  std::string path = cache_dir + "/run.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot open {}: {}", path, std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      int error = errno;
      close(fd);
      fail("cannot lock {}: {}", path, std::strerror(error));
    }
    std::string holder = read_holder(fd);
    if (!wait) {
      close(fd);
      why = fmt::format("another dockerup ({}) holds {}; not running", holder, path);
      return nullptr;
    }
    while (flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int error = errno;
        close(fd);
        fail("cannot lock {}: {}", path, std::strerror(error));
      }
    }
  }
  write_pid(fd);
  return std::unique_ptr<RunLock>(new RunLock(fd));
}

std::optional<int> RunLock::holder_pid(const std::string& cache_dir) {
  std::string path = cache_dir + "/run.lock";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<int> pid;
  if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {  // held by someone
    std::string holder = read_holder(fd);
    if (holder.starts_with("pid ")) pid = std::atoi(holder.c_str() + 4);
  }
  close(fd);
  return pid;
}

}  // namespace dockerup

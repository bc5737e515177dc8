#include "dockerup/run_lock.hpp"

#include "dockerup/error.hpp"
#include "dockerup/trusted_path.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dockerup {
namespace {

constexpr const char* kLockFile = "run.lock";

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

/// Opens <cache_dir>/run.lock through checked folders (the cache dir is made 0700), never
/// through a symlink, and makes it 0600: flock() needs only a read fd, so anyone who could open
/// the file could hold the lock and freeze dockerup.
UniqueFd open_lock_file(const std::string& cache_dir, bool create) {
  auto dir = TrustedDir::open(cache_dir, create);
  if (!dir) return UniqueFd();
  std::string path = dir->path() + "/" + kLockFile;
  UniqueFd fd(openat(dir->fd(), kLockFile,
                     O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (create ? O_CREAT : 0), 0600));
  if (!fd && errno == ENOENT && !create) return fd;
  if (!fd && errno == EROFS) {
    // A read-only cache must not stop dockerup from reconciling: flock() needs no write access,
    // so lock the existing file read-only, or the folder itself when there is no file. Every
    // process on this cache falls back the same way, so they still exclude each other.
    fd = UniqueFd(openat(dir->fd(), kLockFile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd && errno == ENOENT) return UniqueFd(fcntl(dir->fd(), F_DUPFD_CLOEXEC, 0));
  }
  if (!fd) fail("cannot open {}: {}", path, std::strerror(errno));
  struct stat info {};
  if (fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode))
    fail("{}: not a regular file", path);
  if (std::string why = untrusted_reason(fd.get(), false); !why.empty())
    throw Untrusted(fmt::format("{}: {}", path, why));
  // One made by an earlier version (0644): nobody else may open it from now on.
  if ((info.st_mode & 077) != 0 && fchmod(fd.get(), 0600) != 0 && errno != EROFS)
    fail("cannot make {} private: {}", path, std::strerror(errno));
  return fd;
}

/// Whether /proc/locks shows `pid` holding an exclusive flock on the file behind `fd`.
bool holds_flock(int pid, int fd) {
  struct stat info {};
  if (fstat(fd, &info) != 0) return false;
  // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF": MAJOR:MINOR:INODE. Only the inode is
  // compared: on overlay and some other file systems the device differs from what fstat says.
  std::string inode = fmt::format(":{}", static_cast<unsigned long>(info.st_ino));
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream fields(line);
    std::string number, type, advisory, access, holder, id;
    fields >> number >> type;
    if (type == "->") fields >> type;  // a waiter, not a holder
    else if (fields >> advisory >> access >> holder >> id && type == "FLOCK" &&
             access == "WRITE" && holder == std::to_string(pid) && id.ends_with(inode))
      return true;
  }
  return false;
}

/// Whether `pid` runs the same program as this process, or one named dockerup.
bool is_dockerup(int pid) {
  auto exe = [](const std::string& link) {
    char target[4096];
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    return n > 0 ? std::string(target, static_cast<std::size_t>(n)) : std::string();
  };
  std::string theirs = exe(fmt::format("/proc/{}/exe", pid));
  if (theirs.empty()) return false;
  if (theirs.ends_with(" (deleted)")) theirs.resize(theirs.size() - 10);  // replaced by an upgrade
  std::string name = theirs.substr(theirs.rfind('/') + 1);
  return name == "dockerup" || theirs == exe("/proc/self/exe");
}

}  // namespace

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

std::unique_ptr<RunLock> RunLock::acquire(const std::string& cache_dir, bool wait,
                                          std::string& why) {
  UniqueFd fd = open_lock_file(cache_dir, true);
  std::string path = cache_dir + "/" + kLockFile;
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) fail("cannot lock {}: {}", path, std::strerror(errno));
    std::string holder = read_holder(fd.get());
    if (!wait) {
      why = fmt::format("another dockerup ({}) holds {}; not running", holder, path);
      return nullptr;
    }
    while (flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) fail("cannot lock {}: {}", path, std::strerror(errno));
    }
  }
  write_pid(fd.get());
  return std::unique_ptr<RunLock>(new RunLock(fd.release()));
}

std::optional<int> RunLock::holder_pid(const std::string& cache_dir) {
  UniqueFd fd = open_lock_file(cache_dir, false);
  if (!fd) return std::nullopt;
  if (flock(fd.get(), LOCK_SH | LOCK_NB) == 0 || errno != EWOULDBLOCK) return std::nullopt;
  std::string holder = read_holder(fd.get());
  if (!holder.starts_with("pid ")) return std::nullopt;
  char* end = nullptr;
  long pid = std::strtol(holder.c_str() + 4, &end, 10);
  if (*end != '\0' || pid <= 0 || pid > INT32_MAX) return std::nullopt;
  // The file may name a process that is gone, its number now another's: signal only a dockerup
  // that holds this very lock.
  if (!holds_flock(static_cast<int>(pid), fd.get()) || !is_dockerup(static_cast<int>(pid)))
    return std::nullopt;
  return static_cast<int>(pid);
}

bool RunLock::held_by(const std::string& cache_dir, int pid) {
  try {
    UniqueFd fd = open_lock_file(cache_dir, false);
    return fd && pid > 0 && holds_flock(pid, fd.get()) && is_dockerup(pid);
  } catch (const std::exception&) {  // not ours to read: nobody we can vouch for holds it
    return false;
  }
}

}  // namespace dockerup

#include "dockerup/trusted_path.hpp"

#include "dockerup/utc_time.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>

namespace dockerup {
namespace {

constexpr int kMaxSymlinks = 40;                     // as the kernel's own limit
constexpr off_t kMaxFileBytes = 64L * 1024 * 1024;   // no cache or source file is near this
constexpr int kTempAttempts = 16;

std::deque<std::string> split(const std::string& path) {
  std::deque<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

std::string join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

std::string absolute(const std::string& path) {
  if (path.starts_with('/')) return path;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd) == nullptr) fail("{}: cannot resolve: {}", path, std::strerror(errno));
  return join(cwd, path);
}

std::optional<std::string> read_link(int dir_fd, const std::string& name) {
  char target[PATH_MAX];
  ssize_t n = ::readlinkat(dir_fd, name.c_str(), target, sizeof target);
  if (n < 0 || n == static_cast<ssize_t>(sizeof target)) return std::nullopt;
  return std::string(target, static_cast<std::size_t>(n));
}

/// The result of walking a directory path one checked component at a time.
struct Walk {
  UniqueFd fd;             // the directory reached (when complete)
  std::string path;        // its path with symlinks resolved
  bool missing = false;    // a component does not exist (and was not to be created)
  std::string untrusted;   // the first "PATH: why"
};

/// Opens the directory `path` from "/", each step relative to the one before with O_NOFOLLOW.
/// Symlinks are resolved by hand, so that the directory holding each one is checked too.
/// `stop_untrusted`: return at the first untrusted directory (else only record it).
Walk walk(const std::string& path, bool create, bool stop_untrusted) {
  std::deque<std::string> rest = split(absolute(path));
  std::vector<std::pair<UniqueFd, std::string>> stack;  // opened directories, "/" first
  stack.emplace_back(UniqueFd(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)), "/");
  if (!stack.back().first) fail("/: cannot open: {}", std::strerror(errno));
  Walk result;
  auto check = [&](int fd, const std::string& shown, bool is_parent) {
    std::string why = untrusted_reason(fd, is_parent);
    if (!why.empty() && result.untrusted.empty()) result.untrusted = shown + ": " + why;
    return why.empty() || !stop_untrusted;
  };
  if (!check(stack.back().first.get(), "/", !rest.empty())) return result;
  int links = 0;
  while (!rest.empty()) {
    std::string name = rest.front();
    rest.pop_front();
    if (name == "..") {
      if (stack.size() > 1) stack.pop_back();
      continue;
    }
    int dir = stack.back().first.get();
    std::string shown = join(stack.back().second, name);
    int fd = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
      int error = errno;
      if (auto target = read_link(dir, name)) {
        if (++links > kMaxSymlinks) fail("{}: too many symbolic links", path);
        auto parts = split(*target);
        rest.insert(rest.begin(), parts.begin(), parts.end());
        if (target->starts_with('/')) stack.resize(1);
        continue;
      }
      errno = error;
    }
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(dir, name.c_str(), 0700) != 0 && errno != EEXIST)
        fail("{}: cannot create: {}", shown, std::strerror(errno));
      fd = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0 && errno == ENOENT) {
      result.missing = true;
      return result;
    }
    if (fd < 0) fail("{}: cannot open: {}", shown, std::strerror(errno));
    UniqueFd opened(fd);
    if (!check(fd, shown, !rest.empty())) return result;
    stack.emplace_back(std::move(opened), shown);
  }
  result.fd = std::move(stack.back().first);
  result.path = stack.back().second;
  return result;
}

std::string read_fd(int fd, const std::string& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) fail("{}: cannot stat: {}", path, std::strerror(errno));
  if (info.st_size > kMaxFileBytes) fail("{}: larger than {} bytes", path, kMaxFileBytes);
  std::string text;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("{}: cannot read: {}", path, std::strerror(errno));
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
    if (static_cast<off_t>(text.size()) > kMaxFileBytes)
      fail("{}: larger than {} bytes", path, kMaxFileBytes);
  }
}

void write_all(int fd, const std::string& content, const std::string& path) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t written = ::write(fd, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) fail("writing {}: {}", path, std::strerror(errno));
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

/// A name nobody can predict, so a planted file or symlink cannot be where the temp file goes.
std::string temp_name(const std::string& name) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format(".{}.tmp-{:016x}", name, random());
}

std::string utc_stamp() {
  return strftime_utc(std::chrono::system_clock::now(), "%Y%m%dT%H%M%SZ");
}

}  // namespace

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

std::string untrusted_reason(int fd, bool is_parent) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return fmt::format("cannot stat: {}", std::strerror(errno));
  if (info.st_uid != 0 && info.st_uid != ::geteuid())
    return fmt::format("owned by uid {}, not by root{}", info.st_uid,
                       ::geteuid() == 0 ? "" : fmt::format(" or uid {}", ::geteuid()));
  bool writable = (info.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  bool sticky_root_parent = is_parent && S_ISDIR(info.st_mode) && (info.st_mode & S_ISVTX) != 0 &&
                            info.st_uid == 0;
  if (writable && !sticky_root_parent)
    return fmt::format("writable by group or others (mode {:04o})", info.st_mode & 07777);
  return "";
}

std::optional<TrustedDir> TrustedDir::open(const std::string& path, bool create) {
  Walk w = walk(path, create, true);
  if (!w.untrusted.empty()) throw Untrusted(w.untrusted);
  if (w.missing) return std::nullopt;
  return TrustedDir(std::move(w.fd), w.path);
}

std::optional<TrustedDir> TrustedDir::subdir(const std::string& name, bool create) const {
  std::string shown = child(name);
  int fd = ::openat(fd_.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create) {
    if (::mkdirat(fd_.get(), name.c_str(), 0700) != 0 && errno != EEXIST)
      fail("{}: cannot create: {}", shown, std::strerror(errno));
    fd = ::openat(fd_.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0 && errno == ENOENT) return std::nullopt;
  if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
    throw Untrusted(fmt::format("{}: not a directory (or a symbolic link)", shown));
  if (fd < 0) fail("{}: cannot open: {}", shown, std::strerror(errno));
  UniqueFd opened(fd);
  if (std::string why = untrusted_reason(fd, false); !why.empty())
    throw Untrusted(shown + ": " + why);
  return TrustedDir(std::move(opened), shown);
}

std::optional<std::string> TrustedDir::read(const std::string& name) const {
  auto read = read_stamped(name, std::nullopt);
  if (!read) return std::nullopt;
  return std::move(read->text);
}

std::optional<StampedText> TrustedDir::read_stamped(
    const std::string& name, const std::optional<FileStamp>& unless_stamp) const {
  std::string shown = child(name);
  // O_NONBLOCK: a FIFO put here must not hang the daemon before fstat says what it is.
  UniqueFd fd(::openat(fd_.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd && errno == ENOENT) return std::nullopt;
  if (!fd && errno == ELOOP) throw Untrusted(shown + ": a symbolic link");
  if (!fd) fail("{}: cannot open: {}", shown, std::strerror(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) fail("{}: cannot stat: {}", shown, std::strerror(errno));
  if (!S_ISREG(info.st_mode)) throw Untrusted(shown + ": not a regular file");
  if (std::string why = untrusted_reason(fd.get(), false); !why.empty())
    throw Untrusted(shown + ": " + why);
  StampedText result{.stamp = file_stamp(info)};
  if (!unless_stamp || *unless_stamp != result.stamp) result.text = read_fd(fd.get(), shown);
  return result;
}

void TrustedDir::write(const std::string& name, const std::string& content) const {
  std::string temp;
  UniqueFd fd;
  for (int attempt = 0; attempt < kTempAttempts && !fd; ++attempt) {
    temp = temp_name(name);
    // O_EXCL also refuses a symlink in the temp file's place instead of following it.
    fd = UniqueFd(::openat(fd_.get(), temp.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd && errno != EEXIST) break;
  }
  if (!fd) fail("creating a temporary file in {}: {}", path_, std::strerror(errno));
  try {
    write_all(fd.get(), content, child(temp));
    if (::fsync(fd.get()) != 0) fail("syncing {}: {}", child(temp), std::strerror(errno));
    if (::close(fd.release()) != 0) fail("closing {}: {}", child(temp), std::strerror(errno));
    if (::renameat(fd_.get(), temp.c_str(), fd_.get(), name.c_str()) != 0)
      fail("renaming {} to {}: {}", child(temp), child(name), std::strerror(errno));
  } catch (...) {
    ::unlinkat(fd_.get(), temp.c_str(), 0);
    throw;
  }
  // Best effort: the rename is already atomic; this only makes it durable across a crash.
  ::fsync(fd_.get());
}

void TrustedDir::remove(const std::string& name) const {
  if (::unlinkat(fd_.get(), name.c_str(), 0) != 0 && errno != ENOENT)
    fail("removing {}: {}", child(name), std::strerror(errno));
}

std::string TrustedDir::move_aside(const std::string& name) const {
  std::string base = name + ".corrupt-" + utc_stamp();
  for (int n = 0; n < kTempAttempts; ++n) {
    std::string aside = n == 0 ? base : fmt::format("{}-{}", base, n);
    if (::renameat2(fd_.get(), name.c_str(), fd_.get(), aside.c_str(), RENAME_NOREPLACE) == 0)
      return child(aside);
    if (errno == EEXIST) continue;
    if (errno == EINVAL && ::renameat(fd_.get(), name.c_str(), fd_.get(), aside.c_str()) == 0)
      return child(aside);  // a file system without RENAME_NOREPLACE
    fail("moving {} aside: {}", child(name), std::strerror(errno));
  }
  fail("moving {} aside: too many earlier copies", child(name));
}

std::vector<std::string> TrustedDir::file_names() const {
  std::vector<std::string> names;
  int copy = ::openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = copy >= 0 ? ::fdopendir(copy) : nullptr;
  if (dir == nullptr) {
    if (copy >= 0) ::close(copy);
    fail("{}: cannot list: {}", path_, std::strerror(errno));
  }
  while (const dirent* entry = ::readdir(dir)) {
    struct stat info {};
    if (::fstatat(fd_.get(), entry->d_name, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(info.st_mode))
      names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

/// Fills `result` from the opened file `fd`: its stamp, and its text unless the stamp is
/// `unless_stamp`.
void read_opened(int fd, const std::string& path, const std::optional<FileStamp>& unless_stamp,
                 CheckedRead& result) {
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    result.read_error = "not a regular file";
    return;
  }
  result.stamp = file_stamp(info);
  if (unless_stamp && *unless_stamp == result.stamp) {
    result.unchanged = true;
    return;
  }
  try {
    result.text = read_fd(fd, path);
  } catch (const Failure& e) {
    result.read_error = e.what();
  }
}

void read_checked_into(const std::string& path, int links,
                       const std::optional<FileStamp>& unless_stamp, CheckedRead& result) {
  std::size_t slash = path.rfind('/');
  std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  Walk w = walk(folder, false, false);
  if (result.untrusted.empty()) result.untrusted = w.untrusted;
  if (w.missing) return;
  UniqueFd fd(::openat(w.fd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd && errno == ELOOP) {
    auto target = read_link(w.fd.get(), name);
    if (!target || links >= kMaxSymlinks) {
      result.found = true;
      result.read_error = "too many symbolic links";
      return;
    }
    read_checked_into(target->starts_with('/') ? *target : join(w.path, *target), links + 1,
                      unless_stamp, result);
    return;
  }
  if (!fd && errno == ENOENT) return;
  result.found = true;
  if (!fd) {
    result.read_error = std::strerror(errno);
    return;
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) == 0 && S_ISREG(info.st_mode)) {
    std::string why = untrusted_reason(fd.get(), false);
    if (!why.empty() && result.untrusted.empty()) result.untrusted = join(w.path, name) + ": " + why;
  }
  read_opened(fd.get(), path, unless_stamp, result);
}

}  // namespace

FileStamp file_stamp(const struct stat& info) {
  constexpr std::int64_t kNs = 1'000'000'000;
  return {.device = static_cast<std::uint64_t>(info.st_dev),
          .inode = static_cast<std::uint64_t>(info.st_ino),
          .size = static_cast<std::int64_t>(info.st_size),
          .mtime_ns = info.st_mtim.tv_sec * kNs + info.st_mtim.tv_nsec,
          .ctime_ns = info.st_ctim.tv_sec * kNs + info.st_ctim.tv_nsec};
}

bool stamp_settled(const FileStamp& stamp, std::chrono::system_clock::time_point now) {
  // Covers a jiffy-granular ext4/xfs clock with room to spare, and FAT's 2 s.
  constexpr std::chrono::seconds kRacyWindow{3};
  auto changed = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(std::max(stamp.mtime_ns, stamp.ctime_ns))));
  return now - changed >= kRacyWindow;
}

CheckedRead read_plain_file(const std::string& path, const std::optional<FileStamp>& unless_stamp) {
  CheckedRead result;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd && errno == ENOENT) return result;
  result.found = true;
  if (!fd) {
    result.read_error = std::strerror(errno);
    return result;
  }
  read_opened(fd.get(), path, unless_stamp, result);
  return result;
}

CheckedRead read_checked_file(const std::string& path, const std::optional<FileStamp>& unless_stamp) {
  CheckedRead result;
  try {
    read_checked_into(path, 0, unless_stamp, result);
  } catch (const Failure& e) {
    result.found = true;
    result.read_error = e.what();
  }
  return result;
}

std::string check_trusted_dir(const std::string& path) {
  try {
    return walk(path, false, true).untrusted;
  } catch (const Failure& e) {
    return e.what();
  }
}

}  // namespace dockerup

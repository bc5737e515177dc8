#include "dockerup/atomic_file.hpp"

#include "dockerup/error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace dockerup {

namespace fs = std::filesystem;

namespace {

/// Closes a file descriptor on every path out of write_file_atomically.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

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

void fsync_folder(const fs::path& folder) {
  Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // Best effort: the rename is already atomic; this only makes it durable across a crash.
  if (fd.get() >= 0) ::fsync(fd.get());
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  fs::path target(path);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) fail("creating {}: {}", target.parent_path().string(), ec.message());

  std::string temp = path + ".tmp." + std::to_string(::getpid());
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) fail("creating {}: {}", temp, std::strerror(errno));
  try {
    write_all(fd.get(), content, temp);
    if (::fsync(fd.get()) != 0) fail("syncing {}: {}", temp, std::strerror(errno));
    if (::close(fd.release()) != 0) fail("closing {}: {}", temp, std::strerror(errno));
    if (::rename(temp.c_str(), path.c_str()) != 0)
      fail("renaming {} to {}: {}", temp, path, std::strerror(errno));
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  fsync_folder(target.parent_path());
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

}  // namespace dockerup

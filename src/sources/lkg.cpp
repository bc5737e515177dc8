#include "dockerup/lkg.hpp"

#include "dockerup/error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

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

LastKnownGood::LastKnownGood(std::string cache_dir, bool read_only)
    : root_(std::move(cache_dir) + "/last-known-good"), read_only_(read_only) {}

std::optional<std::string> LastKnownGood::user_data() const {
  return read_whole_file(root_ + "/user-data");
}

void LastKnownGood::save_user_data(const std::string& body) { save(root_ + "/user-data", body); }

void LastKnownGood::drop_user_data() { drop(root_ + "/user-data"); }

std::optional<std::string> LastKnownGood::confdir_file(const std::string& file_name) const {
  return read_whole_file(root_ + "/containers.d/" + file_name);
}

void LastKnownGood::save_confdir_file(const std::string& file_name, const std::string& text) {
  save(root_ + "/containers.d/" + file_name, text);
}

void LastKnownGood::drop_confdir_files_except(const std::vector<std::string>& present_file_names) {
  std::error_code ec;
  fs::directory_iterator it(root_ + "/containers.d", ec);
  if (ec) return;  // no copies yet
  std::vector<std::string> stale;  // collected first: removing while iterating is unspecified
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    bool present = std::find(present_file_names.begin(), present_file_names.end(), name) !=
                   present_file_names.end();
    if (!present) stale.push_back(entry.path().string());
  }
  for (const auto& path : stale) drop(path);
}

void LastKnownGood::save(const std::string& path, const std::string& content) {
  if (read_only_) return;
  // Most runs find the source unchanged: skip the write (and the fsync) then.
  if (read_whole_file(path) == content) return;
  write_file_atomically(path, content);
}

void LastKnownGood::drop(const std::string& path) {
  if (read_only_) return;
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) fail("removing {}: {}", path, ec.message());
}

}  // namespace dockerup

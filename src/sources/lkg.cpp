#include "dockerup/lkg.hpp"

#include "dockerup/error.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace dockerup {

namespace fs = std::filesystem;

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

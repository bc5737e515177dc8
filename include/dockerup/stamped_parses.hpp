// Parses of files kept with the stamp of the opened file each came from, so a caller that opens
// the file again (through its trust checks) skips reading and parsing it while the stamp is the
// same. Used for containers.d files (SpecFileCache) and history files (History): an idle
// --server run re-parsing every unchanged file was most of its CPU.
#pragma once

#include "dockerup/trusted_path.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace dockerup {

/// Locked: the threads of one run may share it.
template <typename Parse>
class StampedParses {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  /// `now` is compared with file ctimes (tests pass a fixed clock).
  explicit StampedParses(Clock now = [] { return std::chrono::system_clock::now(); })
      : now_(std::move(now)) {}

  /// The stamp a file must still have for its parse to be used, if it has one.
  std::optional<FileStamp> stamp_of(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(key);
    if (found == entries_.end()) return std::nullopt;
    return found->second.first;
  }
  /// The parse of `key` (call only after stamp_of matched the opened file).
  Parse at(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return entries_.at(key).second;
  }
  /// Records a fresh parse. A file changed within the file system's clock tick is not kept
  /// (stamp_settled): a same-size edit in the same tick would keep its stamp.
  void remember(const std::string& key, const FileStamp& stamp, Parse parse) {
    std::lock_guard lock(mutex_);
    ++parses_;
    if (stamp_settled(stamp, now_()))
      entries_.insert_or_assign(key, std::make_pair(stamp, std::move(parse)));
    else
      entries_.erase(key);
  }
  /// A file that failed, is untrusted or is gone: parsed afresh when it is next seen.
  void forget(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
  }
  /// Keeps only the entries whose key `keep` accepts.
  template <typename Keep>
  void keep_if(const Keep& keep) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [&](const auto& item) { return !keep(item.first); });
  }

  /// How many parses were recorded since construction (for tests and the debug log).
  std::size_t parses() const {
    std::lock_guard lock(mutex_);
    return parses_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  Clock now_;
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<FileStamp, Parse>> entries_;
  std::size_t parses_ = 0;
};

}  // namespace dockerup

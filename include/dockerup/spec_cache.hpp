// containers.d files parsed by an earlier run of this process, so an idle --server run does not
// re-read and re-parse every unchanged file (with 50 files that was most of an idle run's CPU).
// Only parsing is skipped: the loader still lists the folder and opens every file through its
// trust checks each run, and compares the opened file's stamp with the one remembered here.
#pragma once

#include "dockerup/spec.hpp"
#include "dockerup/trusted_path.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dockerup {

class SpecFileCache {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  /// `now` is compared with file ctimes (tests pass a fixed clock).
  explicit SpecFileCache(Clock now = [] { return std::chrono::system_clock::now(); });

  struct Entry {
    FileStamp stamp;
    ContainerSpec spec;
    std::vector<std::string> warnings;  ///< said again every run, as a fresh parse would
  };

  /// The stamp a file must still have for its entry to be used, if it has one.
  std::optional<FileStamp> stamp_of(const std::string& path) const;
  /// The entry of `path` (call only after stamp_of matched the opened file).
  const Entry& at(const std::string& path) const { return entries_.at(path); }

  /// Records a fresh parse. A file changed within the last seconds is not kept (stamp_settled):
  /// it is parsed again next run.
  void remember(const std::string& path, Entry entry);
  /// A file that failed, is untrusted or is gone: parsed afresh when it is next seen.
  void forget(const std::string& path) { entries_.erase(path); }
  /// Keeps only the entries of files in `confdir` named in `present` (sorted).
  void keep_only(const std::string& confdir, const std::vector<std::string>& present);

  /// How many parses were recorded since construction (for tests and the debug log).
  std::size_t parses() const { return parses_; }
  std::size_t size() const { return entries_.size(); }

 private:
  Clock now_;
  std::map<std::string, Entry> entries_;
  std::size_t parses_ = 0;
};

}  // namespace dockerup

// The files dockerup keeps in its cache dir (history, image ledger, last-known-good copies,
// status), read back without trusting them: whatever is not what dockerup itself would have
// written there (a symlink, a file of another owner or writable by others, contents that do not
// parse) is moved aside as NAME.corrupt-TIMESTAMP with one warning and rebuilt; never fatal.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dockerup {

class TrustedDir;

class CacheFiles {
 public:
  explicit CacheFiles(std::string cache_dir) : cache_dir_(std::move(cache_dir)) {}

  /// The contents of `relative` ("history/web.json"); nullopt when it does not exist or was not
  /// trusted (then moved aside). Throws Failure when the cache dir itself is not trusted or the
  /// file cannot be read.
  std::optional<std::string> read(const std::string& relative) const;
  /// Replaces `relative` atomically (mode 0600; missing folders are created 0700).
  void write(const std::string& relative, const std::string& content) const;
  /// Removes `relative` if it exists.
  void remove(const std::string& relative) const;
  /// For contents that do not parse or validate: moves the file aside with one warning saying
  /// `why`. Never throws (a failure to move it is logged too).
  void set_aside(const std::string& relative, const std::string& why) const;
  /// The regular files directly in folder `relative`, sorted; none when it does not exist.
  std::vector<std::string> file_names(const std::string& relative) const;

  const std::string& dir() const { return cache_dir_; }
  std::string path(const std::string& relative) const { return cache_dir_ + "/" + relative; }

 private:
  /// The folder holding `relative` (its name in `name`); nullopt when missing and not `create`.
  std::optional<TrustedDir> folder_of(const std::string& relative, bool create,
                                      std::string& name) const;

  std::string cache_dir_;
};

}  // namespace dockerup

// The files dockerup keeps in its cache dir (history, image ledger, last-known-good copies,
// status), read back without trusting them: whatever is not what dockerup itself would have
// written there (a symlink, a file of another owner or writable by others, contents that do not
// parse) is moved aside as NAME.corrupt-TIMESTAMP and rebuilt; never fatal.
//
// Problems with the cache (a file that cannot be written or read: ENOSPC, EROFS, EACCES; one
// moved aside as corrupt) are errors of the run that met them, in the phase that met them:
// a CacheFiles made for a phase collects them (take_problems) for the run to report, once; one
// made without a phase (commands outside a run) logs them as warnings.
#pragma once

#include "dockerup/error.hpp"
#include "dockerup/trusted_path.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

class TrustedDir;

/// The phases of a run that keep files in the cache dir (the `phase` label of the metrics).
namespace cache_phase {
inline constexpr const char* sources = "sources";  ///< last-known-good copies, fleet state
inline constexpr const char* history = "history";  ///< rollback history
inline constexpr const char* gc = "gc";            ///< the image ledger
inline constexpr const char* status = "status";    ///< status.json
inline constexpr const char* all[] = {sources, history, gc, status};
}  // namespace cache_phase

/// The run error for a cache problem of `phase`: "cache (PHASE): MESSAGE".
Error cache_error(std::string_view phase, std::string message);
/// The phase of an error made by cache_error; nullopt for every other error.
std::optional<std::string> cache_error_phase(const Error& error);

/// Cache problems met so far, shared by the copies of one CacheFiles; thread-safe.
class CacheProblems {
 public:
  void add(Error error);
  Errors take();

 private:
  std::mutex mutex_;
  Errors errors_;
};

class CacheFiles {
 public:
  /// Problems are logged as warnings.
  explicit CacheFiles(std::string cache_dir) : cache_dir_(std::move(cache_dir)) {}
  /// Problems are collected as errors of `phase` (see take_problems), not logged.
  CacheFiles(std::string cache_dir, std::string phase)
      : cache_dir_(std::move(cache_dir)), phase_(std::move(phase)),
        problems_(std::make_shared<CacheProblems>()) {}

  /// The contents of `relative` ("history/web.json"); nullopt when it does not exist or was not
  /// trusted (then moved aside and reported). Throws Failure when the cache dir itself is not
  /// trusted or the file cannot be read.
  std::optional<std::string> read(const std::string& relative) const;
  /// The same, without reading a file whose opened stamp is `unless_stamp` (text nullopt).
  std::optional<StampedText> read_stamped(const std::string& relative,
                                          const std::optional<FileStamp>& unless_stamp) const;
  /// Replaces `relative` atomically (mode 0600; missing folders are created 0700). Throws
  /// Failure naming the path and the reason.
  void write(const std::string& relative, const std::string& content) const;
  /// write() that reports a failure ("cannot write PATH: why") instead of throwing; false then.
  bool try_write(const std::string& relative, const std::string& content) const;
  /// Removes `relative` if it exists.
  void remove(const std::string& relative) const;
  /// For contents that do not parse or validate: moves the file aside, reporting `why`. Never
  /// throws (a failure to move it is reported too).
  void set_aside(const std::string& relative, const std::string& why) const;
  /// The regular files directly in folder `relative`, sorted; none when it does not exist.
  std::vector<std::string> file_names(const std::string& relative) const;

  /// A problem of this cache: collected as an error of the phase, or logged as a warning.
  void report(std::string message) const;
  /// The problems collected since the last call (none when they are logged).
  Errors take_problems() const { return problems_ ? problems_->take() : Errors{}; }

  const std::string& dir() const { return cache_dir_; }
  std::string path(const std::string& relative) const { return cache_dir_ + "/" + relative; }

 private:
  /// The folder holding `relative` (its name in `name`); nullopt when missing and not `create`.
  std::optional<TrustedDir> folder_of(const std::string& relative, bool create,
                                      std::string& name) const;

  std::string cache_dir_;
  std::string phase_;
  std::shared_ptr<CacheProblems> problems_;  ///< null: problems are logged
};

}  // namespace dockerup

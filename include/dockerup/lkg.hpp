// Last-known-good copies of the desired-state sources, kept in the cache dir so a source that
// hiccups (metadata service down, a file half-edited) never makes its containers disappear.
#pragma once

#include "dockerup/cache_files.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dockerup {

/// The store: `<cache_dir>/last-known-good/user-data` and
/// `<cache_dir>/last-known-good/containers.d/<file name>`. A copy that is not trusted (CacheFiles)
/// counts as none; so does a copy that cannot be read. Nothing here throws: every problem (a
/// copy that cannot be written, read or removed, one moved aside as corrupt) is collected as an
/// error of the run's "sources" phase, for the loader to report (take_problems).
class LastKnownGood {
 public:
  /// `read_only` (dry runs): nothing is written, removed or moved aside.
  explicit LastKnownGood(std::string cache_dir, bool read_only = false);

  std::optional<std::string> user_data() const;
  /// False when the copy cannot be written (reported; read-only stores do nothing).
  bool save_user_data(const std::string& body);
  void drop_user_data();
  /// A copy that no longer parses: moved aside (reported; read-only stores do nothing).
  void set_aside_user_data(const std::string& why);

  std::optional<std::string> confdir_file(const std::string& file_name) const;
  bool save_confdir_file(const std::string& file_name, const std::string& text);
  /// A copy that no longer parses: moved aside (reported; read-only stores do nothing).
  void set_aside_confdir_file(const std::string& file_name, const std::string& why);
  /// The file names of every containers.d copy (standing in for an untrusted confdir).
  std::vector<std::string> confdir_file_names() const;
  /// Drops the copies of every containers.d file not in `present_file_names`.
  void drop_confdir_files_except(const std::vector<std::string>& present_file_names);

  /// Any other source's copies, by a path relative to the store ("fleet/<id>/applied.body").
  std::optional<std::string> named_copy(const std::string& relative) const;
  bool save_named_copy(const std::string& relative, const std::string& content);
  void drop_named_copy(const std::string& relative);
  void set_aside_named_copy(const std::string& relative, const std::string& why);

  /// The problems met since the last call, as errors of the "sources" phase (cache_error).
  Errors take_problems() const { return files_.take_problems(); }

  const std::string& root() const { return root_; }

 private:
  std::optional<std::string> read(const std::string& relative) const;
  bool save(const std::string& relative, const std::string& content);
  void drop(const std::string& relative);
  void set_aside(const std::string& relative, const std::string& why);

  CacheFiles files_;
  std::string root_;
  bool read_only_;
};

}  // namespace dockerup

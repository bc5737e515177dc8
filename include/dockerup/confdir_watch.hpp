// Instant reaction in --server mode: an inotify watch of the containers folder that tells the
// server loop "something changed, reconcile now", once per burst of changes.
#pragma once

#include <chrono>
#include <string>

namespace dockerup {

struct WatchTiming {
  /// A burst ends when this long passes without a new event (an editor, `cp -r` or a
  /// configuration-management run writes several files; they make one run, not ten).
  std::chrono::milliseconds quiet{300};
  /// A change that never stops (a log written into the folder) still gets a run this soon.
  std::chrono::milliseconds longest_burst{1000};
};

/// Watches the confdir for files created, written, moved in or out, deleted or chmod'ed, and
/// its parent folder for the confdir itself appearing, disappearing or being replaced (a
/// renamed folder, a swapped symlink). A confdir that does not exist yet is picked up when it
/// appears. Not thread-safe; one per server loop.
class ConfdirWatch {
 public:
  /// Opens nothing: a one-shot run needs no watch. Call start() for the server loop.
  explicit ConfdirWatch(WatchTiming timing = {});
  ~ConfdirWatch();
  ConfdirWatch(const ConfdirWatch&) = delete;
  ConfdirWatch& operator=(const ConfdirWatch&) = delete;

  /// Opens the inotify instance and watches `confdir`. Returns false (and says why in `error`)
  /// when inotify is unavailable; the server then only runs every interval.
  bool start(const std::string& confdir, std::string& error);

  /// Follows the confdir the latest run used (user-data or a SIGHUP reload may move it) and
  /// re-arms the watches when the folder was replaced. Cheap; does nothing before start().
  void follow(const std::string& confdir);

  /// Readable when changes are pending; -1 before start().
  int fd() const { return fd_; }

  /// Reads the pending events without blocking, then waits for the burst to end (at most
  /// `longest_burst`). Returns whether any event concerned the confdir's container files or the
  /// confdir itself (not, say, an editor's swap file).
  bool drain();

  const std::string& confdir() const { return confdir_; }

 private:
  bool read_events();
  void arm();
  void unwatch(int& wd);

  WatchTiming timing_;
  std::string confdir_;
  std::string parent_;
  std::string base_name_;  ///< the confdir's name in its parent
  int fd_ = -1;
  int dir_wd_ = -1;
  int parent_wd_ = -1;
};

}  // namespace dockerup

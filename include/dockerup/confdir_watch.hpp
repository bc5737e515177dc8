// Instant reaction in --server mode: an inotify watch of the containers folder that tells the
// server loop "something changed, reconcile now", once per burst of changes.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

namespace dockerup {

struct WatchTiming {
  /// A burst ends when this long passes without a new event (an editor, `cp -r` or a
  /// configuration-management run writes several files; they make one run, not ten).
  std::chrono::milliseconds quiet{300};
  /// A change that never stops (a log written into the folder) still gets a run this soon.
  std::chrono::milliseconds longest_burst{1000};
};

/// The debounce rule on its own (no thread, no inotify, no clock of its own), so tests can move
/// time by hand: a burst starts with a relevant event and ends `quiet` after the last one, or
/// `longest_burst` after the first, whichever comes first.
class Burst {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  Burst(WatchTiming timing, TimePoint first_event);
  /// Another relevant event at `at`: the quiet period starts again.
  void event(TimePoint at);
  /// How long to wait for more events at `now`; zero or less: the burst is over, signal now.
  std::chrono::milliseconds left(TimePoint now) const;

 private:
  WatchTiming timing_;
  TimePoint first_;
  TimePoint last_;
};

/// Watches the confdir for container files created, written, moved in or out, deleted or
/// chmod'ed, and its parent folder for the confdir itself appearing, disappearing or being
/// replaced (a renamed folder, a swapped symlink). A confdir that does not exist yet is picked up
/// when it appears.
///
/// The inotify events are read, filtered and debounced by a small thread of its own, so that
/// fd() becomes readable only at the end of a burst that concerned the confdir: other files
/// (an editor's swap file, the cache or dockerup.conf beside the confdir) never cause a run, and
/// the server loop never blocks on a debounce. Create it after the signals are blocked (Signals)
/// so the thread inherits the blocked mask.
class ConfdirWatch {
 public:
  /// Opens nothing: a one-shot run needs no watch. Call start() for the server loop.
  explicit ConfdirWatch(WatchTiming timing = {});
  ~ConfdirWatch();
  ConfdirWatch(const ConfdirWatch&) = delete;
  ConfdirWatch& operator=(const ConfdirWatch&) = delete;

  /// Watches `confdir` and starts the thread. Returns false (and says why in `error`) when
  /// inotify is unavailable; the server then only runs every interval.
  bool start(const std::string& confdir, std::string& error);

  /// Watches `confdir` without starting the thread: events wait until take_events() reads them.
  /// For tests of the filtering (which events count), free of any timing.
  bool open(const std::string& confdir, std::string& error);

  /// Never blocks: reads every pending inotify event and says whether one concerned the
  /// confdir (re-arming the watches as needed). The thread's step; call it yourself only on a
  /// watch made with open().
  bool take_events();

  /// Follows the confdir the latest run used (user-data or a SIGHUP reload may move it) and
  /// re-arms the watches when the folder was replaced. Cheap; does nothing before start().
  void follow(const std::string& confdir);

  /// Readable when the confdir changed since the last drain(); -1 before start().
  int fd() const { return signal_fd_; }

  /// Never blocks: consumes the pending notification; returns whether there was one.
  bool drain();

  std::string confdir() const;

 private:
  void watch_loop();
  bool read_events();
  void arm();
  void unwatch(int& wd);

  WatchTiming timing_;
  int inotify_fd_ = -1;
  int signal_fd_ = -1;  ///< eventfd the server polls
  int stop_fd_ = -1;    ///< eventfd that ends the thread
  std::thread thread_;

  mutable std::mutex mutex_;  ///< guards what follows: follow() and the thread both re-arm
  std::string confdir_;
  std::string parent_;
  std::string base_name_;  ///< the confdir's name in its parent
  int dir_wd_ = -1;
  int parent_wd_ = -1;
};

}  // namespace dockerup

// The inotify side of ConfdirWatch. Two watches: the confdir itself (its files) and its parent
// (the confdir's own name appearing, disappearing or being replaced). A watch on the folder alone
// would go deaf when the folder is replaced (`mv new containers.d`, `ln -sfn`), and cannot exist
// before the folder does.
#include "dockerup/confdir_watch.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace dockerup {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::uint32_t kFolderMask = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
                                      IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                      IN_ONLYDIR;
/// Only name changes in the parent: files written there (dockerup.conf edited in place) are
/// none of our business.
constexpr std::uint32_t kParentMask = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                      IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
constexpr std::uint32_t kGone = IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF;

/// The same rule as load_confdir: every `*.json` entry is a container file.
bool is_container_file_name(std::string_view name) {
  return name.size() > 5 && name.ends_with(".json");
}

std::string describe_errno(const char* call) {
  return std::string(call) + ": " + std::strerror(errno);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

enum class Ready { Timeout, Events, Stop };

/// Waits up to `timeout` (negative: for ever) for inotify events or the stop request.
Ready wait_for(int inotify_fd, int stop_fd, milliseconds timeout) {
  pollfd polled[] = {{stop_fd, POLLIN, 0}, {inotify_fd, POLLIN, 0}};
  int ready;
  do {
    ready = ::poll(polled, 2, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  // A failing poll ends the thread too: the server still runs every interval.
  if (ready < 0 || (polled[0].revents & POLLIN)) return Ready::Stop;
  return ready > 0 ? Ready::Events : Ready::Timeout;
}

}  // namespace

Burst::Burst(WatchTiming timing, TimePoint first_event)
    : timing_(timing), first_(first_event), last_(first_event) {}

void Burst::event(TimePoint at) { last_ = std::max(last_, at); }

milliseconds Burst::left(TimePoint now) const {
  TimePoint end = std::min(last_ + timing_.quiet, first_ + timing_.longest_burst);
  return std::chrono::ceil<milliseconds>(end - now);
}

ConfdirWatch::ConfdirWatch(WatchTiming timing) : timing_(timing) {}

ConfdirWatch::~ConfdirWatch() {
  if (thread_.joinable()) {
    ::eventfd_write(stop_fd_, 1);
    thread_.join();
  }
  close_fd(inotify_fd_);
  close_fd(signal_fd_);
  close_fd(stop_fd_);
}

bool ConfdirWatch::start(const std::string& confdir, std::string& error) {
  if (thread_.joinable()) {
    follow(confdir);
    return true;
  }
  if (!open(confdir, error)) return false;
  thread_ = std::thread([this] { watch_loop(); });
  return true;
}

bool ConfdirWatch::open(const std::string& confdir, std::string& error) {
  if (inotify_fd_ >= 0) {
    follow(confdir);
    return true;
  }
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) error = describe_errno("inotify_init1");
  if (inotify_fd_ >= 0) signal_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_fd_ >= 0 && signal_fd_ < 0) error = describe_errno("eventfd");
  if (signal_fd_ >= 0) stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (signal_fd_ >= 0 && stop_fd_ < 0) error = describe_errno("eventfd");
  if (stop_fd_ < 0) {
    close_fd(inotify_fd_);
    close_fd(signal_fd_);
    return false;
  }
  follow(confdir);
  return true;
}

bool ConfdirWatch::take_events() { return inotify_fd_ >= 0 && read_events(); }

void ConfdirWatch::follow(const std::string& confdir) {
  if (inotify_fd_ < 0) return;
  std::filesystem::path path = std::filesystem::path(confdir).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // "dir/" -> "dir"
  std::lock_guard lock(mutex_);
  if (path.string() != confdir_) {
    unwatch(dir_wd_);
    unwatch(parent_wd_);
    confdir_ = path.string();
    parent_ = path.has_parent_path() ? path.parent_path().string() : ".";
    base_name_ = path.filename().string();
  }
  arm();
}

std::string ConfdirWatch::confdir() const {
  std::lock_guard lock(mutex_);
  return confdir_;
}

bool ConfdirWatch::drain() {
  eventfd_t count = 0;
  return signal_fd_ >= 0 && ::eventfd_read(signal_fd_, &count) == 0 && count > 0;
}

/// (Re-)adds both watches; the caller holds the mutex. inotify_add_watch on a path whose folder
/// is already watched returns the same descriptor, so this is cheap when nothing changed; when
/// the path now leads to another folder, the old folder's watch is dropped so its events no
/// longer count.
void ConfdirWatch::arm() {
  auto rewatch = [this](int& wd, const std::string& path, std::uint32_t mask) {
    int added = ::inotify_add_watch(inotify_fd_, path.c_str(), mask);
    if (added == wd) return;
    unwatch(wd);
    wd = added;  // -1 when the folder does not exist (yet): the parent watch will tell
  };
  rewatch(dir_wd_, confdir_, kFolderMask);
  if (parent_ != confdir_) rewatch(parent_wd_, parent_, kParentMask);
}

void ConfdirWatch::unwatch(int& wd) {
  if (wd >= 0) ::inotify_rm_watch(inotify_fd_, wd);  // fails harmlessly when the kernel dropped it
  wd = -1;
}

/// Reads every pending event; returns whether one of them concerned the confdir. Re-arms the
/// watches when the confdir (or its parent) appeared, vanished or was replaced.
bool ConfdirWatch::read_events() {
  alignas(inotify_event) char buffer[8192];
  bool relevant = false;
  bool rearm = false;
  std::lock_guard lock(mutex_);
  while (true) {
    ssize_t length = ::read(inotify_fd_, buffer, sizeof buffer);
    if (length <= 0) break;  // EAGAIN: nothing more pending
    for (char* at = buffer; at < buffer + length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(at);
      at += sizeof(inotify_event) + event->len;
      std::string_view name = event->len > 0 ? std::string_view(event->name) : std::string_view();
      if (event->mask & IN_Q_OVERFLOW) {
        relevant = rearm = true;  // events were lost: anything may have changed
      } else if (event->wd == dir_wd_) {
        if (event->mask & kGone) {
          if (event->mask & IN_IGNORED) dir_wd_ = -1;  // the kernel dropped the watch
          relevant = rearm = true;
        } else {
          relevant |= name.empty() || is_container_file_name(name);  // empty: the folder's mode
        }
      } else if (event->wd == parent_wd_) {
        if (event->mask & kGone) {
          if (event->mask & IN_IGNORED) parent_wd_ = -1;
          relevant = rearm = true;
        } else if (name == base_name_) {
          relevant = rearm = true;
        }
      }
      // Any other descriptor is a folder we stopped following: its events no longer count.
    }
  }
  if (rearm) arm();
  return relevant;
}

/// The thread: waits for a relevant event, lets the burst end, then signals the server once.
void ConfdirWatch::watch_loop() {
  while (true) {
    Ready ready = wait_for(inotify_fd_, stop_fd_, milliseconds(-1));
    if (ready == Ready::Stop) return;
    if (!read_events()) continue;
    Burst burst(timing_, Clock::now());
    for (auto left = burst.left(Clock::now()); left > milliseconds(0);
         left = burst.left(Clock::now())) {
      ready = wait_for(inotify_fd_, stop_fd_, left);
      if (ready == Ready::Stop) return;
      // Only events that concern the confdir prolong the burst; an editor's swap file does not.
      if (ready == Ready::Events && read_events()) burst.event(Clock::now());
    }
    ::eventfd_write(signal_fd_, 1);
  }
}

}  // namespace dockerup

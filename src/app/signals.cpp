#include "signals.hpp"

#include "dockerup/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace dockerup {

Signals::Signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) fail("cannot block signals");
  fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ < 0) fail("signalfd: {}", std::strerror(errno));
}

Signals::~Signals() {
  if (fd_ >= 0) close(fd_);
}

void Signals::drain() {
  signalfd_siginfo info;
  while (read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    if (info.ssi_signo == SIGHUP)
      reload_ = true;
    else
      stop_ = true;
  }
}

bool Signals::stop_requested() {
  drain();
  return stop_;
}

bool Signals::take_reload() {
  drain();
  bool reload = reload_;
  reload_ = false;
  return reload;
}

Signals::Wake Signals::wait(int timeout_ms, const std::vector<int>& fds) {
  // A signal read during the run (stop_requested() drains the fd) must not wait for the timeout.
  drain();
  if (stop_) return Wake::Stop;
  if (reload_) return Wake::Reload;
  std::vector<pollfd> polled{{fd_, POLLIN, 0}};
  for (int fd : fds) polled.push_back({fd, POLLIN, 0});
  int ready = poll(polled.data(), polled.size(), timeout_ms);
  if (ready < 0 && errno != EINTR) fail("poll: {}", std::strerror(errno));
  drain();
  if (stop_) return Wake::Stop;
  if (reload_) return Wake::Reload;
  for (std::size_t i = 1; i < polled.size(); ++i)
    if (polled[i].revents & POLLIN) return Wake::Fd;
  return Wake::Timeout;
}

}  // namespace dockerup

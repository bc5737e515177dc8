#include "dockerup/sd_notify.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace dockerup;

namespace {

/// A datagram socket playing systemd: bound to `path` ('@' = abstract), reads what arrives.
class FakeSystemd {
 public:
  explicit FakeSystemd(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    if (path[0] == '@') address.sun_path[0] = '\0';
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0);
    timeval timeout{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~FakeSystemd() {
    close(fd_);
    if (path_[0] == '/') unlink(path_.c_str());
  }
  /// The next datagram, or "" after a second without one.
  std::string receive() {
    char buffer[512];
    ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
    return got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "";
  }
  /// Whether a datagram is waiting (without waiting for one).
  bool pending() {
    char byte;
    return recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) >= 0;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

std::string unique_name(const char* kind) {
  return std::string("dockerup-test-") + kind + "-" + std::to_string(getpid());
}

}  // namespace

TEST_CASE("notifications reach a socket in the file system") {
  std::string path = "/tmp/" + unique_name("notify");
  FakeSystemd systemd(path);
  SystemdNotifier notifier(path);
  CHECK(notifier.enabled());
  notifier.ready();
  CHECK(systemd.receive() == "READY=1");
  notifier.status("run ok: 3 actions\nsecond line");
  CHECK(systemd.receive() == "STATUS=run ok: 3 actions second line");
  notifier.stopping();
  CHECK(systemd.receive() == "STOPPING=1");
}

TEST_CASE("notifications reach an abstract socket named with '@'") {
  std::string name = "@" + unique_name("abstract");
  FakeSystemd systemd(name);
  SystemdNotifier notifier(name);
  CHECK(notifier.notify("READY=1"));
  CHECK(systemd.receive() == "READY=1");
}

TEST_CASE("without NOTIFY_SOCKET nothing is sent and nothing fails") {
  SystemdNotifier notifier;
  CHECK_FALSE(notifier.enabled());
  CHECK_FALSE(notifier.notify("READY=1"));
  CHECK_FALSE(notifier.watchdog_period());
  notifier.watchdog_if_due();
}

TEST_CASE("a socket nobody listens on is reported, not fatal") {
  SystemdNotifier notifier("/tmp/" + unique_name("nobody"));
  CHECK_FALSE(notifier.notify("READY=1"));
  SystemdNotifier relative("relative/path");
  CHECK_FALSE(relative.notify("READY=1"));
}

TEST_CASE("the watchdog is pinged at half of WATCHDOG_USEC, not more often") {
  std::string path = "/tmp/" + unique_name("watchdog");
  FakeSystemd systemd(path);
  // A clock moved by hand: the test decides what "too soon" is, not the machine's load.
  auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  SystemdNotifier notifier(path, std::chrono::microseconds(400000), [&now] { return now; });
  REQUIRE(notifier.watchdog_period());
  CHECK(*notifier.watchdog_period() == std::chrono::milliseconds(200));
  notifier.watchdog_if_due();
  CHECK(systemd.receive() == "WATCHDOG=1");
  now += std::chrono::milliseconds(199);
  notifier.watchdog_if_due();  // too soon
  CHECK_FALSE(systemd.pending());
  now += std::chrono::milliseconds(1);
  notifier.watchdog_if_due();
  CHECK(systemd.receive() == "WATCHDOG=1");
  now += std::chrono::milliseconds(150);
  notifier.watchdog_if_due();  // 150 ms after the last ping, not after the first
  CHECK_FALSE(systemd.pending());
}

TEST_CASE("WATCHDOG_USEC is read from the environment, only for this process") {
  setenv("WATCHDOG_USEC", "30000000", 1);
  unsetenv("WATCHDOG_PID");
  auto watchdog = SystemdNotifier::watchdog_from_environment();
  REQUIRE(watchdog);
  CHECK(*watchdog == std::chrono::seconds(30));
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  CHECK(SystemdNotifier::watchdog_from_environment());
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  CHECK_FALSE(SystemdNotifier::watchdog_from_environment());
  unsetenv("WATCHDOG_PID");
  setenv("WATCHDOG_USEC", "soon", 1);
  CHECK_FALSE(SystemdNotifier::watchdog_from_environment());
  unsetenv("WATCHDOG_USEC");
  CHECK_FALSE(SystemdNotifier::watchdog_from_environment());
}

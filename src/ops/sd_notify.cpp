#include "dockerup/sd_notify.hpp"

#include "dockerup/log.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <cstddef>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace dockerup {
namespace {

const char* environment(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

template <typename Number>
std::optional<Number> whole_number(const char* text) {
  Number value{};
  const char* end = text + std::strlen(text);
  auto [stop, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || stop != end) return std::nullopt;
  return value;
}

}  // namespace

SystemdNotifier::SystemdNotifier(std::string socket_path,
                                 std::optional<std::chrono::microseconds> watchdog, Clock clock)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog),
      clock_(clock ? std::move(clock) : Clock(std::chrono::steady_clock::now)) {}

SystemdNotifier::~SystemdNotifier() {
  if (fd_ >= 0) close(fd_);
}

std::string SystemdNotifier::socket_from_environment() {
  const char* path = environment("NOTIFY_SOCKET");
  return path ? path : "";
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_from_environment() {
  const char* usec = environment("WATCHDOG_USEC");
  if (!usec) return std::nullopt;
  // WATCHDOG_PID says which process the watchdog is for; a child that inherited it must not ping.
  if (const char* pid = environment("WATCHDOG_PID")) {
    auto owner = whole_number<long>(pid);
    if (!owner || *owner != static_cast<long>(getpid())) return std::nullopt;
  }
  auto value = whole_number<long long>(usec);
  if (!value || *value <= 0) return std::nullopt;
  return std::chrono::microseconds(*value);
}

bool SystemdNotifier::notify(std::string_view state) {
  if (!enabled()) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof address.sun_path ||
      (socket_path_[0] != '/' && socket_path_[0] != '@')) {
    if (!warned_) log_warning("NOTIFY_SOCKET={}: not a socket path, not notifying systemd", socket_path_);
    warned_ = true;
    return false;
  }
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());

  if (fd_ < 0) fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ssize_t sent = fd_ < 0 ? -1
                         : sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address), length);
  if (sent == static_cast<ssize_t>(state.size())) return true;
  if (!warned_) log_warning("cannot notify systemd on {}: {}", socket_path_, std::strerror(errno));
  warned_ = true;
  return false;
}

void SystemdNotifier::status(std::string_view text) {
  std::string line = "STATUS=";
  for (char c : text) line += c == '\n' ? ' ' : c;
  notify(line);
}

std::optional<std::chrono::milliseconds> SystemdNotifier::watchdog_period() const {
  if (!enabled() || !watchdog_) return std::nullopt;
  auto half = std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog_ / 2);
  return std::max(half, std::chrono::milliseconds(1));
}

void SystemdNotifier::watchdog_if_due() {
  auto period = watchdog_period();
  if (!period) return;
  auto now = clock_();
  if (last_watchdog_ != std::chrono::steady_clock::time_point{} && now - last_watchdog_ < *period)
    return;
  last_watchdog_ = now;
  notify("WATCHDOG=1");
}

}  // namespace dockerup

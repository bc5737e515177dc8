// systemd's notify protocol (sd_notify(3)), spoken directly on $NOTIFY_SOCKET.
//
// Why not libsystemd: the protocol is one AF_UNIX datagram of "KEY=VALUE" lines, and dockerup
// often runs in a minimal container image (packaging/make-image.sh) where every extra shared
// library is one more file to carry. Writing the datagram ourselves costs ~60 lines.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dockerup {

class SystemdNotifier {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  /// Disabled (every call a no-op) when `socket_path` is empty. A path starting with '@' is an
  /// abstract socket name, as systemd writes it. `watchdog` is WATCHDOG_USEC when set. `clock`
  /// (default: the steady clock) is what watchdog_if_due() measures the period with; tests pass
  /// a clock they move by hand.
  explicit SystemdNotifier(std::string socket_path = {},
                           std::optional<std::chrono::microseconds> watchdog = std::nullopt,
                           Clock clock = {});
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  /// $NOTIFY_SOCKET, $WATCHDOG_USEC (ignored when $WATCHDOG_PID names another process).
  static std::optional<std::chrono::microseconds> watchdog_from_environment();
  static std::string socket_from_environment();

  bool enabled() const { return !socket_path_.empty(); }

  /// Sends `state` ("READY=1\nSTATUS=...") as one datagram; false when it could not be sent
  /// (logged once, at warning level: systemd would then kill or time out the service).
  bool notify(std::string_view state);

  void ready() { notify("READY=1"); }
  void stopping() { notify("STOPPING=1"); }
  /// STATUS=<text>, newlines replaced (one STATUS line per datagram).
  void status(std::string_view text);

  /// How often to send WATCHDOG=1: half of WATCHDOG_USEC; nullopt when no watchdog is asked for.
  std::optional<std::chrono::milliseconds> watchdog_period() const;
  /// Sends WATCHDOG=1 when a period has passed since the last one (cheap: call it often).
  void watchdog_if_due();

 private:
  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_;
  Clock clock_;
  std::chrono::steady_clock::time_point last_watchdog_{};
  int fd_ = -1;
  bool warned_ = false;
};

}  // namespace dockerup

// Logging: human-readable lines on stderr, or one JSON object per line (--log-format json).
// Thread-safe: the executor's tasks log at the same time; each line is written whole.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <string>
#include <string_view>

namespace dockerup {

enum class LogLevel { Debug, Info, Warning, Error };

/// Structured fields of a log line; both optional.
struct LogContext {
  std::string_view container = {};
  std::string_view action = {};
};

class Logger {
 public:
  static Logger& instance();

  void set_verbose(bool verbose) { verbose_ = verbose; }
  bool verbose() const { return verbose_; }
  void set_json(bool json) { json_ = json; }
  bool json() const { return json_; }

  void log(LogLevel level, LogContext context, std::string_view message);

 private:
  std::atomic<bool> verbose_{false};
  std::atomic<bool> json_{false};
};

/// `text` with control characters escaped (\n, \r, \t, \xHH): what text log lines print, so
/// a newline inside a path or a Docker message cannot start a forged log line.
std::string escape_control(std::string_view text);

template <typename... Args>
void log_debug(fmt::format_string<Args...> f, Args&&... args) {
  if (Logger::instance().verbose())
    Logger::instance().log(LogLevel::Debug, {}, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_info(fmt::format_string<Args...> f, Args&&... args) {
  Logger::instance().log(LogLevel::Info, {}, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_warning(fmt::format_string<Args...> f, Args&&... args) {
  Logger::instance().log(LogLevel::Warning, {}, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_error(fmt::format_string<Args...> f, Args&&... args) {
  Logger::instance().log(LogLevel::Error, {}, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace dockerup

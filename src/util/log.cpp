#include "dockerup/log.hpp"

#include "dockerup/json_write.hpp"
#include "dockerup/utc_time.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>
#include <mutex>

namespace dockerup {
namespace {

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
  }
  return "info";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{}.{:03}Z", strftime_utc(now, "%Y-%m-%dT%H:%M:%S"), millis.count());
}

std::string json_line(LogLevel level, LogContext context, std::string_view message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  write_json_member(w, "time", timestamp());
  write_json_member(w, "level", level_name(level));
  if (!context.container.empty()) write_json_member(w, "container", context.container);
  if (!context.action.empty()) write_json_member(w, "action", context.action);
  write_json_member(w, "message", message);
  w.EndObject();
  return buffer.GetString();
}

}  // namespace

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (byte < 0x20 || byte == 0x7f) out += fmt::format("\\x{:02x}", byte);
    else out += c;
  }
  return out;
}

Logger& Logger::instance() {
  static Logger logger;
  return logger;
}

void Logger::log(LogLevel level, LogContext context, std::string_view message) {
  if (level == LogLevel::Debug && !verbose_) return;
  std::string line;
  if (json_) {
    line = json_line(level, context, message);
  } else {
    // Text lines: "2026-11-23T13:37:00.123Z warning [web] message"
    line = fmt::format("{} {}", timestamp(), level_name(level));
    // One event, one line: a newline in a path or a Docker message must not forge another.
    if (!context.container.empty())
      line += fmt::format(" [{}]", escape_control(context.container));
    line += fmt::format(" {}", escape_control(message));
  }
  // The line is built before the lock and written in one call under it, so lines of the
  // executor's tasks (and the metrics thread) never mix.
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace dockerup

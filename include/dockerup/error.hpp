// Errors as values with context, plus the one exception type thrown at I/O edges.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dockerup {

/// A problem the operator must read: where it happened (file and JSON path, container name,
/// setting) and why. Produced by parsers and the planner; never thrown.
struct Error {
  std::string where;    ///< "containers.d/web.json: $.portMappings[0].hostPort", "container web", "dockerup.conf: interval"
  std::string message;  ///< the reason, lower case, no trailing period

  std::string str() const { return where.empty() ? message : where + ": " + message; }
  bool operator==(const Error&) const = default;
};

using Errors = std::vector<Error>;

/// Thrown by code that talks to the outside world (Docker, metadata service, files) and caught
/// per container by the executor, which turns it into an Error value. `context` grows as the
/// exception travels up ("creating container web: pulling app:v2: connection refused").
class Failure : public std::runtime_error {
 public:
  explicit Failure(std::string message) : std::runtime_error(std::move(message)) {}
};

/// An HTTP-level failure from the Docker Engine (or another HTTP peer) that carries the status,
/// so callers can tell "no such container" (404) from "conflict" (409) from a transport error (0).
class HttpFailure : public Failure {
 public:
  HttpFailure(long status, std::string message) : Failure(std::move(message)), status_(status) {}
  long status() const noexcept { return status_; }

 private:
  long status_;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Failure(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace dockerup

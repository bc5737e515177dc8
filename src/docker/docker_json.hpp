// Docker Engine API answers -> dockerup's engine types. Pure functions over JSON text, so they
// are tested with recorded answers and no daemon. Bad JSON throws Failure naming the endpoint.
#pragma once

#include "dockerup/engine.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

/// GET /containers/json?all=1
std::vector<ContainerSummary> parse_container_list(std::string_view json);
/// GET /containers/{id}/json
ContainerDetails parse_container_inspect(std::string_view json);
/// GET /images/json. Docker's "<none>:<none>" and "<none>@<none>" placeholders are dropped, so a
/// dangling image has no tags.
std::vector<ImageSummary> parse_image_list(std::string_view json);
/// GET /distribution/{name}/json -> Descriptor.digest, nullopt when the answer has none.
std::optional<std::string> parse_distribution_digest(std::string_view json);
/// POST /containers/create -> Id.
std::string parse_created_id(std::string_view json);

/// "Exited (137) 3 seconds ago" -> 137; -1 for any other status text.
int exit_code_from_status(std::string_view status);

/// Reads the progress stream of POST /images/create, which answers 200 before it knows whether
/// the pull will work: failures arrive as lines {"error": "...", "errorDetail": {...}}.
class PullStreamChecker {
 public:
  /// Progress lines are a few hundred bytes; a line longer than this is not Docker's.
  static constexpr std::size_t max_line = 1024 * 1024;

  /// Chunks may end in the middle of a line. Throws Failure naming the limit when a line grows
  /// beyond max_line (the stream itself may be long: it is never kept whole).
  void feed(std::string_view chunk);
  /// Call when the stream ended: checks the last line if it had no newline.
  void finish();
  /// The first error the stream reported, if any.
  const std::optional<std::string>& error() const { return error_; }

 private:
  void check_line(std::string_view line);

  std::string partial_line_;
  std::optional<std::string> error_;
};

}  // namespace dockerup

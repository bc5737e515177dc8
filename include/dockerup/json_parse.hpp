// The one way dockerup turns bytes it did not write itself (or wrote but may find tampered
// with) into a RapidJSON document: container files, user-data, Docker API answers, cache files.
// Three guards a plain Document::Parse lacks: the size is checked before any parsing, parsing is
// iterative (no recursion on the C++ stack), and nesting deeper than a limit stops the parse,
// so nothing walking the document later (Accept, deep copies) can recurse more than that.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dockerup {

/// Deeper than any document dockerup reads (a container spec nests 4 levels, Docker's inspect
/// answer 6) and far below what would exhaust a stack.
inline constexpr unsigned kMaxJsonDepth = 64;
/// The largest Docker API answer the client accepts (http_client.hpp); local documents use less.
inline constexpr std::size_t kMaxJsonBytes = 64 * 1024 * 1024;
/// Container files, user-data (after inflating) and cache files.
inline constexpr std::size_t kMaxLocalJsonBytes = 16 * 1024 * 1024;

struct JsonOptions {
  bool lenient = false;        ///< allow // and /* */ comments and trailing commas
  bool validate_utf8 = false;  ///< refuse strings that are not valid UTF-8
  std::size_t max_bytes = kMaxJsonBytes;
  unsigned max_depth = kMaxJsonDepth;
};

struct JsonError {
  std::string reason;       ///< lower case, no trailing period: "missing a comma or ']' after an array element"
  std::size_t offset = 0;   ///< byte offset where parsing stopped
  bool too_big = false;     ///< refused for its size before parsing (offset is meaningless)

  /// "<reason> (at byte <offset>)", or only the reason when too_big
  std::string str() const;
};

/// Parses `text` into `document`. On error `document` is left null and the reason is returned;
/// document.HasParseError() is not meaningful here, use the return value.
std::optional<JsonError> parse_json(std::string_view text, rapidjson::Document& document,
                                    const JsonOptions& options = {});

}  // namespace dockerup

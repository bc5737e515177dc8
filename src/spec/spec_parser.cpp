// Container JSON text -> ContainerSpec. The text may carry comments and trailing commas: the
// original README's own examples have // comments, and people copy them.
#include "dockerup/spec_parser.hpp"

#include "dockerup/json_parse.hpp"
#include "spec_object.hpp"

#include <fmt/format.h>

namespace dockerup {
namespace {

// Comments and trailing commas: people copy the original README's examples. Iterative, depth-
// and size-limited (json_parse.hpp): a hostile file of ten thousand '[' is just an error.
constexpr JsonOptions parse_options{
    .lenient = true, .validate_utf8 = true, .max_bytes = kMaxLocalJsonBytes};

Error syntax_error(const std::string& text, const JsonError& error, const std::string& source) {
  if (error.too_big) return {source, "invalid JSON: " + error.reason};
  std::size_t offset = std::min(error.offset, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {source, fmt::format("invalid JSON at line {}, column {}: {}", line, column, error.reason)};
}

}  // namespace

SpecParse parse_spec_text(const std::string& json_text, const std::string& source,
                          const std::string& default_name) {
  SpecParse result;
  rapidjson::Document document;
  if (auto error = parse_json(json_text, document, parse_options)) {
    result.errors.push_back(syntax_error(json_text, *error, source));
    return result;
  }
  JsonReader reader(source);
  if (!document.IsObject()) {
    reader.error("$", fmt::format("expected a JSON object (one container per file), got {}",
                                  describe(document)));
  } else {
    ContainerSpec spec = read_spec_object(reader, document, "$", default_name);
    if (reader.errors().empty()) result.spec = std::move(spec);
  }
  result.errors = std::move(reader.errors());
  result.warnings = std::move(reader.warnings());
  return result;
}

}  // namespace dockerup

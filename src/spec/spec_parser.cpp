// Container JSON text -> ContainerSpec. The text may carry comments and trailing commas: the
// original README's own examples have // comments, and people copy them.
#include "dockerup/spec_parser.hpp"

#include "spec_object.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>

#include <cctype>

namespace dockerup {
namespace {

// Iterative parsing: a hostile file of ten thousand '[' cannot overflow the stack.
constexpr unsigned parse_flags = rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag |
                                 rapidjson::kParseValidateEncodingFlag |
                                 rapidjson::kParseIterativeFlag;

/// "Missing a comma or '}' after an object member." -> "missing a comma or '}' after an
/// object member", to read as the tail of our own message.
std::string reason_text(rapidjson::ParseErrorCode code) {
  std::string reason = rapidjson::GetParseError_En(code);
  if (!reason.empty() && reason.back() == '.') reason.pop_back();
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return reason;
}

Error syntax_error(const std::string& text, const rapidjson::Document& document,
                   const std::string& source) {
  std::size_t offset = std::min(document.GetErrorOffset(), text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {source, fmt::format("invalid JSON at line {}, column {}: {}", line, column,
                              reason_text(document.GetParseError()))};
}

}  // namespace

SpecParse parse_spec_text(const std::string& json_text, const std::string& source,
                          const std::string& default_name) {
  SpecParse result;
  rapidjson::Document document;
  document.Parse<parse_flags>(json_text.data(), json_text.size());
  if (document.HasParseError()) {
    result.errors.push_back(syntax_error(json_text, document, source));
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

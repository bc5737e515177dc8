// Reading values out of a parsed JSON document with errors that name the source and the JSON
// path of the field ("web.json: $.portMappings[1].hostPort"). Errors are collected, never
// thrown, so one run reports every problem of a file at once.
#pragma once

#include "dockerup/error.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dockerup {

using JsonValue = rapidjson::Value;

/// "$.env" + "PATH" -> "$.env.PATH"; keys that are not identifiers are quoted: $.env["a b"].
std::string member_path(const std::string& parent, std::string_view key);
/// "$.volumes" + 2 -> "$.volumes[2]".
std::string index_path(const std::string& parent, std::size_t index);

/// Quoted and shortened text for messages: "12q", or "aaaa..." past 60 characters.
std::string quote(std::string_view text);
/// What a value is, for "expected X, got Y": "\"12q\"", "a number (1.5)", "an array", "null".
std::string describe(const JsonValue& value);

class JsonReader {
 public:
  explicit JsonReader(std::string source) : source_(std::move(source)) {}

  const std::string& source() const { return source_; }
  Errors& errors() { return errors_; }
  Errors& warnings() { return warnings_; }

  void error(const std::string& path, std::string message);
  void warning(const std::string& path, std::string message);

  /// Calls `visit(key, value, path)` for each member of an object; a key given twice is an
  /// error (JSON allows it, but which one wins would be a guess). false when not an object.
  bool for_each_member(
      const JsonValue& object, const std::string& path,
      const std::function<void(std::string_view, const JsonValue&, const std::string&)>& visit);

  std::optional<std::string> string(const JsonValue& value, const std::string& path);
  std::optional<bool> boolean(const JsonValue& value, const std::string& path);
  /// A whole number >= 0, written as a number or as a string of digits ("cpu": "10").
  std::optional<std::int64_t> whole_number(const JsonValue& value, const std::string& path);
  /// 1..65535, written as a number or as a string ("containerPort": "8080", as in the README).
  std::optional<int> port(const JsonValue& value, const std::string& path);
  /// An object whose values are strings; with `scalars_as_text`, numbers and booleans are
  /// accepted and turned into their JSON text.
  std::optional<std::map<std::string, std::string>> string_map(const JsonValue& value,
                                                              const std::string& path,
                                                              bool scalars_as_text);

 private:
  std::string source_;
  Errors errors_;
  Errors warnings_;
};

}  // namespace dockerup

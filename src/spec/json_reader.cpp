#include "json_reader.hpp"

#include "dockerup/units.hpp"

#include <fmt/format.h>

#include <set>

namespace dockerup {
namespace {

bool is_identifier(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string_view view(const JsonValue& string_value) {
  return {string_value.GetString(), string_value.GetStringLength()};
}

/// JSON text of a number, close to how it was written: 1.0 stays "1.0" (the original passed
/// env numbers to Docker as Python printed them).
std::string number_text(const JsonValue& value) {
  if (value.IsInt64()) return std::to_string(value.GetInt64());
  if (value.IsUint64()) return std::to_string(value.GetUint64());
  std::string text = fmt::format("{}", value.GetDouble());
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

}  // namespace

std::string member_path(const std::string& parent, std::string_view key) {
  if (is_identifier(key)) return fmt::format("{}.{}", parent, key);
  return fmt::format("{}[{}]", parent, quote(key));
}

std::string index_path(const std::string& parent, std::size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

std::string quote(std::string_view text) {
  constexpr std::size_t max_length = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_length; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > max_length) out += "...";
  out += '"';
  return out;
}

std::string describe(const JsonValue& value) {
  if (value.IsString()) return quote(view(value));
  if (value.IsNumber()) return fmt::format("a number ({})", number_text(value));
  if (value.IsBool()) return value.GetBool() ? "true" : "false";
  if (value.IsNull()) return "null";
  if (value.IsArray()) return "an array";
  return "an object";
}

void JsonReader::error(const std::string& path, std::string message) {
  errors_.push_back({fmt::format("{}: {}", source_, path), std::move(message)});
}

void JsonReader::warning(const std::string& path, std::string message) {
  warnings_.push_back({fmt::format("{}: {}", source_, path), std::move(message)});
}

bool JsonReader::for_each_member(
    const JsonValue& object, const std::string& path,
    const std::function<void(std::string_view, const JsonValue&, const std::string&)>& visit) {
  if (!object.IsObject()) {
    error(path, fmt::format("expected an object, got {}", describe(object)));
    return false;
  }
  std::set<std::string_view> seen;
  for (const auto& member : object.GetObject()) {
    std::string_view key = view(member.name);
    std::string member_at = member_path(path, key);
    if (!seen.insert(key).second) {
      error(member_at, "given twice");
      continue;
    }
    visit(key, member.value, member_at);
  }
  return true;
}

std::optional<std::string> JsonReader::string(const JsonValue& value, const std::string& path) {
  if (value.IsString()) return std::string(view(value));
  error(path, fmt::format("expected a string, got {}", describe(value)));
  return std::nullopt;
}

std::optional<bool> JsonReader::boolean(const JsonValue& value, const std::string& path) {
  if (value.IsBool()) return value.GetBool();
  // "false" as a string was true to the original (Python truthiness): refuse to guess.
  error(path, fmt::format("expected true or false, got {}", describe(value)));
  return std::nullopt;
}

std::optional<std::int64_t> JsonReader::whole_number(const JsonValue& value,
                                                     const std::string& path) {
  std::optional<std::int64_t> number;
  if (value.IsInt64()) number = value.GetInt64();
  if (value.IsString()) {
    std::string_view text = view(value);
    // A size parser without units is exactly "digits within int64"; reuse it.
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos)
      number = parse_memory(text);
  }
  if (number && *number >= 0) return number;
  error(path, fmt::format("expected a whole number >= 0, got {}", describe(value)));
  return std::nullopt;
}

std::optional<int> JsonReader::port(const JsonValue& value, const std::string& path) {
  std::optional<int> number;
  if (value.IsInt() && value.GetInt() >= 1 && value.GetInt() <= 65535) number = value.GetInt();
  if (value.IsString()) number = parse_port(view(value));
  if (number) return number;
  error(path, fmt::format("{} is not a port (1 to 65535)", describe(value)));
  return std::nullopt;
}

std::optional<std::map<std::string, std::string>> JsonReader::string_map(
    const JsonValue& value, const std::string& path, bool scalars_as_text) {
  std::map<std::string, std::string> map;
  std::size_t errors_before = errors_.size();
  bool is_object = for_each_member(value, path, [&](std::string_view key, const JsonValue& item,
                                                    const std::string& item_path) {
    if (key.empty()) error(item_path, "empty name");
    if (item.IsString()) {
      map.emplace(key, view(item));
    } else if (scalars_as_text && item.IsNumber()) {
      map.emplace(key, number_text(item));
    } else if (scalars_as_text && item.IsBool()) {
      map.emplace(key, item.GetBool() ? "true" : "false");
    } else {
      error(item_path, fmt::format("expected a string, got {}", describe(item)));
    }
  });
  if (!is_object || errors_.size() != errors_before) return std::nullopt;
  return map;
}

}  // namespace dockerup

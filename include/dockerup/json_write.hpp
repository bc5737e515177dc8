// Strings into RapidJSON's SAX writers (Writer or PrettyWriter) with their length: a value may
// hold NUL bytes, and String(const char*) would stop at the first one and measure the text again.
#pragma once

#include <rapidjson/rapidjson.h>

#include <string_view>

namespace dockerup {

template <typename JsonWriter>
void write_json_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

/// "key": "text" inside an object.
template <typename JsonWriter>
void write_json_member(JsonWriter& writer, const char* key, std::string_view text) {
  writer.Key(key);
  write_json_string(writer, text);
}

}  // namespace dockerup

// Small parsers for the values inside container JSON: sizes, ports, command strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

/// "2048m", "1g", "512k", "100b", "1048576" -> bytes (docker's units, base 1024; any case; "kb",
/// "mb", "gb", "t"/"tb" also accepted). nullopt on a sign, a fraction, spaces, an unknown unit
/// or a result beyond int64.
std::optional<std::int64_t> parse_memory(std::string_view text);

/// 1..65535 from "8080"; nullopt otherwise.
std::optional<int> parse_port(std::string_view text);

/// Splits a command line as a POSIX shell splits words (quotes, backslashes; no expansion).
/// nullopt on an unterminated quote or a trailing backslash (both mean "the text was cut").
std::optional<std::vector<std::string>> split_words(std::string_view text);

}  // namespace dockerup

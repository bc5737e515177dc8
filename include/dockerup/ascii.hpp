// Case-insensitive names (setting keys, spec fields, units, protocols, host names, HTTP header
// names) are ASCII: lowering them must not depend on the locale.
#pragma once

#include <string>
#include <string_view>

namespace dockerup {

/// `text` with A-Z turned into a-z; every other byte as it is.
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace dockerup

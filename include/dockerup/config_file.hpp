// dockerup.conf: key=value lines without sections, '#' and ';' comments (parsed by inih).
#pragma once

#include "dockerup/error.hpp"
#include "dockerup/settings.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

struct ConfigLoad {
  bool found = false;                 ///< false: the file does not exist (defaults apply)
  Errors errors;                      ///< bad values, unreadable file: name file, key and value
  std::vector<std::string> warnings;  ///< unknown keys
};

/// Reads `path` into `settings`. A missing file is not an error (found = false).
ConfigLoad load_config_file(const std::string& path, Settings& settings);

enum class SettingResult { Applied, UnknownKey, BadValue };

/// Sets one key (shared by the config file and the settings keys of EC2 user-data).
/// On BadValue, `reason` says why ("expected a whole number of seconds >= 1").
SettingResult apply_setting(Settings& settings, std::string_view key, std::string_view value,
                            std::string& reason);

/// true/yes/1/on and false/no/0/off, any case.
std::optional<bool> parse_bool(std::string_view text);

}  // namespace dockerup

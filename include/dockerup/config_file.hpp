// dockerup.conf: key=value lines without sections, '#' and ';' comments (parsed by inih).
#pragma once

#include "dockerup/error.hpp"
#include "dockerup/settings.hpp"

#include <optional>
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
/// Errors are "PATH:LINE: KEY" + "bad value \"abc\": expected ..."; warnings (unknown keys,
/// keys in a [section], a key set twice) are "PATH:LINE: ...". Later lines win. Values keep
/// what follows '='; an inline comment needs whitespace before its ';' ("pull = no ; why").
ConfigLoad load_config_file(const std::string& path, Settings& settings);

/// The same, from text already in memory; `source` names it in messages.
ConfigLoad parse_config_text(const std::string& text, const std::string& source,
                             Settings& settings);

/// OutOfRange: a number outside the key's bounds (every seconds setting is at most a day).
enum class SettingResult { Applied, UnknownKey, BadValue, OutOfRange };

/// The largest value of every seconds setting (interval, stop_timeout, start_wait, rolling_wait,
/// health_timeout): one day. Keeps `60 + interval` and milliseconds far from overflow.
inline constexpr int kMaxSeconds = 86400;

/// Sets one key (shared by the config file and the settings keys of EC2 user-data).
/// On BadValue or OutOfRange, `reason` says why ("expected a whole number of seconds from 1
/// to 86400").
SettingResult apply_setting(Settings& settings, std::string_view key, std::string_view value,
                            std::string& reason);

/// Whether `key` (any case) is a key of dockerup.conf.
bool is_setting_key(std::string_view key);

/// Whether EC2 user-data may set `key` (the list in dockerup.conf(5)). Keys that choose where
/// dockerup reads and writes (cache, confdir, remote) or that act before user-data is fetched
/// (aws*, log_format, metrics_listen) may not: applied halfway through a run they would be
/// half-applied (the lock and history in one cache dir, the image ledger in another).
bool user_data_may_set(std::string_view key);

/// Keys whose value must not appear in messages or logs (the registry password).
bool is_secret_setting(std::string_view key);

/// true/yes/1/on and false/no/0/off, any case.
std::optional<bool> parse_bool(std::string_view text);

}  // namespace dockerup

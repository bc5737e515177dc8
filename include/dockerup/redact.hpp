// Keeping secrets out of logs and --dry-run output: env values and the registry password are
// shown only with --show-secrets.
//
// Secrets are hidden where they are printed *as such*, by the structure of what is printed,
// never by searching text for known values: such a search garbled unrelated text (an env value
// "/data" hid part of every path, "8080" every port) and still missed short secrets. So:
// - dockerup's own messages never contain an env value (plan reasons name fields, the password
//   is printed as "(hidden)" by the config readers, export prints shown_env_value);
// - an error located in an env field loses its quoted values (hide_quoted);
// - a message that may echo a create body (Docker's own errors) loses the value of every
//   `KEY=value` token whose KEY is a declared env key, and every `"Env":[...]` array's values.
#pragma once

#include "dockerup/error.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

struct ContainerSpec;
struct RunResult;
struct Settings;

/// Shown instead of a secret.
inline constexpr std::string_view kHidden = "(hidden)";

/// An env value as printed: itself with --show-secrets, otherwise kHidden whatever its length.
inline std::string shown_env_value(std::string_view value, bool show_secrets) {
  return std::string(show_secrets ? value : kHidden);
}

/// The structural filter for messages of a run (see the top of this file).
class EnvFilter {
 public:
  /// A filter that changes nothing (--show-secrets).
  static EnvFilter showing_all() {
    EnvFilter filter;
    filter.show_all_ = true;
    return filter;
  }

  /// Declares the env keys of `spec`; their values only delimit a `KEY=value` token.
  void add(const ContainerSpec& spec);

  /// `text` with the value of every `KEY=value` token of a declared key and every value in a
  /// JSON `"Env":[...]` array replaced by kHidden.
  std::string apply(std::string_view text) const;

  /// The same for an error's message; an error located in an env field ("$.env",
  /// "$.environment") also loses every quoted value, since a spec that failed to parse declared
  /// no keys to look for.
  Error apply(Error error) const;

  /// The same for a warning line ("WHERE: MESSAGE").
  std::string apply_line(std::string_view line) const;

 private:
  bool show_all_ = false;
  /// Each declared key with its declared values, longest first.
  std::map<std::string, std::vector<std::string>, std::less<>> values_;

  /// Where the value after `text[equals]` ('=') ends; equals + 1 when there is nothing to hide.
  std::size_t value_end(std::string_view text, std::size_t equals,
                        const std::vector<std::string>& known) const;
};

/// The filter for messages about `specs`: showing all with `show_secrets`.
EnvFilter env_filter(const std::vector<ContainerSpec>& specs, bool show_secrets);

/// Whether `where` points into an env field of a container spec.
bool is_env_location(std::string_view where);

/// Replaces every "quoted" part of `message` with kHidden.
std::string hide_quoted(std::string_view message);

/// Replaces what follows the first '=' of each string in every JSON `"Env":[...]` array.
std::string hide_env_arrays(std::string_view text);

/// Makes a run's messages printable: every error passes through env_filter(desired specs).
/// Does nothing when settings.show_secrets. The specs themselves are left intact.
void redact_run_result(RunResult& result, const Settings& settings);

}  // namespace dockerup

// Keeping secrets out of logs and --dry-run output: env values and the registry password are
// shown only with --show-secrets.
//
// Messages are written not to contain such values in the first place (plan reasons name fields,
// never their values). This is the second line: whatever a message says, known secret values
// are replaced before it is printed, so a Docker error that echoes a variable cannot leak it.
#pragma once

#include "dockerup/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

struct DesiredState;
struct RunResult;
struct Settings;

/// Shown instead of a secret.
inline constexpr std::string_view kHidden = "(hidden)";

class SecretRedactor {
 public:
  /// Values shorter than this are not hidden inside other text: replacing every "1" or "on" in
  /// a message would garble it, and such values are switches, not secrets.
  static constexpr std::size_t kShortestSecret = 4;

  void add(std::string_view secret);
  bool empty() const { return secrets_.empty(); }

  /// `text` with every known secret replaced by kHidden.
  std::string redact(std::string_view text) const;

  /// The same for an error; an error located in an env field ("$.env", "$.environment") also
  /// loses every quoted value in its message, since a spec that failed to parse has no known
  /// values to look for.
  Error redact(Error error) const;

 private:
  std::vector<std::string> secrets_;  ///< longest first, so a secret inside another is not half-hidden
};

/// The secrets a run knows: every env value of every declared container and the registry password.
SecretRedactor secret_redactor(const DesiredState& desired, const Settings& settings);

/// Whether `where` points into an env field of a container spec.
bool is_env_location(std::string_view where);

/// Replaces every "quoted" part of `message` with kHidden.
std::string hide_quoted(std::string_view message);

/// Makes a run's messages printable: errors, plan reasons and errors, action outcomes. Does
/// nothing when settings.show_secrets. The specs themselves are left intact.
void redact_run_result(RunResult& result, const Settings& settings);

}  // namespace dockerup

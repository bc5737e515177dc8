// EC2 user-data as dockerup reads it: {"containers": [ ... ], "<setting>": value, ...},
// optionally gzip-compressed, and how it joins the containers.d state.
#pragma once

#include "dockerup/imds.hpp"
#include "dockerup/settings.hpp"
#include "dockerup/sources.hpp"
#include "dockerup/spec.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

class LastKnownGood;

/// The `source` of every user-data container (and the name of the source in DesiredState).
inline constexpr std::string_view kUserDataSource = "user-data";

struct UserDataParse {
  std::vector<ContainerSpec> specs;
  Errors errors;
  std::vector<std::string> warnings;  ///< unknown settings keys
  /// The settings keys that were applied, as (key, value text), so a caller that keeps the
  /// parse can apply them again to another run's settings without parsing the body again.
  std::vector<std::pair<std::string, std::string>> settings;
  /// The body was `{"containers": [...]}` and every entry parsed: user-data containers missing
  /// from `specs` were removed on purpose. false: some are unknown and must be kept.
  bool complete = false;
};

/// Parses a user-data body (gzip is recognised by its magic bytes 1f 8b and inflated first).
/// Entries of "containers" become specs with source "user-data"; an entry without "name" is
/// named "user-data-<index>" after its position in the array (0-based), so it keeps its
/// container as long as it keeps its place. Every other top-level key is applied to `settings`
/// with apply_setting (strings, numbers and booleans; an unknown key is a warning, a bad value
/// an error). A body that is not that JSON (a cloud-init script, say) is an error, never "empty".
UserDataParse parse_user_data(const std::string& body, Settings& settings);

/// The same form read from another source (a fleet document): `source` names it in specs and
/// errors, unnamed entries are called "<unnamed_prefix>-<index>".
struct UserDataForm {
  std::string source;
  std::string unnamed_prefix;
};
UserDataParse parse_user_data(const std::string& body, Settings& settings,
                              const UserDataForm& form);

/// Adds what the metadata service answered to `load`:
/// - Ok: the parsed containers; "user-data" goes to complete_sources when the body was complete
///   (and the body becomes the last-known-good copy), else to failed_sources.
/// - None (404): no containers, complete; the last-known-good copy is dropped.
/// - Unavailable: the last-known-good copy stands in with a warning (neither complete nor failed,
///   so nothing is removed); without a copy "user-data" goes to failed_sources with an error.
void add_user_data(const UserDataFetch& fetch, LastKnownGood& store, Settings& settings,
                   SourceLoad& load);

}  // namespace dockerup

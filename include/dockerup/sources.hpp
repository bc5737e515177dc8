// Sources of desired state: containers.d files and EC2 user-data, merged into one DesiredState.
// A source that cannot be read never counts as "declares nothing": see DesiredState.
#pragma once

#include "dockerup/error.hpp"
#include "dockerup/plan.hpp"
#include "dockerup/settings.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dockerup {

class LastKnownGood;
class SpecFileCache;

/// Every `*.json` file directly in `confdir` (sorted by name), one container per file.
/// - A file that is unreadable or invalid: its errors are in `errors`, its path is in
///   `failed_sources`, it yields no spec.
/// - Two files declaring one name: an error naming both files; the name goes to
///   `protected_names` and neither spec is used.
/// - The confdir itself unreadable (missing, permission): `failed_sources` gets the confdir and
///   `complete_sources` does not. A readable confdir goes to `complete_sources`, so a managed
///   container whose source file is in it but no longer exists was deleted on purpose.
/// `warnings` (unknown fields) are logged by the caller.
struct SourceLoad {
  DesiredState state;
  std::vector<std::string> warnings;
};

SourceLoad load_confdir(const std::string& confdir);

/// What load_confdir may add to the plain rules above.
struct ConfdirOptions {
  /// Refuse files that are not trusted (check_file_mode: owner and mode of the file and every
  /// folder above it); such a file counts as failed. A confdir that is not trusted counts as
  /// failed as a whole: last-known-good copies of its files stand in, nothing is removed.
  bool strict_modes = false;
  /// When set: a failed file whose last valid version is cached is replaced by that version
  /// (with a warning and its errors still reported), every valid file is cached, and the cached
  /// copies of files no longer in a readable confdir are dropped.
  LastKnownGood* last_known_good = nullptr;
  /// When set (--server: one per process): a file whose opened stamp equals that of its cached
  /// parse is not read or parsed again, nor its last-known-good copy compared; it is still
  /// listed, opened and (strict_modes) checked like any other. Fresh parses are cached.
  SpecFileCache* parsed = nullptr;
};

SourceLoad load_confdir(const std::string& confdir, const ConfdirOptions& options);

/// Everything the settings ask for: confdir, plus EC2 user-data when settings.aws. User-data keys
/// other than "containers" are applied to `settings` (the caller passes a copy per run).
///
/// Merge rule: a container name declared by a containers.d file and by user-data (or twice in
/// either) is an error naming both sources; neither declaration is used and the name goes to
/// `protected_names`, so a running container of that name stays exactly as it is.
/// Last-known-good copies live in settings.cache_dir/last-known-good (not written on dry runs).
SourceLoad load_desired_state(Settings& settings);

/// Sources read after user-data and before containers.d (the fleet documents, src/fleet), so
/// user-data may name them and their settings keys apply to the rest of the run. Called with the
/// run's settings, the last-known-good store and an empty load to fill; merged by the same rule.
using MoreSources = std::function<void(Settings&, LastKnownGood&, SourceLoad&)>;
/// `parsed`: the process's cache of containers.d parses (ConfdirOptions::parsed), or none.
SourceLoad load_desired_state(Settings& settings, const MoreSources& more,
                              SpecFileCache* parsed = nullptr);

/// StrictModes, as sshd does it: an error naming the file when it, or a folder above it, is not
/// owned by root (or the user dockerup runs as) or is writable by group or others (anyone who can
/// write it decides what runs as root); a root-owned sticky folder such as /tmp is fine above it.
/// The file itself is checked with fstat on the opened file. nullopt when it is trusted or does
/// not exist (reading it will report that).
std::optional<Error> check_file_mode(const std::string& path);
/// "refusing it: WHY; it and every folder above it must be owned by root ...".
std::string untrusted_source_message(const std::string& why);

}  // namespace dockerup

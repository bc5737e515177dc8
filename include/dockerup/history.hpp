// Per-container history in the cache dir: the spec and image that run now and the ones that ran
// before, so `dockerup rollback NAME` (and the crash-loop guard) can put the previous ones back,
// and a hold that keeps a rolled-back container there until its declaration changes again.
#pragma once

#include "dockerup/cache_files.hpp"
#include "dockerup/engine.hpp"
#include "dockerup/plan.hpp"
#include "dockerup/spec.hpp"
#include "dockerup/stamped_parses.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace dockerup {

struct HistoryEntry {
  std::string spec_json;  ///< canonical_json of the spec that ran (parseable by parse_spec_text)
  std::string image_id;   ///< the image it ran, "sha256:..."
  std::int64_t since = 0;  ///< unix seconds when it started running
};

/// "Keep the rolled-back container while the declaration is still this one."
struct Hold {
  std::string spec_hash;  ///< spec_hash of the declared spec at rollback time
  std::string image_id;   ///< image the declared reference resolved to at rollback time
};

struct ContainerHistory {
  std::string name;
  std::optional<HistoryEntry> current, previous;
  std::optional<Hold> hold;
  bool rollback_requested = false;
};

/// Files `<cache_dir>/history/<name>.json`, written atomically.
class History {
 public:
  /// Problems with the files are logged (the rollback command).
  explicit History(std::string cache_dir);
  /// Problems with the files are collected as errors of `phase` (a run: take_problems).
  /// `now` is compared with file ctimes for the parse cache (see load; tests pass a clock).
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  History(std::string cache_dir, std::string phase,
          Clock now = [] { return std::chrono::system_clock::now(); });
  /// An empty history (only the name) when there is none. An unreadable file is reported and
  /// treated as empty, since history only ever adds options; one that is not exactly what
  /// save() writes (image IDs sha256:+64 hex, specs the containers.d parser accepts, this name)
  /// is moved aside as NAME.json.corrupt-TIMESTAMP (reported), never acted upon.
  /// A file whose opened stamp is that of an earlier load of this object (and was not changed
  /// within seconds of it: stamp_settled) is not read or parsed again; it is still opened
  /// through the cache dir's trust checks. Every run reads each history twice or more, and
  /// --server keeps one History: with 50 containers that was most of an idle run's CPU.
  ContainerHistory load(const std::string& name) const;
  /// How many history files load() parsed (for tests).
  std::size_t parses() const;
  /// Throws Failure naming the file when it cannot be written.
  void save(const ContainerHistory& history) const;
  /// save() that reports a failure instead of throwing; false then.
  bool try_save(const ContainerHistory& history) const;
  /// The problems collected since the last call (see the constructors).
  Errors take_problems() const { return files_.take_problems(); }
  /// The previous image of every declared container: garbage collection keeps them for
  /// rollback. (Current images are in use; histories of removed specs keep nothing.)
  std::set<std::string> kept_images(const std::vector<ContainerSpec>& declared) const;

 private:
  CacheFiles files_;
  /// Shared by copies (same files); locked, since a run's threads load histories.
  std::shared_ptr<StampedParses<ContainerHistory>> parsed_;
};

/// The declared spec with everything but name, source and update policy taken from `entry`,
/// and the image pinned to entry.image_id (Docker creates containers from an image ID).
std::optional<ContainerSpec> pinned_spec(const ContainerSpec& declared, const HistoryEntry& entry);

/// Before planning: replaces declared specs that are being rolled back (request) or are held.
/// Returns the names whose spec was replaced by a rollback this run.
std::set<std::string> apply_history(DesiredState& desired,
                                    const std::vector<ImageSummary>& images,
                                    const History& history);

}  // namespace dockerup

namespace dockerup {

struct ExecutionReport;

/// After a run: for every successful create/replace, the new container becomes `current` and
/// (for a replace) what ran before becomes `previous`. A rollback sets the hold; any other
/// replacement clears it. `declared` are the specs as the sources declared them (before
/// apply_history), `before` the containers at the start of the run.
void record_history(const History& history, const std::vector<ContainerSpec>& declared,
                    const std::set<std::string>& rolled_back, const ObservedState& before,
                    const ExecutionReport& report, const ObservedState& after, std::int64_t now);

}  // namespace dockerup

namespace dockerup {

/// Crash-loop guard: a managed container whose current version started less than `window`
/// seconds ago and already restarted more than `max_restarts` times gets a rollback request
/// (when a previous version is recorded). Inspects only such young containers. Returns their names.
std::vector<std::string> request_crash_loop_rollbacks(
    const std::vector<ContainerSummary>& containers, const History& history, Engine& engine,
    int max_restarts, std::int64_t window, std::int64_t now);

}  // namespace dockerup

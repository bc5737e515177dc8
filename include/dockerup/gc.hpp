// Garbage collection after a run: removes the images dockerup orphaned (old versions after an
// update, images of removed specs) so long-lived hosts do not fill their disks.
//
// What GC never removes, whatever the mode: an image used by any container (running or stopped,
// managed or not), an image a declared spec references, an image kept for rollback. Without
// gc=aggressive it also never removes an image dockerup neither pulled nor used (see
// gc_ledger.hpp). Containers are not GC's job: the planner removes undeclared managed containers,
// leftovers of interrupted replacements and, with exclusive=true, every undeclared container, and
// the executor removes their anonymous volumes (unless gc_keep_volumes).
#pragma once

#include "dockerup/engine.hpp"
#include "dockerup/error.hpp"
#include "dockerup/settings.hpp"
#include "dockerup/spec.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace dockerup {

struct GcInputs {
  std::vector<ContainerSummary> containers;  ///< every container after the run
  std::vector<ImageSummary> images;          ///< every image after the run
  std::vector<ContainerSpec> specs;          ///< what the sources declare
  GcMode mode = GcMode::On;
  std::set<std::string> known_images;  ///< IDs dockerup pulled or a managed container used
  std::set<std::string> keep_images;   ///< IDs the rollback history still needs
};

/// One image to remove (GC removes only images; see the top of this file).
struct GcItem {
  std::string id;                 ///< "sha256:..."
  std::vector<std::string> tags;  ///< "app:v1"; empty for a dangling image
  std::int64_t size = 0;          ///< bytes as the engine reports them (shared layers included)
  std::string reason;             ///< "no longer used by any container"

  /// "image sha256:0123456789ab (app:v1), 1.2 MiB: no longer used by any container"
  std::string describe() const;
};

struct GcPlan {
  std::vector<GcItem> items;
  std::int64_t bytes() const;
};

/// Decides what to remove. Pure: no I/O, no logging. Plans nothing when mode is Off.
GcPlan plan_gc(const GcInputs& inputs);

struct GcFailure {
  GcItem item;
  std::string error;
};

struct GcReport {
  bool dry_run = false;  ///< true: nothing was removed, `planned` is what would be
  GcPlan planned;
  std::vector<GcItem> removed;
  std::vector<GcFailure> failures;
  std::int64_t bytes_freed = 0;
  /// The image ledger could not be read or saved, or was corrupt (moved aside): errors of the
  /// run's "gc" phase (cache_error). GC itself went on.
  Errors cache_errors;
};

/// Removes the planned items one by one. A failure (an image that came into use meanwhile: 409)
/// is logged and kept in the report; the rest is still removed. Logs each removal and a summary.
GcReport run_gc(const GcPlan& plan, Engine& engine);

/// What GC needs to know about the run it follows, and nothing more.
struct GcRunFacts {
  bool observed_completely = false;  ///< the engine was listed completely before and after
  const std::set<std::string>& failed_sources;  ///< sources that could not be read this run
  const std::vector<ContainerSpec>& specs;      ///< what the sources declare
  const std::vector<ContainerSummary>& containers_before;  ///< at the start of the run
  const std::vector<ContainerSummary>& containers_after;   ///< at the end of the run
  const std::vector<ImageSummary>& images_after;
};

/// The GC step of a run: records which images dockerup used in the ledger
/// (<cache_dir>/images.json), plans, and removes (with settings.dry_run: only plans, changes
/// nothing, and returns the plan in `planned`). Does nothing when the run did not observe the
/// engine completely, or when a source could not be read (its specs' images are unknown).
/// `keep_images`: image IDs the rollback history still needs. A removal that fails is a warning
/// in the report; a ledger that cannot be read or saved is in report.cache_errors.
GcReport collect_garbage(const Settings& settings, const GcRunFacts& run, Engine& engine,
                         const std::set<std::string>& keep_images);

/// Lines for --dry-run: "would remove image sha256:0123456789ab (app:v1), 1.2 MiB: no longer
/// used by any container", then "gc would free 1.2 MiB"; "gc: nothing to remove" when empty.
std::vector<std::string> describe_gc_plan(const GcPlan& plan);

/// "512 B", "3.4 KiB", "1.2 MiB", "2.0 GiB" (base 1024, one decimal).
std::string format_size(std::int64_t bytes);

}  // namespace dockerup

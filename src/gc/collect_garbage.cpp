// collect_garbage: the GC step of one run. It keeps the image ledger current (even with gc=off,
// so that turning GC on later knows which images are dockerup's), then plans and removes.
#include "dockerup/gc.hpp"
#include "dockerup/gc_ledger.hpp"
#include "dockerup/image_ref.hpp"
#include "dockerup/labels.hpp"
#include "dockerup/log.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace dockerup {
namespace {

/// Why GC must not run after this run, or "" when it may.
std::string reason_to_skip(const GcRunFacts& run) {
  if (!run.observed_completely) return "the engine could not be observed completely";
  if (!run.failed_sources.empty())
    return fmt::format("some sources could not be read ({}), so what they declare is unknown",
                       fmt::join(run.failed_sources, ", "));
  return {};
}

/// The images dockerup is responsible for: those its containers run, and those its specs name
/// (it pulled them, or would have). A previous version becomes garbage only once it is recorded
/// here while still in use, which happens in the run that created its container.
void record_usage(ImageLedger& ledger, const GcRunFacts& run) {
  // Both looks: a container replaced in this run ran its old image only in the first one.
  for (const auto* containers : {&run.containers_before, &run.containers_after})
    for (const auto& container : *containers)
      if (container.managed()) ledger.add(container.image_id);
  for (const auto& spec : run.specs)
    if (auto id = find_image_id(spec.image, run.images_after)) ledger.add(*id);
  ledger.forget_missing(run.images_after);
}


}  // namespace

GcReport collect_garbage(const Settings& settings, const GcRunFacts& run, Engine& engine,
                         const std::set<std::string>& keep_images) {
  GcReport report;
  report.dry_run = settings.dry_run;
  if (std::string why = reason_to_skip(run); !why.empty()) {
    if (settings.gc != GcMode::Off) log_info("gc: skipped: {}", why);
    return report;
  }

  ImageLedger ledger = ImageLedger::load(settings.cache_dir, cache_phase::gc);
  record_usage(ledger, run);

  GcInputs inputs{.containers = run.containers_after,
                  .images = run.images_after,
                  .specs = run.specs,
                  .mode = settings.gc,
                  .known_images = ledger.images(),
                  .keep_images = keep_images};
  GcPlan plan = plan_gc(inputs);
  if (settings.dry_run) {  // a dry run changes nothing, not even the ledger
    report.planned = std::move(plan);
    report.cache_errors = ledger.take_problems();
    return report;
  }

  report = run_gc(plan, engine);
  for (const auto& item : report.removed) ledger.forget(item.id);
  // The removals are done; a ledger not saved (reported) only means an image may be kept one
  // run longer.
  if (ledger.changed()) ledger.try_save();
  report.cache_errors = ledger.take_problems();
  return report;
}

}  // namespace dockerup

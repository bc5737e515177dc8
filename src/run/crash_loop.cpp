#include "dockerup/history.hpp"
#include "dockerup/log.hpp"

namespace dockerup {

std::vector<std::string> request_crash_loop_rollbacks(
    const std::vector<ContainerSummary>& containers, const History& history, Engine& engine,
    int max_restarts, std::int64_t window, std::int64_t now) {
  std::vector<std::string> names;
  for (const auto& c : containers) {
    if (!c.managed()) continue;
    if (now - c.created > window) continue;  // only young containers: no inspect otherwise
    ContainerHistory h = history.load(c.name);
    if (!h.previous || !h.current || h.rollback_requested || h.hold) continue;
    if (h.current->image_id != c.image_id) continue;  // not the version the history describes
    int restarts = 0;
    try {
      restarts = engine.inspect_container(c.id).restart_count;
    } catch (const std::exception& e) {
      log_warning("cannot inspect {} for restarts: {}", c.name, e.what());
      continue;
    }
    if (restarts <= max_restarts) continue;
    h.rollback_requested = true;
    // Not recorded (reported): no rollback this run; the next run finds the loop again.
    if (!history.try_save(h)) continue;
    log_error("{} restarted {} times within {} s of its update: rolling it back to {}", c.name,
              restarts, now - c.created, h.previous->image_id);
    names.push_back(c.name);
  }
  return names;
}

}  // namespace dockerup

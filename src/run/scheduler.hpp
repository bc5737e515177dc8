// A small scheduler: runs the nodes of a dependency graph on a bounded pool of threads. Used by
// the executor (actions of a plan) and by the pull phase (image references, no dependencies).
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace dockerup {

struct ScheduleResult {
  std::vector<bool> ran;  ///< per node: it was started (and has finished)
  bool stopped = false;   ///< may_start said no: the nodes not started were skipped
};

/// Runs task(i) for every node i of `after`, where after[i] lists the nodes that must finish
/// before i starts (each lower than i). At most `workers` tasks run at once; among the ready
/// nodes the lowest index goes first, so with one worker the nodes run exactly in index order
/// (on the calling thread). `may_start` is asked before each start: once it answers false,
/// nothing new starts and the running tasks finish. `task` must not throw.
ScheduleResult run_scheduled(const std::vector<std::vector<std::size_t>>& after, int workers,
                             const std::function<void(std::size_t)>& task,
                             const std::function<bool()>& may_start);

}  // namespace dockerup

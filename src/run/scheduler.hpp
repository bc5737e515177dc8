// A small scheduler: runs the nodes of a dependency graph on a bounded pool of threads. Used by
// the executor (actions of a plan) and by the pull phase (image references, no dependencies).
//
// Two limits: `in_flight` tasks may be started and not finished (one thread each), and of those
// at most `working` hold a work slot at once. A task starts holding a slot and may hand it back
// around a pure wait (TaskSlot::released_while): while it sleeps or waits for a container to
// stop, another task does its engine work. So waits overlap up to `in_flight` while the work
// sent to the engine stays bounded by `working`.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace dockerup {

class Scheduler;  // scheduler.cpp

/// A running task's work slot. Passed to the task; valid while the task runs.
class TaskSlot {
 public:
  explicit TaskSlot(Scheduler& scheduler) : scheduler_(scheduler) {}
  /// Runs `wait` without holding the slot, then takes a slot again before it returns (or
  /// rethrows what `wait` threw). A task taking its slot back goes before any task not yet
  /// started: it finishes what it began before new work begins.
  void released_while(const std::function<void()>& wait);

 private:
  Scheduler& scheduler_;
};

struct ScheduleLimits {
  int working = 1;    ///< tasks holding a work slot at once (at least 1)
  int in_flight = 1;  ///< tasks started and not finished, waiting ones included (>= working)
};

struct ScheduleResult {
  std::vector<bool> ran;  ///< per node: it was started (and has finished)
  bool stopped = false;   ///< may_start said no: the nodes not started were skipped
};

/// Runs task(i, slot) for every node i of `after`, where after[i] lists the nodes that must
/// finish before i starts (each lower than i). A node starts when it is ready, a work slot is
/// free and fewer than `in_flight` tasks run; among the ready nodes the lowest index goes first,
/// so with in_flight 1 the nodes run exactly in index order (on the calling thread). `may_start`
/// is asked before each start: once it answers false, nothing new starts and the running tasks
/// finish. `task` must not throw.
ScheduleResult run_scheduled(const std::vector<std::vector<std::size_t>>& after,
                             ScheduleLimits limits,
                             const std::function<void(std::size_t, TaskSlot&)>& task,
                             const std::function<bool()>& may_start);

/// The same for tasks that never hand their slot back: at most `workers` run at once.
ScheduleResult run_scheduled(const std::vector<std::vector<std::size_t>>& after, int workers,
                             const std::function<void(std::size_t)>& task,
                             const std::function<bool()>& may_start);

}  // namespace dockerup

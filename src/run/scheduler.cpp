#include "scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace dockerup {

/// Shared by the workers; every field is guarded by `mutex_`. Nodes and work slots are taken
/// under the same lock, so a node starts only together with its slot.
class Scheduler {
 public:
  Scheduler(const std::vector<std::vector<std::size_t>>& after, int working,
            const std::function<void(std::size_t, TaskSlot&)>& task,
            const std::function<bool()>& may_start)
      : after_(after), task_(task), may_start_(may_start), free_slots_(std::max(working, 1)),
        states_(after.size(), State::Waiting) {}

  /// One worker: takes the lowest ready node with a free slot, runs it outside the lock,
  /// repeats. Returns when nothing is left to start (all done, stopped, or nothing can become
  /// ready any more).
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      auto next = stopped_ || !slot_for_new_task() ? std::nullopt : ready();
      if (!next) {
        if (stopped_ || running_ == 0) return;
        changed_.wait(lock);  // a task finishing or waiting may free a slot or make a node ready
        continue;
      }
      if (!may_start_()) {
        stopped_ = true;
        changed_.notify_all();
        return;
      }
      states_[*next] = State::Running;
      ++running_;
      --free_slots_;
      lock.unlock();
      TaskSlot slot(*this);
      task_(*next, slot);
      lock.lock();
      states_[*next] = State::Done;
      --running_;
      ++free_slots_;
      changed_.notify_all();
    }
  }

  /// TaskSlot::released_while, first half: the slot goes to whoever waits for one.
  void give_back_slot() {
    std::lock_guard lock(mutex_);
    ++free_slots_;
    changed_.notify_all();
  }

  /// Second half: waits for a free slot, ahead of the tasks not yet started.
  void take_slot_back() {
    std::unique_lock lock(mutex_);
    ++returning_;
    changed_.wait(lock, [this] { return free_slots_ > 0; });
    --free_slots_;
    --returning_;
    changed_.notify_all();  // with no task returning any more, new tasks may take free slots
  }

  ScheduleResult result() const {
    ScheduleResult result;
    for (auto state : states_) result.ran.push_back(state == State::Done);
    result.stopped = stopped_;
    return result;
  }

 private:
  enum class State { Waiting, Running, Done };

  bool slot_for_new_task() const { return free_slots_ > 0 && returning_ == 0; }

  std::optional<std::size_t> ready() const {
    for (std::size_t i = 0; i < states_.size(); ++i) {
      if (states_[i] != State::Waiting) continue;
      if (std::all_of(after_[i].begin(), after_[i].end(),
                      [this](std::size_t j) { return states_[j] == State::Done; }))
        return i;
    }
    return std::nullopt;
  }

  const std::vector<std::vector<std::size_t>>& after_;
  const std::function<void(std::size_t, TaskSlot&)>& task_;
  const std::function<bool()>& may_start_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int free_slots_;
  int returning_ = 0;  ///< tasks waiting to take their slot back
  std::vector<State> states_;
  int running_ = 0;
  bool stopped_ = false;
};

void TaskSlot::released_while(const std::function<void()>& wait) {
  // Taken back on every way out: the task goes on (or unwinds) holding a slot, as it started.
  struct TakeBack {
    Scheduler& scheduler;
    ~TakeBack() { scheduler.take_slot_back(); }
  };
  scheduler_.give_back_slot();
  TakeBack take_back{scheduler_};
  wait();
}

ScheduleResult run_scheduled(const std::vector<std::vector<std::size_t>>& after,
                             ScheduleLimits limits,
                             const std::function<void(std::size_t, TaskSlot&)>& task,
                             const std::function<bool()>& may_start) {
  Scheduler scheduler(after, limits.working, task, may_start);
  int threads = std::max({limits.in_flight, limits.working, 1});
  auto helpers = std::min<std::size_t>(static_cast<std::size_t>(threads),
                                       std::max<std::size_t>(after.size(), 1)) - 1;
  {
    std::vector<std::jthread> pool;  // the calling thread is the first worker
    for (std::size_t i = 0; i < helpers; ++i) pool.emplace_back([&scheduler] { scheduler.work(); });
    scheduler.work();
  }  // jthreads join here
  return scheduler.result();
}

ScheduleResult run_scheduled(const std::vector<std::vector<std::size_t>>& after, int workers,
                             const std::function<void(std::size_t)>& task,
                             const std::function<bool()>& may_start) {
  return run_scheduled(after, {.working = workers, .in_flight = workers},
                       [&task](std::size_t i, TaskSlot&) { task(i); }, may_start);
}

}  // namespace dockerup

#include "scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace dockerup {
namespace {

enum class State { Waiting, Running, Done };

/// Shared by the workers; every field is guarded by `mutex`.
class Scheduler {
 public:
  Scheduler(const std::vector<std::vector<std::size_t>>& after,
            const std::function<void(std::size_t)>& task, const std::function<bool()>& may_start)
      : after_(after), task_(task), may_start_(may_start), states_(after.size(), State::Waiting) {}

  /// One worker: takes the lowest ready node, runs it outside the lock, repeats. Returns when
  /// nothing is left to start (all done, stopped, or nothing can become ready any more).
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      auto next = stopped_ ? std::nullopt : ready();
      if (!next) {
        if (stopped_ || running_ == 0) return;
        changed_.wait(lock);  // a running task finishing may make a node ready
        continue;
      }
      if (!may_start_()) {
        stopped_ = true;
        changed_.notify_all();
        return;
      }
      states_[*next] = State::Running;
      ++running_;
      lock.unlock();
      task_(*next);
      lock.lock();
      states_[*next] = State::Done;
      --running_;
      changed_.notify_all();
    }
  }

  ScheduleResult result() const {
    ScheduleResult result;
    for (auto state : states_) result.ran.push_back(state == State::Done);
    result.stopped = stopped_;
    return result;
  }

 private:
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
  const std::function<void(std::size_t)>& task_;
  const std::function<bool()>& may_start_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<State> states_;
  int running_ = 0;
  bool stopped_ = false;
};

}  // namespace

ScheduleResult run_scheduled(const std::vector<std::vector<std::size_t>>& after, int workers,
                             const std::function<void(std::size_t)>& task,
                             const std::function<bool()>& may_start) {
  Scheduler scheduler(after, task, may_start);
  auto helpers = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(workers, 1)), 1,
                                         std::max<std::size_t>(after.size(), 1)) - 1;
  {
    std::vector<std::jthread> pool;  // the calling thread is the first worker
    for (std::size_t i = 0; i < helpers; ++i) pool.emplace_back([&scheduler] { scheduler.work(); });
    scheduler.work();
  }  // jthreads join here
  return scheduler.result();
}

}  // namespace dockerup

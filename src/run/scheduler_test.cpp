#include "scheduler.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace dockerup {
namespace {

using Graph = std::vector<std::vector<std::size_t>>;

/// Holds each task until `size` tasks are inside at once, or gives up after a bound (the test
/// then fails on `met`): proves tasks overlap without measuring time.
struct Meeting {
  std::mutex mutex;
  std::condition_variable cv;
  int size;
  int inside = 0, arrived = 0, max_inside = 0;
  bool met_always = true;

  explicit Meeting(int size) : size(size) {}
  void attend() {
    std::unique_lock lock(mutex);
    ++inside;
    max_inside = std::max(max_inside, inside);
    int group = arrived++ / size;
    cv.notify_all();
    bool met = cv.wait_for(lock, std::chrono::seconds(20),
                           [&] { return arrived >= (group + 1) * size; });
    met_always = met_always && met;
    --inside;
  }
};

}  // namespace

TEST_CASE("one worker runs every node in index order on the calling thread") {
  std::vector<std::size_t> order;
  Graph graph{{}, {}, {0}, {}, {1, 2}};
  auto caller = std::this_thread::get_id();
  bool same_thread = true;
  auto result = run_scheduled(graph, 1, [&](std::size_t i) {
    order.push_back(i);
    same_thread = same_thread && std::this_thread::get_id() == caller;
  }, [] { return true; });
  CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK(same_thread);
  CHECK(result.ran == std::vector<bool>(5, true));
  CHECK_FALSE(result.stopped);
}

TEST_CASE("independent nodes run at the same time, never more than the workers") {
  Meeting meeting(3);
  Graph graph(9);
  auto result = run_scheduled(graph, 3, [&](std::size_t) { meeting.attend(); }, [] { return true; });
  CHECK(meeting.met_always);
  CHECK(meeting.max_inside == 3);
  CHECK(result.ran == std::vector<bool>(9, true));
}

TEST_CASE("a node starts only after the nodes it waits for finished") {
  std::mutex mutex;
  std::vector<bool> done(6, false);
  bool respected = true;
  Graph graph{{}, {}, {0, 1}, {2}, {}, {3, 4}};
  run_scheduled(graph, 4, [&](std::size_t i) {
    std::lock_guard lock(mutex);
    for (auto before : graph[i]) respected = respected && done[before];
    done[i] = true;
  }, [] { return true; });
  CHECK(respected);
  CHECK(done == std::vector<bool>(6, true));
}

TEST_CASE("once may_start says no, nothing new starts and the result says so") {
  int started = 0;
  Graph graph(5);
  auto result = run_scheduled(graph, 1, [&](std::size_t) { ++started; },
                              [&] { return started < 2; });
  CHECK(started == 2);
  CHECK(result.stopped);
  CHECK(result.ran == std::vector<bool>{true, true, false, false, false});
}

TEST_CASE("a stop while tasks run lets them finish") {
  Meeting meeting(2);
  std::mutex mutex;
  int asked = 0;
  Graph graph(4);
  // Both first tasks are admitted; the third start is refused while they are still inside.
  auto result = run_scheduled(graph, 2, [&](std::size_t) { meeting.attend(); }, [&] {
    std::lock_guard lock(mutex);
    return ++asked <= 2;
  });
  CHECK(meeting.met_always);
  CHECK(result.stopped);
  CHECK(result.ran == std::vector<bool>{true, true, false, false});
}

TEST_CASE("tasks waiting without their slot let others work: waits overlap, work stays bounded") {
  Meeting work(2);   // each work section waits for a partner: both slots in use together
  Meeting waits(6);  // every task's wait under way at once
  Graph graph(6);
  ScheduleLimits limits{.working = 2, .in_flight = 6};
  auto result = run_scheduled(graph, limits, [&](std::size_t, TaskSlot& slot) {
    work.attend();
    slot.released_while([&] { waits.attend(); });
    work.attend();
  }, [] { return true; });
  CHECK(waits.met_always);
  CHECK(waits.max_inside == 6);
  CHECK(work.met_always);
  CHECK(work.max_inside == 2);  // never a third task working
  CHECK(result.ran == std::vector<bool>(6, true));
}

TEST_CASE("in_flight bounds the tasks in progress, waiting ones included") {
  Meeting waits(3);
  Graph graph(6);
  ScheduleLimits limits{.working = 1, .in_flight = 3};
  auto result = run_scheduled(graph, limits, [&](std::size_t, TaskSlot& slot) {
    slot.released_while([&] { waits.attend(); });
  }, [] { return true; });
  CHECK(waits.met_always);
  CHECK(waits.max_inside == 3);
  CHECK(result.ran == std::vector<bool>(6, true));
}

TEST_CASE("an empty graph runs nothing") {
  auto result = run_scheduled({}, 8, [](std::size_t) { FAIL("no task"); }, [] { return true; });
  CHECK(result.ran.empty());
  CHECK_FALSE(result.stopped);
}

}  // namespace dockerup

// Planner and no-op reconcile cost as the number of containers grows. Run:
//   build/bench/plan_bench
// Prints, per size, the median time of make_plan and of a whole no-op reconcile_once against the
// in-memory engine, and how many Engine API calls that no-op run made (must stay constant).
#include "dockerup/labels.hpp"
#include "dockerup/executor.hpp"
#include "dockerup/plan.hpp"
#include "dockerup/reconciler.hpp"

#include "fake_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace dockerup;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<ContainerSpec> make_specs(int count) {
  std::vector<ContainerSpec> specs;
  for (int i = 0; i < count; ++i) {
    ContainerSpec spec;
    spec.name = "c" + std::to_string(i);
    spec.image = "app:v1";
    spec.source = "/conf/" + spec.name + ".json";
    spec.env = {{"INDEX", std::to_string(i)}, {"MODE", "bench"}};
    spec.ports.push_back({8080, std::nullopt, "tcp", ""});
    if (i > 0 && i % 10 == 0) spec.links["c" + std::to_string(i - 1)] = "previous";
    specs.push_back(spec);
  }
  return specs;
}

template <typename F>
double median_ms(int repeats, F&& f) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    auto start = Clock::now();
    f();
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main() {
  std::printf("%8s %14s %18s %12s\n", "specs", "make_plan ms", "no-op run ms", "API calls");
  for (int count : {10, 100, 1000, 5000}) {
    auto specs = make_specs(count);
    testing::FakeEngine engine;
    engine.add_image("app:v1", "sha256:v1");
    for (const auto& spec : specs) {
      ContainerSummary c;
      c.name = spec.name;
      c.image = spec.image;
      c.image_id = "sha256:v1";
      c.state = "running";
      c.labels = managed_labels(spec);
      engine.add_container(c);
    }
    DesiredState desired;
    desired.specs = specs;
    desired.complete_sources = {"/conf"};
    ObservedState observed{engine.list_containers(), engine.list_images()};

    double plan_ms = median_ms(9, [&] {
      auto plan = make_plan(desired, observed, {});
      if (!plan.actions.empty()) std::abort();  // a no-op must plan nothing
    });

    Settings settings;
    settings.pull = false;
    RunContext context{engine, [&](Settings&) { return desired; },
                       ExecutorHooks{[](int) {}, [] { return false; }}, nullptr, {}, false, {}};
    engine.clear_calls();
    reconcile_once(settings, context);
    std::size_t calls = engine.calls().size();
    double run_ms = median_ms(9, [&] { reconcile_once(settings, context); });
    std::printf("%8d %14.3f %18.3f %12zu\n", count, plan_ms, run_ms, calls);
  }
  return 0;
}

// The executor: carries out a Plan against an Engine. Actions that do not depend on each other
// (see action_graph in plan.hpp) run at the same time. `parallel` bounds the engine work done at
// once (creates, starts, renames, removals, inspections); an action's waits (start_wait,
// rolling_wait, health polling, the old container's stop_timeout) happen inside its own task
// without holding one of those `parallel` slots, so N independent replacements take about one
// wait. At most kTasksPerSlot × `parallel` actions are in progress at once (one thread each);
// parallel=1 does one action at a time, waits included, on the calling thread. A failed
// action is reported and the run goes on with the others; a replacement that fails puts the
// previous container back, so a failure never leaves a declared service without a container.
#pragma once

#include "dockerup/engine.hpp"
#include "dockerup/error.hpp"
#include "dockerup/plan.hpp"

#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace dockerup {

class TaskSlot;  // src/run/scheduler.hpp

/// Actions in progress (mostly waiting) per `parallel` slot: 4 × the maximum parallel=64 keeps
/// a run at 256 threads, and the default 32 lets 128 replacements wait together.
inline constexpr int kTasksPerSlot = 4;

struct ExecutorOptions {
  int stop_timeout = 10;  ///< seconds between the stop signal and SIGKILL
  int start_wait = 2;     ///< seconds a replacement must stay up before the old one goes
  int rolling_wait = 10;  ///< rolling, no HEALTHCHECK: seconds the new one must stay up
  int health_timeout = 120;  ///< rolling with HEALTHCHECK: seconds to wait for "healthy"
  bool remove_volumes = true;  ///< remove anonymous volumes of removed containers
  /// ID of the container this dockerup runs in (empty outside a container): replacing it is a
  /// hand-over to the new container, never a stop of ourselves half-way through.
  std::string self_id = {};
  /// Credentials for pulls (null: anonymous). Owned by the run.
  RegistryAuthSource* auth = nullptr;
  /// How many actions may do engine work at once (waits excluded, see above); 1 runs them one
  /// by one in plan order.
  int parallel = 32;
  /// Print failures as Docker said them; otherwise they pass the env filter (redact.hpp).
  bool show_secrets = false;
};

/// Injected so tests neither sleep nor need signals.
struct ExecutorHooks {
  /// Default: real sleep. Called from several threads at once when parallel > 1.
  std::function<void(int seconds)> sleep = {};
  std::function<bool()> stop_requested = {};  ///< checked before each action starts (SIGTERM)
};

struct ActionOutcome {
  Action action;
  std::optional<Error> error;
};

struct ExecutionReport {
  std::vector<ActionOutcome> outcomes;  ///< the actions that ran, in plan order
  bool interrupted = false;  ///< some actions were not started because a stop was requested
  /// Set when this dockerup replaced its own container: the new instance takes over once this
  /// one releases the lock; the caller must not run again, and waits to be stopped.
  std::string handed_over_to;
  std::size_t failures() const;
};

class Executor {
 public:
  Executor(Engine& engine, ExecutorOptions options, ExecutorHooks hooks = {});
  /// Safe to call once at a time; the actions of one plan run on a bounded pool of threads.
  ExecutionReport execute(const Plan& plan);

 private:
  // Every action step gets its task's slot: its waits hand the slot back (wait_stopped, pause).
  ActionOutcome perform(const Action& action, TaskSlot& slot);  // one task: never throws
  void run(const Action& action, TaskSlot& slot);
  void remove(const Action& action, TaskSlot& slot);
  void create(const Action& action);
  void replace(const Action& action, TaskSlot& slot);
  void replace_default(const Action& action, TaskSlot& slot);
  void replace_eager(const Action& action, TaskSlot& slot);
  void replace_self(const Action& action, TaskSlot& slot);
  std::string create_and_start(const ContainerSpec& spec, const std::string& docker_name,
                               std::string_view managed_value, TaskSlot& slot);
  void prove_running(const std::string& id, int wait_seconds, TaskSlot& slot);
  void prove_healthy(const std::string& id, TaskSlot& slot);
  void wait_stopped(const std::string& id, TaskSlot& slot);
  void stop_quietly(const std::string& id, TaskSlot& slot);
  void pause(int seconds, TaskSlot& slot);
  const RegistryAuth* credentials_for(const std::string& image);

  Engine& engine_;  ///< shared by the tasks: Engine implementations are thread-safe
  ExecutorOptions options_;
  ExecutorHooks hooks_;
  std::mutex mutex_;  ///< guards options_.auth's lookups and the two fields below
  std::string halted_rolling_;  ///< why the remaining rolling replacements are not started
  std::string handed_over_to_;
};

/// The labels dockerup gives a container created for `spec` (`managed_value`: labels.hpp).
Labels managed_labels(const ContainerSpec& spec,
                      std::string_view managed_value = labels::managed_value);

/// True when the spec binds a fixed host port: two copies cannot run at once (no eager).
bool has_fixed_host_port(const ContainerSpec& spec);

}  // namespace dockerup

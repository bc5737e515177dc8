// The work of one action: remove, create, start, rename, and the three ways to replace. Each
// runs inside its own task (see executor.cpp), waits included, and either finishes or restores
// what it found before it throws. A task holds one of the `parallel` work slots for its engine
// calls and hands it back while it only waits (wait_stopped, pause).
#include "dockerup/executor.hpp"

#include "scheduler.hpp"

#include "dockerup/labels.hpp"
#include "dockerup/log.hpp"

#include <fmt/format.h>

namespace dockerup {

void Executor::run(const Action& action, TaskSlot& slot) {
  switch (action.type) {
    case ActionType::Remove: return remove(action, slot);
    case ActionType::Pull: return engine_.pull(action.image, credentials_for(action.image));
    case ActionType::Create: return create(action);
    case ActionType::Start: return engine_.start(action.container_id);
    case ActionType::Replace: return replace(action, slot);
    case ActionType::Rename: return engine_.rename(action.container_id, action.name);
  }
}

/// The lookup may be shared with other tasks and is not known to be thread-safe: one at a time.
const RegistryAuth* Executor::credentials_for(const std::string& image) {
  if (!options_.auth) return nullptr;
  std::lock_guard lock(mutex_);
  return options_.auth->for_image(image);
}

void Executor::remove(const Action& action, TaskSlot& slot) {
  wait_stopped(action.container_id, slot);
  engine_.remove(action.container_id, options_.remove_volumes);
}

void Executor::create(const Action& action) {
  auto id = engine_.create(
      {action.spec->name, *action.spec, managed_labels(*action.spec, action.managed_value)});
  engine_.start(id);
}

std::string Executor::create_and_start(const ContainerSpec& spec, const std::string& docker_name,
                                       std::string_view managed_value, TaskSlot& slot) {
  auto id = engine_.create({docker_name, spec, managed_labels(spec, managed_value)});
  try {
    engine_.start(id);
    if (spec.update.rolling)
      prove_healthy(id, slot);
    else
      prove_running(id, options_.start_wait, slot);
  } catch (...) {
    // Never leave a half-made replacement behind: the caller restores the previous one.
    try {
      engine_.remove(id, true);
    } catch (const std::exception& e) {
      log_warning("could not remove failed container {}: {}", docker_name, e.what());
    }
    throw;
  }
  return id;
}

/// A new container counts as started when it is still running after `wait_seconds`, or when it
/// is a one-shot container (restart "no") that already finished with exit code 0.
void Executor::prove_running(const std::string& id, int wait_seconds, TaskSlot& slot) {
  if (wait_seconds > 0) pause(wait_seconds, slot);
  auto details = engine_.inspect_container(id);
  // A restart count above zero means it already died at least once: a crash loop caught while it
  // happens to be up would otherwise pass a single look.
  if (details.restart_count == 0) {
    if (details.running && !details.restarting) return;
    if (!details.running && details.exit_code == 0) return;
  }
  std::string why = details.restart_count > 0
                        ? fmt::format("restarted {} time(s) (last exit code {})",
                                      details.restart_count, details.exit_code)
                    : details.restarting ? "keeps restarting"
                                         : fmt::format("exited with code {}", details.exit_code);
  if (!details.error.empty()) why += fmt::format(" ({})", details.error);
  fail("the new container {} within {} s", why, wait_seconds);
}

/// Rolling replacements must be healthy before the next one starts: Docker's HEALTHCHECK status
/// when the image has one, otherwise still running after rolling_wait seconds.
void Executor::prove_healthy(const std::string& id, TaskSlot& slot) {
  auto details = engine_.inspect_container(id);
  if (details.health.empty()) return prove_running(id, options_.rolling_wait, slot);
  for (int waited = 0;; ++waited) {
    if (!details.running || details.restarting || details.restart_count > 0)
      fail("the new container stopped before it became healthy (exit code {})", details.exit_code);
    if (details.health == "healthy") return;
    if (details.health == "unhealthy") fail("the new container's health check reports unhealthy");
    if (waited >= options_.health_timeout)
      fail("the new container was not healthy after {} s (health: {})", options_.health_timeout,
           details.health);
    pause(1, slot);
    details = engine_.inspect_container(id);
  }
}

/// Docker's stop sends the signal and then blocks until the container exits or stop_timeout
/// passes (then SIGKILL), while the engine has nothing to do: that wait is why the slot is handed
/// back around the whole call. Sending the signal and polling for "not running" ourselves would
/// re-implement Docker's timeout and SIGKILL and add an inspect per poll, for nothing.
void Executor::wait_stopped(const std::string& id, TaskSlot& slot) {
  slot.released_while([&] { engine_.stop(id, options_.stop_timeout); });
}

/// A pure wait (start_wait, rolling_wait, a health poll's second): no engine work, no slot.
void Executor::pause(int seconds, TaskSlot& slot) {
  slot.released_while([&] { hooks_.sleep(seconds); });
}

void Executor::stop_quietly(const std::string& id, TaskSlot& slot) {
  try {
    wait_stopped(id, slot);
  } catch (const std::exception& e) {
    log_warning("could not stop {}: {}", id, e.what());
  }
}

void Executor::replace(const Action& action, TaskSlot& slot) {
  const auto& spec = *action.spec;
  if (!options_.self_id.empty() && action.container_id == options_.self_id)
    return replace_self(action, slot);
  if (spec.update.eager && !has_fixed_host_port(spec)) return replace_eager(action, slot);
  if (spec.update.eager)
    Logger::instance().log(LogLevel::Info, {spec.name, "replace"},
                           "eager update impossible: a fixed hostPort cannot be bound twice; "
                           "stopping the old container first");
  replace_default(action, slot);
}

/// Default order: stop the old container and put it aside under a temporary name, start the new
/// one under the declared name, and remove the old one only once the new one is proven. Any
/// failure puts the old one back under its name, running again if it was running.
void Executor::replace_default(const Action& action, TaskSlot& slot) {
  const auto& spec = *action.spec;
  const std::string& old_id = action.container_id;
  const std::string aside = spec.name + std::string(labels::old_suffix);
  bool was_running = engine_.inspect_container(old_id).running;

  wait_stopped(old_id, slot);
  try {
    engine_.rename(old_id, aside);
  } catch (...) {
    if (was_running) engine_.start(old_id);
    throw;
  }
  try {
    create_and_start(spec, spec.name, action.managed_value, slot);
  } catch (const std::exception& e) {
    std::string restored = "the previous container was restored";
    try {
      engine_.rename(old_id, spec.name);
      if (was_running) engine_.start(old_id);
    } catch (const std::exception& again) {
      restored = fmt::format("restoring the previous container failed too ({}); the next run "
                             "repairs it", again.what());
    }
    fail("{}; {}", e.what(), restored);
  }
  engine_.remove(old_id, options_.remove_volumes);
}

/// Eager order: the new container starts under a temporary name while the old one still serves;
/// only when the new one is proven is the old one stopped and removed and the new one renamed.
void Executor::replace_eager(const Action& action, TaskSlot& slot) {
  const auto& spec = *action.spec;
  const std::string temporary = spec.name + std::string(labels::new_suffix);
  std::string new_id;
  try {
    new_id = create_and_start(spec, temporary, action.managed_value, slot);
  } catch (const std::exception& e) {
    fail("{}; the running container was left untouched", e.what());
  }
  try {
    wait_stopped(action.container_id, slot);
  } catch (const std::exception& e) {
    // The old one may still run: two running copies must not outlive the run, and the old one
    // is the proven one, so the new one goes.
    stop_quietly(new_id, slot);
    engine_.remove(new_id, true);
    fail("stopping the old container failed: {}; the new one was removed", e.what());
  }
  try {
    engine_.remove(action.container_id, options_.remove_volumes);
  } catch (const std::exception& e) {
    // The old one is stopped and the new one serves: keep the new one, put the old one aside
    // (the next run removes it as a leftover).
    engine_.rename(action.container_id, spec.name + std::string(labels::old_suffix));
    engine_.rename(new_id, spec.name);
    fail("removing the old container failed: {}; it was put aside and the new one runs",
         e.what());
  }
  engine_.rename(new_id, spec.name);
}

/// Self-update. Stopping our own container would kill us between two steps, so the old instance
/// never stops itself: it starts the new container under the temporary name, proves it, steps
/// aside (renames itself to the ".dockerup-old" name) and gives the declared name to the new one.
/// The new instance waits for the run lock; once we release it, its first run finds us as a
/// leftover and stops and removes us through the API (so no restart policy brings us back).
void Executor::replace_self(const Action& action, TaskSlot& slot) {
  const auto& spec = *action.spec;
  if (!spec.update.eager)
    Logger::instance().log(LogLevel::Warning, {spec.name, "replace"},
                           "dockerup's own container is always replaced eagerly: it cannot stop "
                           "itself first");
  const std::string temporary = spec.name + std::string(labels::new_suffix);
  std::string new_id;
  try {
    new_id = create_and_start(spec, temporary, action.managed_value, slot);
  } catch (const std::exception& e) {
    fail("{}; this dockerup keeps running", e.what());
  }
  const std::string aside = spec.name + std::string(labels::old_suffix);
  engine_.rename(action.container_id, aside);
  try {
    engine_.rename(new_id, spec.name);
  } catch (...) {
    engine_.rename(action.container_id, spec.name);
    stop_quietly(new_id, slot);
    engine_.remove(new_id, true);
    throw;
  }
  {
    std::lock_guard lock(mutex_);
    handed_over_to_ = new_id;
  }
  Logger::instance().log(LogLevel::Info, {spec.name, "replace"},
                         fmt::format("handing over to the new dockerup container {}",
                                     new_id.substr(0, 12)));
}

}  // namespace dockerup

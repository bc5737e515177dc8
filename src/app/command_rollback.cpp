#include "command_rollback.hpp"

#include "command_run.hpp"

#include "dockerup/history.hpp"
#include "dockerup/log.hpp"
#include "dockerup/run_lock.hpp"
#include "dockerup/spec_parser.hpp"

#include <csignal>
#include <cstdio>

namespace dockerup {

/// The request is written into the history, where every run looks for it. If a server holds the
/// lock it is asked (SIGHUP) to run at once; otherwise this process runs once itself.
int command_rollback(const CommandLine& line, Settings settings) {
  if (line.arguments.size() != 1 || !is_valid_container_name(line.arguments[0])) {
    std::fprintf(stderr, "dockerup: usage: dockerup rollback NAME\n");
    return 2;
  }
  const std::string& name = line.arguments[0];
  History history(settings.cache_dir);
  ContainerHistory h = history.load(name);
  if (!h.previous) {
    log_error("no previous version of {} is recorded in {}/history: nothing to roll back to", name,
              settings.cache_dir);
    return 1;
  }
  h.rollback_requested = true;
  history.save(h);
  log_info("rollback of {} to image {} requested", name, h.previous->image_id);

  if (auto pid = RunLock::holder_pid(settings.cache_dir)) {
    if (::kill(*pid, SIGHUP) == 0) {
      log_info("dockerup (pid {}) holds the lock and applies it now", *pid);
      return 0;
    }
    log_info("dockerup (pid {}) holds the lock; its next run applies it", *pid);
    return 0;
  }
  settings.server = false;
  return command_run(line, settings);
}

}  // namespace dockerup

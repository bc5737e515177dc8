// `dockerup [run]`: one reconcile run, or the --server loop.
#pragma once

#include "dockerup/cli.hpp"
#include "dockerup/docker_engine.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/settings.hpp"

namespace dockerup {

int command_run(const CommandLine& line, Settings settings);

/// Where the engine is and how to reach it: `remote` and the tls_* keys (docker_engine.hpp).
/// Throws Failure on a remote or TLS file that cannot be used.
DockerEndpoint docker_endpoint(const Settings& settings);

/// One reconcile run with its logging (or, for --dry-run, the printed plan). Never throws for
/// what the run throws: see run_guarded.
RunResult run_once(const Settings& settings, RunContext& context);

/// reconcile_once, with whatever it throws (ENOSPC from a cache write, a bug) turned into a
/// failed, `aborted` run whose one error says what happened: no run can end the daemon.
RunResult run_guarded(const Settings& settings, RunContext& context);

/// The result of a run that stopped at an unexpected error `why`.
RunResult aborted_run(const std::string& why);

}  // namespace dockerup

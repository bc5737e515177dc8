#include "server.hpp"

#include "command_run.hpp"
#include "load_settings.hpp"

#include "dockerup/cache_files.hpp"
#include "dockerup/log.hpp"
#include "dockerup/metrics.hpp"
#include "dockerup/ops_backoff.hpp"
#include "dockerup/sd_notify.hpp"
#include "dockerup/status.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <thread>

namespace dockerup {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// The loop's memory between runs: what decides how long to wait and what to say.
struct LoopState {
  int failed_runs = 0;         ///< consecutive failed runs with the engine reachable
  int unreachable_tries = 0;   ///< consecutive runs that could not reach the engine
  Clock::time_point unreachable_since{};
  bool ready_sent = false;
  bool handed_over = false;  ///< this instance replaced its own container: never run again
};

/// The phases whose cache files failed in this run ("history, status"); empty: none.
std::string cache_failures(const RunResult& result) {
  std::set<std::string> phases;
  for (const auto& error : result.errors)
    if (auto phase = cache_error_phase(error)) phases.insert(*phase);
  return fmt::format("{}", fmt::join(phases, ", "));
}

/// True when every error of the run is a cache problem: the containers are as declared.
bool only_cache_errors(const RunResult& result) {
  return std::all_of(result.errors.begin(), result.errors.end(),
                     [](const Error& error) { return cache_error_phase(error).has_value(); });
}

/// The STATUS= line systemd shows in `systemctl status`. Cache problems are named here too:
/// when status.json itself cannot be written, this line and the metrics are what still says so.
std::string status_line(const RunResult& result, double seconds) {
  std::string name = result_name(result);
  std::string cache = cache_failures(result);
  if (!cache.empty()) cache = fmt::format("; cache files failing: {}", cache);
  if (name == run_result::unreachable) return "docker engine unreachable; retrying" + cache;
  return fmt::format("last run {} at {}: {} action(s), {} error(s) in {:.1f} s{}", name,
                     format_utc(std::chrono::system_clock::now()), result.report.outcomes.size(),
                     result.errors.size(), seconds, cache);
}

/// The first error of a run that could not reach the engine: the reason to show once.
std::string unreachable_reason(const RunResult& result) {
  for (const auto& error : result.errors)
    if (error.where == "docker") return error.message;
  return result.errors.empty() ? "no answer" : result.errors.front().str();
}

class Server {
 public:
  Server(const CommandLine& line, Settings settings, RunContext& context, Signals& signals,
         std::vector<Trigger> triggers)
      : line_(line), settings_(std::move(settings)), context_(context), signals_(signals),
        triggers_(std::move(triggers)),
        notifier_(SystemdNotifier::socket_from_environment(),
                  SystemdNotifier::watchdog_from_environment()),
        random_(std::random_device{}()) {}

  int run();

 private:
  bool open_metrics();
  void reconcile();
  bool wait_for_next_run();
  milliseconds next_delay(const RunResult& result);
  Signals::Wake wait(milliseconds delay);
  void reload();
  void drain_triggers();

  const CommandLine& line_;
  Settings settings_;
  RunContext& context_;
  Signals& signals_;
  std::vector<Trigger> triggers_;
  SystemdNotifier notifier_;
  Metrics metrics_;
  std::unique_ptr<MetricsServer> metrics_server_;
  LoopState state_;
  milliseconds delay_{0};
  std::mt19937 random_;
};

bool Server::open_metrics() {
  metrics_server_.reset();
  if (settings_.metrics_listen.empty()) return true;
  try {
    metrics_server_ = std::make_unique<MetricsServer>(settings_.metrics_listen, metrics_);
    log_info("metrics on http://{}/metrics (port {})", settings_.metrics_listen,
             metrics_server_->port());
    return true;
  } catch (const std::exception& e) {
    log_error("{}", e.what());
    return false;
  }
}

void Server::reconcile() {
  auto started = Clock::now();
  RunResult result;
  try {
    result = run_once(settings_, context_);  // catches what the run itself throws
  } catch (const std::exception& e) {       // its logging or reporting threw: still one run
    result = aborted_run(e.what());
    log_error("{}", result.errors.front().str());
  } catch (...) {
    result = aborted_run("an exception that is not a std::exception");
    log_error("{}", result.errors.front().str());
  }
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  metrics_.record_run(result, seconds, std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  notifier_.status(status_line(result, seconds));
  // Ready after the first completed run, whatever its result: one bad container file (or a
  // registry outage) must not make systemd kill and restart a daemon that runs everything else.
  // What failed is in STATUS= and status.json.
  if (!state_.ready_sent) {
    notifier_.ready();
    state_.ready_sent = true;
  }
  delay_ = next_delay(result);
  state_.handed_over = !result.report.handed_over_to.empty();
}

milliseconds Server::next_delay(const RunResult& result) {
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  if (!result.observed) {
    // Said once per outage: a dockerd restart must not fill the log with one line per try.
    if (state_.unreachable_tries++ == 0) {
      state_.unreachable_since = Clock::now();
      log_warning("docker engine unreachable ({}); retrying with backoff (up to every {} s) "
                  "until it answers",
                  unreachable_reason(result),
                  std::chrono::duration_cast<std::chrono::seconds>(unreachable_backoff().cap).count());
    }
    return backoff_delay(unreachable_backoff(), state_.unreachable_tries, jitter(random_));
  }
  if (state_.unreachable_tries > 0) {
    auto down = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() -
                                                                 state_.unreachable_since);
    log_info("docker engine is back after {} s; reconciled", down.count());
    state_.unreachable_tries = 0;
  }
  // A cache that cannot be written (a full disk) fails every run, but retrying sooner or later
  // changes nothing for it: the containers are as declared, so the interval stays.
  if (result.exit_code != 0 && !only_cache_errors(result)) {
    ++state_.failed_runs;
    milliseconds delay =
        backoff_delay(failed_run_backoff(result.interval > 0 ? result.interval : settings_.interval), state_.failed_runs, jitter(random_));
    log_info("run failed ({} in a row): next try in {:.1f} s", state_.failed_runs,
             static_cast<double>(delay.count()) / 1000.0);
    return delay;
  }
  state_.failed_runs = 0;
  // The run's own interval: EC2 user-data may set "interval" and it applies from here on.
  return std::chrono::seconds(result.interval > 0 ? result.interval : settings_.interval);
}

/// Sleeps until `delay` has passed or something wakes the loop, pinging the systemd watchdog
/// on the way (a long interval must not look like a hang).
Signals::Wake Server::wait(milliseconds delay) {
  auto deadline = Clock::now() + delay;
  while (true) {
    notifier_.watchdog_if_due();
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left <= milliseconds(0)) return Signals::Wake::Timeout;
    milliseconds slice = std::min(left, notifier_.watchdog_period().value_or(left));
    std::vector<int> fds;
    for (const auto& trigger : triggers_) fds.push_back(trigger.fd);
    // poll() takes int milliseconds: clamp, so no delay can wrap into "wait forever".
    auto timeout_ms = std::clamp<milliseconds::rep>(slice.count(), 1, std::numeric_limits<int>::max());
    Signals::Wake wake = signals_.wait(static_cast<int>(timeout_ms), fds);
    if (wake != Signals::Wake::Timeout) return wake;
  }
}

void Server::reload() {
  Errors errors;
  Settings reloaded = load_settings(line_, errors);
  if (!errors.empty()) {
    for (const auto& error : errors) log_error("{}", error.str());
    log_error("SIGHUP: configuration has errors; keeping the previous one");
    return;
  }
  reloaded.server = true;
  bool listen_changed = reloaded.metrics_listen != settings_.metrics_listen;
  settings_ = reloaded;
  apply_log_settings(settings_);
  log_info("SIGHUP: configuration re-read from {}; reconciling now", settings_.config_file);
  if (listen_changed) open_metrics();  // a bad new address is logged; the loop goes on
  state_.failed_runs = 0;              // a new configuration deserves a fresh start
}

void Server::drain_triggers() {
  for (const auto& trigger : triggers_) {
    if (trigger.drain) trigger.drain();
    log_debug("{}: reconciling now", trigger.name);
  }
}

/// Waits for the next run and handles what woke the loop; false when a stop was requested.
/// Nothing here may end the daemon either: a failing wait or reload is logged and the loop goes
/// on after a pause (so that a wait failing at once cannot spin).
bool Server::wait_for_next_run() {
  try {
    Signals::Wake wake = wait(delay_);
    if (wake == Signals::Wake::Stop) return false;
    // take_reload() also clears the flag that made wait() return Reload.
    if (signals_.take_reload()) reload();
    if (wake == Signals::Wake::Fd) drain_triggers();
  } catch (const std::exception& e) {
    log_error("server loop: {}; going on", e.what());
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return true;
}

int Server::run() {
  if (!open_metrics()) return 1;
  log_info("dockerup {} serving: reconciling every {} s{}", DOCKERUP_VERSION, settings_.interval,
           notifier_.enabled() ? " (systemd notify)" : "");
  // The executor asks between actions whether to stop: a good moment to feed the watchdog too,
  // so a run with many actions is not mistaken for a hang.
  auto stop_requested = context_.hooks.stop_requested;
  context_.hooks.stop_requested = [this, stop_requested] {
    notifier_.watchdog_if_due();
    return stop_requested ? stop_requested() : signals_.stop_requested();
  };
  while (true) {
    reconcile();
    // A run's memory (container lists, plans, the executor threads' arenas) is freed when it
    // ends; hand the free pages back until the next run instead of keeping them resident
    // through the idle interval. Measured idle at N=50: anonymous PSS 2.3 -> 1.9 MB.
    ::malloc_trim(0);
    // After a hand-over the lock belongs to the successor: another run here would race it.
    if (signals_.stop_requested() || state_.handed_over) break;
    if (!wait_for_next_run()) break;
  }
  log_info("stop requested: exiting");
  notifier_.stopping();
  context_.hooks.stop_requested = stop_requested;
  return 0;
}

}  // namespace

int serve(const CommandLine& line, Settings settings, RunContext& context, Signals& signals,
          std::vector<Trigger> triggers) {
  Server server(line, std::move(settings), context, signals, std::move(triggers));
  return server.run();
}

}  // namespace dockerup

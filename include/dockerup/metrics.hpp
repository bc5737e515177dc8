// Prometheus metrics of the --server loop (--metrics-listen): a thread-safe store updated after
// each run, rendered in the text exposition format by the HTTP thread.
#pragma once

#include "dockerup/reconciler.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace dockerup {

class Metrics {
 public:
  Metrics();

  /// Counts one finished run. `now_unix` is the wall-clock time at its end (seconds).
  void record_run(const RunResult& result, double duration_seconds, std::int64_t now_unix);

  /// Prometheus text format 0.0.4.
  std::string render() const;

  /// For /healthz: true until a run finds the engine unreachable, again once it answers.
  bool engine_reachable() const;
  /// For /healthz: at least one run has finished.
  bool any_run() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> runs_;  ///< result -> count
  std::map<std::pair<std::string, std::string>, std::uint64_t> actions_;  ///< (kind, result)
  std::uint64_t errors_ = 0;
  std::map<std::string, std::uint64_t> cache_errors_;  ///< phase -> cache problems
  double last_duration_ = 0;
  std::map<std::string, int> managed_;  ///< state -> containers with io.dockerup.managed=true
  std::optional<std::int64_t> last_success_;
  bool engine_reachable_ = true;
  bool any_run_ = false;
};

/// Serves GET /metrics and GET /healthz with libmicrohttpd on its own thread.
///
/// Why libmicrohttpd: a maintained GNU library packaged by Debian (libmicrohttpd-dev), made to
/// embed a small HTTP server in a daemon; we do not hand-write HTTP request parsing for a port
/// that anyone on the host (or further, if so configured) can talk to.
class MetricsServer {
 public:
  /// `listen` is "127.0.0.1:9100", "[::1]:9100" or ":9100" (every interface); port 0 picks a free
  /// port (tests). Throws Failure naming the address when it is malformed or cannot be bound.
  MetricsServer(const std::string& listen, const Metrics& metrics);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const { return port_; }

 private:
  struct Daemon;
  std::unique_ptr<Daemon> daemon_;
  int port_ = 0;
};

}  // namespace dockerup

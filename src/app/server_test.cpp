// The --server loop as systemd sees it: a run that throws is one failed run, the loop goes on,
// and READY=1 follows the first completed run whatever its result.
#include "command_run.hpp"
#include "server.hpp"
#include "signals.hpp"

#include "dockerup/cache_files.hpp"
#include "dockerup/history.hpp"
#include "dockerup/metrics.hpp"
#include "dockerup/sources.hpp"
#include "dockerup/status.hpp"

#include "conf_spec.hpp"
#include "fake_engine.hpp"
#include "file_size_limit.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace dockerup {
namespace {

using testing::FakeEngine;
using testing::TempDir;

/// A datagram socket playing systemd's NOTIFY_SOCKET; collects what the server sent.
class FakeSystemd {
 public:
  explicit FakeSystemd(std::string path) : path_(std::move(path)) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path_.size() < sizeof address.sun_path);
    std::memcpy(address.sun_path, path_.data(), path_.size());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~FakeSystemd() {
    unsetenv("NOTIFY_SOCKET");
    close(fd_);
    unlink(path_.c_str());
  }
  /// Every datagram queued so far (the server has returned: nothing more is coming).
  std::vector<std::string> received() {
    std::vector<std::string> all;
    char buffer[1024];
    for (ssize_t got; (got = recv(fd_, buffer, sizeof buffer, 0)) > 0;)
      all.emplace_back(buffer, static_cast<std::size_t>(got));
    return all;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

/// A trigger that is always readable: the loop never waits for the clock.
struct AlwaysTrigger {
  int fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
  ~AlwaysTrigger() { close(fd); }
  Trigger trigger() {
    return {"test", fd, [this] {
              eventfd_t value;
              eventfd_read(fd, &value);
              eventfd_write(fd, 1);  // readable again for the next wait
            }};
  }
};

struct ServerHost {
  TempDir temp;
  FakeEngine engine;
  Settings settings;
  CommandLine line;
  int loads = 0;
  std::function<void(int)> on_load;  ///< called with the load's number (1, 2, ...)

  ServerHost() {
    settings.server = true;
    settings.pull = false;
    settings.start_wait = 0;
    settings.interval = 3600;  // the trigger wakes the loop; the clock never does
    settings.cache_dir = temp / "cache";
    engine.add_image("app:v1", "sha256:v1");
  }

  int serve_until_stopped() {
    Signals signals;  // blocks SIGTERM in this thread: raise() below is read, not fatal
    AlwaysTrigger always;
    RunContext context{.engine = engine,
                       .load_desired =
                           [this](Settings&) {
                             ++loads;
                             if (on_load) on_load(loads);
                             DesiredState desired;
                             desired.specs = {testing::conf_spec("web", "app:v1")};
                             desired.complete_sources = {"/conf"};
                             return desired;
                           },
                       // Our own stop check, so the SIGTERM raised by a loader does not
                       // interrupt that run: the loop sees it when the run is over.
                       .hooks = {.sleep = [](int) {}, .stop_requested = [] { return false; }}};
    return serve(line, settings, context, signals, {always.trigger()});
  }
};

std::string status_error(const std::string& cache_dir) {
  std::string error;
  auto status = load_run_status(cache_dir, error);
  REQUIRE(status);
  std::string all = status->result;
  for (const auto& e : status->errors) all += "|" + e;
  return all;
}

}  // namespace

TEST_CASE("a run that throws is a failed run: the server goes on, and is ready after it") {
  ServerHost host;
  FakeSystemd systemd(host.temp / "notify");
  std::string status_after_first;
  host.on_load = [&](int load) {
    if (load == 1) throw std::runtime_error("cannot write /var/cache: No space left on device");
    if (load == 2) {
      status_after_first = status_error(host.settings.cache_dir);
      std::raise(SIGTERM);  // the second run completes, then the loop stops
    }
  };
  CHECK(host.serve_until_stopped() == 0);
  CHECK(host.loads == 2);
  CHECK(status_after_first ==
        "failed|run: stopped by an unexpected error: cannot write /var/cache: No space left on "
        "device; the next run starts over");
  CHECK(host.engine.container("web"));  // the second run did its work
  CHECK(status_error(host.settings.cache_dir) == "ok");

  auto sent = systemd.received();
  REQUIRE(sent.size() == 4);
  CHECK(sent[0].starts_with("STATUS=last run failed"));
  CHECK(sent[1] == "READY=1");  // after the first run although it failed, and only once
  CHECK(sent[2].starts_with("STATUS=last run ok"));
  CHECK(sent[3] == "STOPPING=1");
}

TEST_CASE("a status file that cannot be written: STATUS= says so, and the server goes on") {
  ServerHost host;
  FakeSystemd systemd(host.temp / "notify");
  host.on_load = [&](int load) {
    if (load == 2) std::raise(SIGTERM);  // the second run completes, then the loop stops
  };
  int exit_code = -1;
  {
    testing::FileSizeLimit full;  // every write fails, as on a full disk
    exit_code = host.serve_until_stopped();
  }
  CHECK(exit_code == 0);
  CHECK(host.loads == 2);
  CHECK(host.engine.container("web"));  // the container is up all the same
  std::string error;
  CHECK_FALSE(load_run_status(host.settings.cache_dir, error));  // never written
  auto sent = systemd.received();
  REQUIRE(sent.size() == 4);
  CHECK(sent[0].starts_with("STATUS=last run failed"));
  CHECK_MESSAGE(sent[0].ends_with("; cache files failing: gc, status"), sent[0]);
  CHECK(sent[1] == "READY=1");
  CHECK_MESSAGE(sent[2].ends_with("; cache files failing: gc, status"), sent[2]);
}

TEST_CASE("run_once: each cache file that cannot be written is an error of the run, said once") {
  ServerHost host;
  host.settings.server = false;
  History history(host.settings.cache_dir, cache_phase::history);
  RunContext context{.engine = host.engine,
                     .load_desired =
                         [&](Settings& settings) {
                           // The real loader: containers.d, with last-known-good copies.
                           settings.confdir = host.temp / "conf";
                           return load_desired_state(settings).state;
                         },
                     .hooks = {.sleep = [](int) {}, .stop_requested = [] { return false; }},
                     .history = &history};
  std::filesystem::create_directories(host.temp / "conf");
  {
    std::ofstream spec(host.temp / "conf/web.json");
    spec << R"({"name": "web", "image": "app:v1"})";
  }
  RunResult result;
  {
    testing::FileSizeLimit full;  // every write fails, as on a full disk
    result = run_once(host.settings, context);
  }
  CHECK(result.exit_code == 1);
  REQUIRE(host.engine.container("web"));
  CHECK(host.engine.container("web")->state == "running");
  std::vector<std::string> phases;
  for (const auto& error : result.errors) {
    auto phase = cache_error_phase(error);
    REQUIRE_MESSAGE(phase, error.str());
    phases.push_back(*phase);
    CHECK_MESSAGE(error.message.find("File too large") != std::string::npos, error.str());
  }
  CHECK(phases == std::vector<std::string>{"sources", "gc", "history", "status"});
  Metrics metrics;
  metrics.record_run(result, 1.0, 1000);
  std::string text = metrics.render();
  for (const char* phase : cache_phase::all)
    CHECK(text.find(fmt::format("dockerup_cache_errors_total{{phase=\"{}\"}} 1\n", phase)) !=
          std::string::npos);

  // With room again: a clean run that changes nothing, and a status that says ok.
  RunResult next = run_once(host.settings, context);
  CHECK(next.errors.empty());
  CHECK(next.exit_code == 0);
  CHECK(status_error(host.settings.cache_dir) == "ok");
}

TEST_CASE("even what is not a std::exception does not end the server") {
  ServerHost host;
  host.on_load = [&](int load) {
    if (load == 1) throw 42;
    if (load == 2) std::raise(SIGTERM);
  };
  CHECK(host.serve_until_stopped() == 0);
  CHECK(host.loads == 2);
}

TEST_CASE("READY=1 follows a first run that failed for an ordinary reason") {
  ServerHost host;
  FakeSystemd systemd(host.temp / "notify");
  host.engine.exits_on_start("app:v1", 3);  // the container exits at once: the run fails
  host.on_load = [&](int) { std::raise(SIGTERM); };
  CHECK(host.serve_until_stopped() == 0);
  auto sent = systemd.received();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].starts_with("STATUS=last run failed"));
  CHECK(sent[1] == "READY=1");
  CHECK(sent[2] == "STOPPING=1");
}

TEST_CASE("an aborted run counts as failed in the metrics and keeps the last container picture") {
  Metrics metrics;
  RunResult good;
  good.observed = true;
  good.final_observed.containers = {ContainerSummary{}};
  good.final_observed.containers[0].state = "running";
  good.final_observed.containers[0].labels = {{"io.dockerup.managed", "true"}};
  metrics.record_run(good, 1.0, 1000);
  metrics.record_run(aborted_run("disk full"), 1.0, 1060);
  std::string text = metrics.render();
  CHECK(text.find("dockerup_runs_total{result=\"failed\"} 1") != std::string::npos);
  CHECK(text.find("dockerup_managed_containers{state=\"running\"} 1") != std::string::npos);

  RunStatus previous;
  ContainerStatus web;
  web.name = "web";
  web.image = "app:v1";
  web.state = "running";
  previous.containers = {web};
  RunStatus status = make_run_status(aborted_run("disk full"), {}, {}, previous);
  CHECK(status.result == "failed");
  CHECK(status.exit_code == 1);
  CHECK(status.containers == previous.containers);
}

}  // namespace dockerup

namespace dockerup {
namespace {

/// One run of `web` (env FOO=bar, PORT=8080) whose create fails with a Docker error that
/// echoes the create body, as the given settings print it.
RunResult run_with_echoing_create_error(bool show_secrets, const std::string& cache_dir) {
  FakeEngine engine;
  engine.add_image("app:v1", "sha256:v1");
  engine.fail_on("create web", "invalid env FOO=bar in {\"Image\":\"app:v1\",\"Env\":[\"FOO=bar\","
                               "\"PORT=8080\"],\"ExposedPorts\":{\"8080/tcp\":{}}}");
  Settings settings;
  settings.pull = false;
  settings.start_wait = 0;
  settings.cache_dir = cache_dir;
  settings.show_secrets = show_secrets;
  RunContext context{.engine = engine,
                     .load_desired =
                         [](Settings&) {
                           ContainerSpec spec;
                           spec.name = "web";
                           spec.image = "app:v1";
                           spec.env = {{"FOO", "bar"}, {"PORT", "8080"}};
                           DesiredState desired;
                           desired.specs = {spec};
                           return desired;
                         },
                     .hooks = {.sleep = [](int) {}, .stop_requested = [] { return false; }}};
  return run_once(settings, context);
}

}  // namespace

TEST_CASE("a Docker error echoing the create body is printed and recorded without env values") {
  TempDir temp;
  RunResult result = run_with_echoing_create_error(false, temp / "cache");
  REQUIRE(!result.errors.empty());
  std::string all;
  for (const auto& error : result.errors) all += error.str() + "\n";
  CAPTURE(all);
  CHECK(all.find("invalid env FOO=(hidden) in {\"Image\":\"app:v1\",\"Env\":[\"FOO=(hidden)\","
                 "\"PORT=(hidden)\"],\"ExposedPorts\":{\"8080/tcp\":{}}}") != std::string::npos);
  CHECK(all.find("bar") == std::string::npos);
  std::string recorded = status_error(temp / "cache");  // status.json gets the same text
  CHECK(recorded.find("FOO=(hidden)") != std::string::npos);
  CHECK(recorded.find("bar") == std::string::npos);

  RunResult shown = run_with_echoing_create_error(true, temp / "cache2");
  REQUIRE(!shown.errors.empty());
  CHECK(shown.errors.back().str().find("FOO=bar") != std::string::npos);
}

}  // namespace dockerup

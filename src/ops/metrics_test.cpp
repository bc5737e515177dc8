#include "dockerup/metrics.hpp"

#include "dockerup/error.hpp"
#include "dockerup/labels.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <vector>
#include <doctest/doctest.h>

using namespace dockerup;

namespace {

ContainerSummary managed(const std::string& name, const std::string& state) {
  ContainerSummary c;
  c.name = name;
  c.state = state;
  c.labels = {{std::string(labels::managed), "true"}};
  return c;
}

RunResult good_run() {
  RunResult result;
  result.observed = true;
  Action create{ActionType::Create, "web", "missing", std::nullopt, "", "app:v1"};
  result.report.outcomes = {{create, std::nullopt}};
  ContainerSummary foreign;  // not dockerup's: not counted
  foreign.name = "other";
  foreign.state = "running";
  result.final_observed.containers = {managed("web", "running"), managed("db", "exited"), foreign};
  return result;
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

struct Fetched {
  long status = 0;
  std::string body;
};

std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

Fetched fetch(const std::string& url) {
  Fetched fetched;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &fetched.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &fetched.status);
  curl_easy_cleanup(curl);
  return fetched;
}

}  // namespace

TEST_CASE("metrics start with every series at zero") {
  Metrics metrics;
  std::string text = metrics.render();
  CHECK(has_line(text, "# TYPE dockerup_runs_total counter"));
  CHECK(has_line(text, "dockerup_runs_total{result=\"ok\"} 0"));
  CHECK(has_line(text, "dockerup_runs_total{result=\"failed\"} 0"));
  CHECK(has_line(text, "dockerup_actions_total{kind=\"replace\",result=\"failed\"} 0"));
  CHECK(has_line(text, "dockerup_managed_containers{state=\"running\"} 0"));
  CHECK(has_line(text, "dockerup_errors_total 0"));
  CHECK(text.find("dockerup_last_success_timestamp_seconds") == std::string::npos);
  CHECK_FALSE(metrics.any_run());
}

TEST_CASE("metrics count runs, actions, errors and managed containers") {
  Metrics metrics;
  metrics.record_run(good_run(), 1.25, 1700000000);

  RunResult failed = good_run();
  failed.exit_code = 1;
  Action replace{ActionType::Replace, "db", "spec changed", std::nullopt, "x", "db:2"};
  failed.report.outcomes = {{replace, Error{"container db", "pull failed"}}};
  failed.errors = {Error{"container db", "pull failed"}, Error{"container db", "is not running"}};
  failed.final_observed.containers = {managed("web", "running"), managed("db", "running")};
  metrics.record_run(failed, 0.5, 1700000060);

  std::string text = metrics.render();
  CHECK(has_line(text, "dockerup_runs_total{result=\"ok\"} 1"));
  CHECK(has_line(text, "dockerup_runs_total{result=\"failed\"} 1"));
  CHECK(has_line(text, "dockerup_run_duration_seconds 0.500"));
  CHECK(has_line(text, "dockerup_actions_total{kind=\"create\",result=\"ok\"} 1"));
  CHECK(has_line(text, "dockerup_actions_total{kind=\"replace\",result=\"failed\"} 1"));
  CHECK(has_line(text, "dockerup_errors_total 2"));
  CHECK(has_line(text, "dockerup_managed_containers{state=\"running\"} 2"));
  CHECK(has_line(text, "dockerup_managed_containers{state=\"exited\"} 0"));
  CHECK(has_line(text, "dockerup_last_success_timestamp_seconds 1700000000"));
  CHECK(metrics.engine_reachable());
}

TEST_CASE("an unreachable engine keeps the last container counts and flips the gauge") {
  Metrics metrics;
  metrics.record_run(good_run(), 1, 100);
  RunResult down;
  down.exit_code = 1;
  down.errors = {Error{"docker", "cannot observe the engine"}};
  metrics.record_run(down, 0.01, 200);
  std::string text = metrics.render();
  CHECK(has_line(text, "dockerup_runs_total{result=\"unreachable\"} 1"));
  CHECK(has_line(text, "dockerup_managed_containers{state=\"running\"} 1"));
  CHECK(has_line(text, "dockerup_engine_reachable 0"));
  CHECK(has_line(text, "dockerup_last_success_timestamp_seconds 100"));
  CHECK_FALSE(metrics.engine_reachable());
}

TEST_CASE("the metrics server answers /metrics and /healthz on 127.0.0.1") {
  Metrics metrics;
  MetricsServer server("127.0.0.1:0", metrics);
  REQUIRE(server.port() > 0);
  std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  Fetched health = fetch(base + "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "ok (no run yet)\n");

  metrics.record_run(good_run(), 1, 100);
  Fetched scraped = fetch(base + "/metrics");
  CHECK(scraped.status == 200);
  CHECK(has_line(scraped.body, "dockerup_runs_total{result=\"ok\"} 1"));

  CHECK(fetch(base + "/nothing").status == 404);

  RunResult down;
  down.exit_code = 1;
  metrics.record_run(down, 0, 200);
  Fetched unhealthy = fetch(base + "/healthz");
  CHECK(unhealthy.status == 503);
  CHECK(unhealthy.body == "docker engine unreachable\n");
}

TEST_CASE("a bad listen address is refused with the address in the message") {
  Metrics metrics;
  CHECK_THROWS_WITH_AS(MetricsServer("127.0.0.1", metrics), doctest::Contains("\"127.0.0.1\""),
                       Failure);
  CHECK_THROWS_WITH_AS(MetricsServer("no.such.host:9100", metrics),
                       doctest::Contains("numeric address"), Failure);
  CHECK_THROWS_WITH_AS(MetricsServer("127.0.0.1:99999", metrics), doctest::Contains("bad port"),
                       Failure);
  MetricsServer taken("127.0.0.1:0", metrics);
  CHECK_THROWS_WITH_AS(MetricsServer("127.0.0.1:" + std::to_string(taken.port()), metrics),
                       doctest::Contains("cannot listen"), Failure);
}

namespace {

/// A TCP connection from `source` (a 127.0.0.0/8 address) that sends half a request and idles.
int idle_connection(const char* source, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) return close(fd), -1;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return close(fd), -1;
  const char half[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
  (void)!write(fd, half, sizeof half - 1);
  return fd;
}

}  // namespace

TEST_CASE("idle half-requests from one address do not lock /healthz out for others") {
  Metrics metrics;
  MetricsServer server("127.0.0.1:0", metrics);
  REQUIRE(server.port() > 0);
  std::vector<int> idle;
  for (int i = 0; i < 20; ++i) idle.push_back(idle_connection("127.0.0.2", server.port()));
  CHECK(std::count(idle.begin(), idle.end(), -1) == 0);
  Fetched health = fetch("http://127.0.0.1:" + std::to_string(server.port()) + "/healthz");
  CHECK(health.status == 200);
  for (int fd : idle)
    if (fd >= 0) close(fd);
}

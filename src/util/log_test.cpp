#include "dockerup/log.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using dockerup::escape_control;

TEST_CASE("escape_control: control characters become visible escapes, the rest stays") {
  CHECK(escape_control("plain /etc/dockerup/containers.d/web.json ü") ==
        "plain /etc/dockerup/containers.d/web.json ü");
  CHECK(escape_control("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(escape_control(std::string("x\0y", 3)) == "x\\x00y");
  CHECK(escape_control("\x1b[31mred\x7f") == "\\x1b[31mred\\x7f");
}

TEST_CASE("a text log line with a newline in its message stays one line") {
  // stderr goes to a pipe for the duration of the call.
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  std::fflush(stderr);
  int saved = dup(STDERR_FILENO);
  dup2(pipe_fds[1], STDERR_FILENO);
  dockerup::Logger::instance().set_json(false);
  dockerup::Logger::instance().log(dockerup::LogLevel::Warning, {"we\nb", ""},
                                   "cannot read /x\n2026-01-01T00:00:00.000Z error forged");
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(pipe_fds[1]);
  std::string out;
  char buffer[512];
  for (ssize_t got; (got = read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    out.append(buffer, static_cast<std::size_t>(got));
  close(pipe_fds[0]);
  CAPTURE(out);
  CHECK(out.find('\n') == out.size() - 1);  // exactly one line
  CHECK(out.find("[we\\nb] cannot read /x\\n2026-01-01T00:00:00.000Z error forged") !=
        std::string::npos);
}

namespace dockerup {

TEST_CASE("lines logged from many threads at once never mix") {
  // stderr goes to a temporary file for the duration of the test.
  char path[] = "/tmp/dockerup-log-test-XXXXXX";
  int file = mkstemp(path);
  REQUIRE(file >= 0);
  std::fflush(stderr);
  int saved = dup(STDERR_FILENO);
  dup2(file, STDERR_FILENO);

  constexpr int threads = 8, lines = 200;
  const std::string payload(300, 'x');  // long lines make a torn write likely if it could happen
  {
    std::vector<std::jthread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([t, &payload] {
        for (int i = 0; i < lines; ++i)
          Logger::instance().log(LogLevel::Info, {"c" + std::to_string(t), "test"},
                                 fmt::format("begin {} {} end", payload, i));
      });
  }
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(file);

  std::ifstream in(path);
  std::string line;
  int count = 0, whole = 0;
  while (std::getline(in, line)) {
    ++count;
    auto begin = line.find(" begin ");
    whole += begin != std::string::npos && line.ends_with(" end") &&
             line.find(" begin ", begin + 1) == std::string::npos;
  }
  unlink(path);
  CHECK(count == threads * lines);
  CHECK(whole == count);
}

}  // namespace dockerup

#include "pull_progress.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace dockerup;
using std::chrono::seconds;

TEST_CASE("pull progress: layers and bytes from the stream, one line per 10 s of the clock") {
  auto now = std::chrono::steady_clock::time_point{};
  std::vector<std::string> lines;
  PullProgress progress("reg.example/app:v1", [&] { return now; },
                        [&](const std::string& line) { lines.push_back(line); });
  progress.feed(R"({"status":"Pulling from app","id":"v1"})" "\n"
                R"({"status":"Already exists","progressDetail":{},"id":"aaa"})" "\n"
                R"({"status":"Pulling fs layer","progressDetail":{},"id":"bbb"})" "\n"
                R"({"status":"Waiting","progressDetail":{},"id":"ccc"})" "\n"
                R"({"status":"Downloading","progressDetail":{"current":1000000,"total":4000000},"id":"bb)");
  now += seconds(9);
  progress.feed("b\"}\n");
  CHECK(lines.empty());  // not 10 s yet
  PullCounts counts = progress.counts();
  CHECK(counts.layers_total == 3);
  CHECK(counts.layers_done == 1);
  CHECK(counts.bytes_done == 1000000);
  CHECK(counts.bytes_total == 4000000);

  now += seconds(1);
  progress.feed(R"({"status":"Download complete","progressDetail":{},"id":"bbb"})" "\n");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "pulling reg.example/app:v1: 1/3 layers, 4.0 MB of 4.0 MB");

  now += seconds(5);
  progress.feed(R"({"status":"Pull complete","progressDetail":{},"id":"bbb"})" "\n");
  CHECK(lines.size() == 1);  // 5 s since the last line
  now += seconds(5);
  progress.feed("not json\n" R"({"status":"Digest: sha256:00"})" "\n");
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == "pulling reg.example/app:v1: 2/3 layers, 4.0 MB of 4.0 MB");
}

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

TEST_CASE("pull progress: the observer hears of layers at once, of bytes once a second") {
  auto now = std::chrono::steady_clock::time_point{};
  std::vector<PullCounts> seen;
  PullProgress progress("app:v1", [&] { return now; }, [](const std::string&) {});
  progress.observe([&](const PullCounts& counts) { seen.push_back(counts); });
  progress.feed(R"({"status":"Pulling from app","id":"v1"})" "\n");
  CHECK(seen.empty());  // nothing changed
  progress.feed(R"({"status":"Pulling fs layer","progressDetail":{},"id":"a"})" "\n"
                R"({"status":"Pulling fs layer","progressDetail":{},"id":"b"})" "\n");
  REQUIRE(seen.size() == 1);  // new layers: told at once
  CHECK(seen[0] == PullCounts{2, 0, 0, 0});
  progress.feed(R"({"status":"Downloading","progressDetail":{"current":5,"total":10},"id":"a"})" "\n");
  CHECK(seen.size() == 1);  // only bytes, and not a second later
  now += seconds(1);
  progress.feed("\n");
  REQUIRE(seen.size() == 2);
  CHECK(seen[1] == PullCounts{2, 0, 5, 10});
  progress.feed(R"({"status":"Pull complete","progressDetail":{},"id":"a"})" "\n");
  REQUIRE(seen.size() == 3);  // a layer done: at once
  CHECK(seen[2] == PullCounts{2, 1, 10, 10});
  now += seconds(5);
  progress.feed("\n");
  CHECK(seen.size() == 3);  // nothing new to tell
}

// The real runner against small shell scripts (the scripts use a shell; the runner does not).
#include "process_runner.hpp"

#include "credential_helper.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <thread>

using namespace dockerup;
using dockerup::testing::TempDir;
using std::chrono::milliseconds;

namespace {

std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  std::string path = dir / name;
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

/// Puts `dir` first in PATH for one test and restores it.
struct PathPrefix {
  explicit PathPrefix(const std::string& dir) : old(std::getenv("PATH") ? std::getenv("PATH") : "") {
    ::setenv("PATH", (dir + ":" + old).c_str(), 1);
  }
  ~PathPrefix() { ::setenv("PATH", old.c_str(), 1); }
  std::string old;
};

}  // namespace

TEST_CASE("runs without a shell: argv as given, stdin fed, stdout and stderr apart") {
  TempDir dir;
  auto runner = make_process_runner();
  std::string path = script(dir, "echoer", R"(read line; echo "out:$1:$line"; echo "err" >&2; exit 3)");
  ProcessResult result = runner->run({path, "a b;c"}, "hello\n", milliseconds(10'000));
  CHECK(result.started);
  CHECK_FALSE(result.timed_out);
  CHECK(result.exit_code == 3);
  CHECK(result.out == "out:a b;c:hello\n");
  CHECK(result.err == "err\n");
}

TEST_CASE("a hanging program is killed at the limit, its children with it") {
  TempDir dir;
  auto runner = make_process_runner();
  std::string path = script(dir, "hangs", "sleep 300 & echo $! > " + (dir / "child") + "; wait");
  ProcessResult result = runner->run({path}, "x\n", milliseconds(300));
  CHECK(result.timed_out);
  CHECK(result.signal == 9);
  std::ifstream child_file(dir / "child");
  int child = 0;
  child_file >> child;
  REQUIRE(child > 0);
  // Killed with the group: gone, or a zombie until init reaps it. SIGKILL takes effect when the
  // child is next scheduled, so look again a bounded number of times.
  auto dead = [&] {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string pid, comm, state;
    stat >> pid >> comm >> state;
    return state.empty() || state == "Z" || state == "X";
  };
  bool gone = dead();
  for (int tries = 0; tries < 500 && !gone; ++tries) {
    std::this_thread::sleep_for(milliseconds(10));
    gone = dead();
  }
  CHECK(gone);
}

TEST_CASE("a crash, a missing program, and a program that ignores a large stdin") {
  TempDir dir;
  auto runner = make_process_runner();
  ProcessResult crashed = runner->run({script(dir, "crash", "kill -SEGV $$")}, "", milliseconds(10'000));
  CHECK(crashed.signal == 11);
  ProcessResult missing = runner->run({dir / "nothing-here"}, "", milliseconds(10'000));
  CHECK_FALSE(missing.started);
  CHECK(missing.start_error == "No such file or directory");
  // Closing stdin unread must give EPIPE to the writer, not kill the test with SIGPIPE.
  ProcessResult deaf = runner->run({script(dir, "deaf", "exec 0<&-; echo done")},
                                   std::string(1 << 20, 'x'), milliseconds(10'000));
  CHECK(deaf.exit_code == 0);
  CHECK(deaf.out == "done\n");
}

TEST_CASE("a real credential helper script found on PATH") {
  TempDir dir;
  script(dir, "docker-credential-dutest",
         R"([ "$1" = get ] || exit 9
read server
if [ "$server" = reg.example:5000 ]; then
  printf '{"ServerURL":"%s","Username":"ann","Secret":"s3cret"}\n' "$server"
else
  echo "credentials not found in native keychain"; exit 1
fi)");
  PathPrefix path(dir.path());
  auto runner = make_process_runner();
  auto auth = ask_credential_helper(*runner, "dutest", "reg.example:5000");
  REQUIRE(auth);
  CHECK(auth->username == "ann");
  CHECK(auth->password == "s3cret");
  CHECK_FALSE(ask_credential_helper(*runner, "dutest", "other.example"));
}

#include "dockerup/run_lock.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace dockerup {

TEST_CASE("the run lock is exclusive across processes and names its holder") {
  testing::TempDir dir;
  std::string why;
  auto lock = RunLock::acquire(dir.path() + "/nested", false, why);
  REQUIRE(lock);

  // flock locks belong to open files, so test the second holder from another process.
  pid_t child = fork();
  if (child == 0) {
    std::string child_why;
    auto second = RunLock::acquire(dir.path() + "/nested", false, child_why);
    bool named = child_why.find("pid " + std::to_string(getppid())) != std::string::npos;
    _exit(!second && named ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  lock.reset();
  auto again = RunLock::acquire(dir.path() + "/nested", false, why);
  CHECK(again);
}

}  // namespace dockerup

#include "dockerup/run_lock.hpp"

#include "dockerup/trusted_path.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

namespace dockerup {
namespace {

mode_t mode_of(const std::string& path) {
  struct stat info {};
  ::lstat(path.c_str(), &info);
  return info.st_mode & 07777;
}

/// A child that holds the lock until killed; returns its pid once it holds it.
pid_t child_holding_lock(const std::string& cache_dir) {
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t child = fork();
  if (child == 0) {
    std::string why;
    auto lock = RunLock::acquire(cache_dir, false, why);
    char ok = lock ? 'y' : 'n';
    (void)!write(ready[1], &ok, 1);
    for (;;) pause();
  }
  close(ready[1]);
  char ok = 0;
  (void)!read(ready[0], &ok, 1);
  close(ready[0]);
  REQUIRE(ok == 'y');
  return child;
}

void end_child(pid_t child) {
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

}  // namespace

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

TEST_CASE("nobody else can open the lock: the cache dir is 0700 and run.lock 0600") {
  testing::TempDir dir;
  std::string why;
  auto lock = RunLock::acquire(dir / "cache", false, why);
  REQUIRE(lock);
  CHECK(mode_of(dir / "cache") == 0700);
  CHECK(mode_of(dir / "cache/run.lock") == 0600);
  lock.reset();

  // A lock file an earlier version made 0644 in a 0755 dir (systemd's CacheDirectory=).
  ::chmod((dir / "cache").c_str(), 0755);
  ::chmod((dir / "cache/run.lock").c_str(), 0644);
  lock = RunLock::acquire(dir / "cache", false, why);
  REQUIRE(lock);
  CHECK(mode_of(dir / "cache/run.lock") == 0600);

  if (geteuid() != 0) return;  // only root can become another user to try
  pid_t child = fork();
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    int fd = open((dir / "cache/run.lock").c_str(), O_RDONLY);
    _exit(fd < 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a symlinked or foreign lock file is refused") {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "cache");
  std::ofstream(dir / "target") << "keep";
  std::filesystem::create_symlink(dir / "target", dir / "cache/run.lock");
  std::string why;
  CHECK_THROWS_AS(RunLock::acquire(dir / "cache", false, why), Failure);
  CHECK(std::filesystem::file_size(dir / "target") == 4);
  ::chmod((dir / "cache").c_str(), 0777);
  std::filesystem::remove(dir / "cache/run.lock");
  CHECK_THROWS_AS(RunLock::acquire(dir / "cache", false, why), Untrusted);
}

TEST_CASE("holder_pid names only a dockerup that holds this very lock") {
  testing::TempDir dir;
  std::string cache = dir / "cache";
  CHECK_FALSE(RunLock::holder_pid(cache));  // no cache dir, no lock
  pid_t holder = child_holding_lock(cache);
  CHECK(RunLock::holder_pid(cache) == holder);

  // The file names another process (a stale pid, now someone else's): never signal that one.
  pid_t bystander = fork();
  if (bystander == 0) {
    for (;;) pause();
  }
  {
    std::ofstream(cache + "/run.lock", std::ios::trunc) << bystander << "\n";
  }
  CHECK_FALSE(RunLock::holder_pid(cache));
  {
    std::ofstream(cache + "/run.lock", std::ios::trunc) << "1\n";  // init is not a dockerup
  }
  CHECK_FALSE(RunLock::holder_pid(cache));
  end_child(bystander);
  end_child(holder);
  CHECK_FALSE(RunLock::holder_pid(cache));  // released
}

TEST_CASE("held_by: only the live dockerup that holds the lock, and without taking it") {
  testing::TempDir dir;
  std::string cache = dir / "cache";
  CHECK_FALSE(RunLock::held_by(cache, getpid()));  // no cache dir, no lock
  pid_t holder = child_holding_lock(cache);
  CHECK(RunLock::held_by(cache, holder));
  CHECK_FALSE(RunLock::held_by(cache, getpid()));  // a dockerup, but not the holder
  CHECK_FALSE(RunLock::held_by(cache, 1));
  CHECK_FALSE(RunLock::held_by(cache, 0));
  end_child(holder);
  CHECK_FALSE(RunLock::held_by(cache, holder));  // gone: its flock went with it
  // Asking never held the lock: a run takes it at once.
  std::string why;
  CHECK(RunLock::acquire(cache, false, why));
}

}  // namespace dockerup

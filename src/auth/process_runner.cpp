#include "process_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace dockerup {
namespace {

using Clock = std::chrono::steady_clock;
/// A helper's answer is a few hundred bytes; more than this is garbage, not credentials.
constexpr std::size_t max_output = 64 * 1024;

/// Closes on scope exit, so no path leaks a descriptor.
struct Fd {
  int fd = -1;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

struct Pipe {
  Fd read, write;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read.fd = fds[0];
    write.fd = fds[1];
    return true;
  }
};

class SpawnRunner final : public ProcessRunner {
 public:
  ProcessResult run(const std::vector<std::string>& argv, const std::string& input,
                    std::chrono::milliseconds limit) override {
    ProcessResult result;
    Pipe in, out, err;
    if (!in.open() || !out.open() || !err.open()) {
      result.start_error = std::strerror(errno);
      return result;
    }
    pid_t pid = spawn(argv, in, out, err, result);
    if (pid <= 0) return result;
    result.started = true;
    in.read.close();
    out.write.close();
    err.write.close();
    exchange(pid, input, in.write, out.read, err.read, Clock::now() + limit, result);
    reap(pid, result);
    return result;
  }

 private:
  static pid_t spawn(const std::vector<std::string>& argv, Pipe& in, Pipe& out, Pipe& err,
                     ProcessResult& result) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_adddup2(&actions, in.read.fd, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err.write.fd, 2);
    // Its own process group, so a timeout also ends whatever it started; default signal
    // handling and mask, whatever this thread had blocked or ignored.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                              POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int error = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
      result.start_error = std::strerror(error);
      return -1;
    }
    return pid;
  }

  /// Writes stdin and reads both outputs with poll, so neither side can block the other, until
  /// both outputs close or the deadline passes.
  static void exchange(pid_t pid, const std::string& input, Fd& in, Fd& out, Fd& err,
                       Clock::time_point deadline, ProcessResult& result) {
    ::fcntl(in.fd, F_SETFL, O_NONBLOCK);
    std::size_t written = 0;
    if (input.empty()) in.close();
    while (out.fd >= 0 || err.fd >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        return;
      }
      std::array<pollfd, 3> fds{{{in.fd, POLLOUT, 0}, {out.fd, POLLIN, 0}, {err.fd, POLLIN, 0}}};
      int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
      if (ready < 0 && errno != EINTR) break;
      if (ready <= 0) continue;
      if (in.fd >= 0 && fds[0].revents) {
        ssize_t n = write_without_sigpipe(in.fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 && errno != EAGAIN) in.close();
        if (written == input.size()) in.close();
      }
      drain(out, fds[1].revents, result.out);
      drain(err, fds[2].revents, result.err);
    }
  }

  /// A helper that exits without reading its stdin must not kill dockerup with SIGPIPE: the
  /// signal is blocked in this thread for the write and a pending one is taken back.
  static ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
    sigset_t pipe_only, previous;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EPIPE) {
      timespec zero{};
      ::sigtimedwait(&pipe_only, nullptr, &zero);
      errno = EPIPE;
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return n;
  }

  static void drain(Fd& fd, short revents, std::string& into) {
    if (fd.fd < 0 || revents == 0) return;
    char buffer[4096];
    ssize_t n = ::read(fd.fd, buffer, sizeof buffer);
    if (n <= 0) {
      if (n == 0 || errno != EINTR) fd.close();
      return;
    }
    if (into.size() < max_output)
      into.append(buffer, std::min(static_cast<std::size_t>(n), max_output - into.size()));
  }

  static void reap(pid_t pid, ProcessResult& result) {
    int status = 0;
    // Outputs closed (or the group was killed): the exit follows at once. A helper that closes
    // its outputs and lives on is killed after a short grace so the run never waits on it.
    for (int tries = 0; tries < 100; ++tries) {
      pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (done < 0 && errno != EINTR) return;
      if (tries == 50) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
      }
      ::usleep(10'000);
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  }
};

}  // namespace

std::unique_ptr<ProcessRunner> make_process_runner() { return std::make_unique<SpawnRunner>(); }

}  // namespace dockerup

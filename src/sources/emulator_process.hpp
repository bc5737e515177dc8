// Starts tests/imds_emulator.py on a free 127.0.0.1 port for the duration of a test.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace dockerup::testing {

class ImdsEmulator {
 public:
  /// `arguments` are the emulator's options ("--user-data", path, "--gzip", ...).
  explicit ImdsEmulator(std::vector<std::string> arguments) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv_text{"python3", IMDS_EMULATOR, "--port", "0"};
    argv_text.insert(argv_text.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& word : argv_text) argv.push_back(word.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    // An empty signal mask: a test process that blocked SIGTERM (the server's Signals) must
    // still be able to stop the emulator with it.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    int spawned = posix_spawnp(&pid_, "python3", &actions, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (spawned != 0) {
      ::close(pipe_fds[0]);
      throw std::runtime_error("cannot start the IMDS emulator");
    }
    port_ = read_port(pipe_fds[0]);
    ::close(pipe_fds[0]);
    if (port_ == 0) {
      stop();
      throw std::runtime_error("the IMDS emulator printed no port");
    }
  }
  ~ImdsEmulator() { stop(); }
  ImdsEmulator(const ImdsEmulator&) = delete;
  ImdsEmulator& operator=(const ImdsEmulator&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  /// Reads "PORT <n>\n" from the emulator's stdout.
  static int read_port(int fd) {
    std::string line;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
    if (!line.starts_with("PORT ")) return 0;
    return std::stoi(line.substr(5));
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

/// A 127.0.0.1 port nobody listens on: bound, read, closed.
inline int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace dockerup::testing

// Starts tests/imds_emulator.py on a free 127.0.0.1 port for the duration of a test (through
// the shared PythonServer of tests/support).
#pragma once

#include "python_server.hpp"

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

/// tests/imds_emulator.py; `arguments` are its options ("--user-data", path, "--gzip", ...).
class ImdsEmulator : public PythonServer {
 public:
  explicit ImdsEmulator(std::vector<std::string> arguments)
      : PythonServer(IMDS_EMULATOR, std::move(arguments)) {}
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

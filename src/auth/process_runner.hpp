// Runs a program without a shell, feeds it stdin, and collects its output within a time limit.
// Behind an interface so the lookup can be tested without processes (and once with a real one).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace dockerup {

struct ProcessResult {
  bool started = false;      ///< false: the program could not be run (see start_error)
  std::string start_error;   ///< "No such file or directory"
  bool timed_out = false;    ///< killed (with its process group) when the limit passed
  int exit_code = -1;        ///< when it exited normally
  int signal = 0;            ///< when a signal ended it
  std::string out;           ///< stdout (capped)
  std::string err;           ///< stderr (capped)
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  /// argv[0] is looked up in PATH. Never throws for the program's own failures.
  virtual ProcessResult run(const std::vector<std::string>& argv, const std::string& input,
                            std::chrono::milliseconds limit) = 0;
};

/// posix_spawnp in a new process group, pipes for all three streams, poll until the limit.
std::unique_ptr<ProcessRunner> make_process_runner();

}  // namespace dockerup

// A ProcessRunner for unit tests: answers from a table and records what it was asked.
#pragma once

#include "process_runner.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace dockerup::testing {

class FakeProcessRunner : public ProcessRunner {
 public:
  /// What `program` answers (for any input).
  void answer(const std::string& program, ProcessResult result) { answers_[program] = result; }
  /// "docker-credential-x get <- reg.example", one per run() call.
  std::vector<std::string> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  ProcessResult run(const std::vector<std::string>& argv, const std::string& input,
                    std::chrono::milliseconds) override {
    std::lock_guard lock(mutex_);
    std::string call;
    for (const auto& arg : argv) call += (call.empty() ? "" : " ") + arg;
    calls_.push_back(call + " <- " + input);
    auto it = answers_.find(argv.at(0));
    if (it != answers_.end()) return it->second;
    ProcessResult missing;
    missing.start_error = "No such file or directory";
    return missing;
  }

  static ProcessResult ok(const std::string& out) {
    ProcessResult result;
    result.started = true;
    result.exit_code = 0;
    result.out = out;
    return result;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ProcessResult> answers_;
  std::vector<std::string> calls_;
};

}  // namespace dockerup::testing

// Shared by the libFuzzer harnesses (see scripts/fuzz.sh): the bytes as a string, a private
// scratch directory for harnesses that fuzz the cache files through the code that reads them,
// and a check that stops the fuzzer (a crash it reports and minimises) when a property fails.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

// Present when a sanitizer runtime is linked (scripts/fuzz.sh), absent in the replay build.
extern "C" void __sanitizer_report_error_summary(const char* summary) __attribute__((weak));

namespace dockerup::fuzz {

inline std::string text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// A fresh 0700 directory for this process, removed when the process exits normally. On tmpfs
/// (/dev/shm) when there is one: a loaded disk makes every file operation milliseconds slow.
inline const std::string& scratch_dir() {
  struct ScratchDir {
    std::string path;
    ScratchDir() {
      std::string pattern = std::filesystem::is_directory("/dev/shm")
                                ? "/dev/shm/dockerup-fuzz-XXXXXX"
                                : "/tmp/dockerup-fuzz-XXXXXX";
      if (mkdtemp(pattern.data()) == nullptr) {
        std::perror("mkdtemp");
        std::abort();
      }
      path = pattern;
    }
    ~ScratchDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const ScratchDir dir;
  return dir.path;
}

/// Replaces `path` (creating its folder 0700) with `content`, mode 0600.
inline void put_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  chmod(path.parent_path().c_str(), 0700);
  std::filesystem::remove(path);
  std::ofstream(path, std::ios::binary) << content;
  chmod(path.c_str(), 0600);
}

/// Empties `dir` (readers may move corrupt files aside; they must not pile up).
inline void clear_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    std::filesystem::remove_all(entry.path(), ec);
}

/// A property every input must keep; a violation is reported like a crash.
inline void require(bool holds, const char* what) {
  if (!holds) {
    // To the sanitizers' report fd when there is one: scripts/fuzz.sh closes the harness's
    // own stderr.
    std::string line = std::string("fuzz property violated: ") + what;
    if (__sanitizer_report_error_summary != nullptr)
      __sanitizer_report_error_summary(line.c_str());
    else
      std::fprintf(stderr, "%s\n", line.c_str());
    std::abort();
  }
}

}  // namespace dockerup::fuzz

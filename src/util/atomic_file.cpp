#include "dockerup/atomic_file.hpp"

#include "dockerup/error.hpp"
#include "dockerup/trusted_path.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dockerup {

void write_file_atomically(const std::string& path, const std::string& content) {
  std::size_t slash = path.rfind('/');
  std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  TrustedDir::open(folder, true)->write(path.substr(slash + 1), content);
}

std::optional<std::string> read_whole_file(const std::string& path, std::string& problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problem = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    problem = "read error";
    return std::nullopt;
  }
  return text.str();
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::string ignored;
  return read_whole_file(path, ignored);
}

}  // namespace dockerup

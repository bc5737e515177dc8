#include "dockerup/sources.hpp"
#include "dockerup/trusted_path.hpp"

namespace dockerup {

std::string untrusted_source_message(const std::string& why) {
  return fmt::format("refusing it: {}; it and every folder above it must be owned by root and "
                     "writable only by their owner (or set strict_modes=false)", why);
}

std::optional<Error> check_file_mode(const std::string& path) {
  CheckedRead checked = read_checked_file(path);
  if (!checked.found || checked.untrusted.empty()) return std::nullopt;
  return Error{path, untrusted_source_message(checked.untrusted)};
}

}  // namespace dockerup

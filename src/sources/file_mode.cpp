#include "dockerup/sources.hpp"

#include <sys/stat.h>

namespace dockerup {

std::optional<Error> check_file_mode(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) == 0) return std::nullopt;
  return Error{path, fmt::format("refusing a file writable by group or others (mode {:04o}); "
                                 "run chmod go-w on it, or set strict_modes=false",
                                 info.st_mode & 07777)};
}

}  // namespace dockerup

// containers.d files parsed by an earlier run of this process, so an idle --server run does not
// re-read and re-parse every unchanged file (with 50 files that was most of an idle run's CPU).
// Only parsing is skipped: the loader still lists the folder and opens every file through its
// trust checks each run, and compares the opened file's stamp with the one remembered here.
#pragma once

#include "dockerup/spec.hpp"
#include "dockerup/stamped_parses.hpp"

#include <string>
#include <vector>

namespace dockerup {

struct SpecFileParse {
  ContainerSpec spec;
  std::vector<std::string> warnings;  ///< said again every run, as a fresh parse would
};

/// Keyed by the file's path.
class SpecFileCache : public StampedParses<SpecFileParse> {
 public:
  using StampedParses::StampedParses;
  /// Keeps only the entries of files in `confdir` named in `present` (sorted): a removed file,
  /// or every file of the previous confdir after a reload, is dropped.
  void keep_only(const std::string& confdir, const std::vector<std::string>& present);
};

}  // namespace dockerup

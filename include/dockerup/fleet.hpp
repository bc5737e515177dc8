// Fleet sources: JSON documents in the user-data form ({"containers": [...]} plus settings keys)
// shared by many hosts, read from https:// or s3:// every run with a conditional GET, and
// applied on each host after its own stagger delay. See README "Fleets".
#pragma once

#include "dockerup/settings.hpp"
#include "dockerup/sources.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace dockerup {

namespace fleet {
struct Dependencies;  // src/fleet/fleet_dependencies.hpp: HTTP, clock, environment (tests)
}

/// One per process: keeps parsed documents, AWS credentials and the host ID between the runs
/// of a server. Its add() is what load_desired_state calls as MoreSources.
class FleetSources {
 public:
  FleetSources();  ///< libcurl, the system clock, the real environment and metadata service
  explicit FleetSources(fleet::Dependencies dependencies);
  ~FleetSources();
  FleetSources(const FleetSources&) = delete;
  FleetSources& operator=(const FleetSources&) = delete;

  /// Every settings.source_urls document, by the rules of user-data (see fleet_source.cpp):
  /// the source name of each container is the URL; a source that fails (timeout, 5xx, 403,
  /// bad signature, invalid document) is stood in for by its last good version and removes
  /// nothing; 404 means the document is gone (its containers are removed, after the stagger).
  void add(Settings& settings, LastKnownGood& store, SourceLoad& load);

  /// load_desired_state's MoreSources, bound to this object.
  MoreSources as_source();

  /// How many document bodies this object has parsed: a 304 (or a 200 with the bytes already
  /// parsed) parses nothing, so a server's steady state costs one conditional GET per source.
  std::size_t documents_parsed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// "fleet source URL changed; applies at TIME" for every change waiting for this host's stagger
/// slot (read from the last-known-good store, so `dockerup status` needs no network).
std::vector<std::string> fleet_status_lines(const std::string& cache_dir);

/// The same for `dockerup status --json`: {"fleet_pending": [{"url", "applies_at"}]} added to
/// the status JSON text when a change waits; the text unchanged otherwise.
std::string add_fleet_pending_json(const std::string& status_json, const std::string& cache_dir);

}  // namespace dockerup

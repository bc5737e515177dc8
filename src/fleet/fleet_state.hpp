// What a host remembers about each fleet source, kept with the last-known-good copies
// (<cache>/last-known-good/fleet/<id>/): the version in effect and a newer one waiting for its
// stagger slot. Both survive restarts, so a host's slot does not move when dockerup restarts.
#pragma once

#include "dockerup/lkg.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dockerup::fleet {

using TimePoint = std::chrono::system_clock::time_point;

/// One version of a fleet document as fetched.
struct Version {
  bool gone = false;  ///< the server said 404: the document was deleted
  std::string etag = {};
  std::string last_modified = {};
  std::string body = {};
  /// The same document: both gone, or the same bytes (a re-upload with a new ETag is no change).
  bool same_as(const Version& other) const {
    return gone == other.gone && (gone || body == other.body);
  }
};

struct Pending {
  Version version;
  TimePoint seen_at;     ///< when this host first saw a change it has not applied yet
  TimePoint applies_at;  ///< seen_at + this host's stagger delay
};

struct SourceState {
  std::optional<Version> applied;  ///< in effect; nullopt: never fetched (or copy unusable)
  std::optional<Pending> pending;
};

/// "fleet/<16 hex digits>": one folder per URL (the URL itself is written inside).
std::string state_folder(const std::string& url);

/// Copies that cannot be read count as absent; ones that do not parse are moved aside too
/// (reported by the store).
SourceState load_state(LastKnownGood& store, const std::string& url);
/// A copy that cannot be written is reported by the store; nothing throws.
void save_applied(LastKnownGood& store, const std::string& url, const Version& version);
void save_pending(LastKnownGood& store, const std::string& url, const Pending& pending);
void drop_pending(LastKnownGood& store, const std::string& url);

struct PendingNotice {
  std::string url;
  TimePoint applies_at;
};
/// Every fleet source with a change waiting, read from the store (for `dockerup status`).
std::vector<PendingNotice> pending_notices(const std::string& cache_dir);

/// "2026-12-01T10:00:00Z"
std::string utc_text(TimePoint time);

}  // namespace dockerup::fleet

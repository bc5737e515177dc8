// The fleet source's cache files (<cache>/last-known-good/fleet/<hash>/{applied,pending}.json):
// what was applied and what waits for this host's stagger, read as a run and `status` read them.
#include "../../src/fleet/fleet_state.hpp"
#include "dockerup/lkg.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dockerup;
  static const std::string cache = fuzz::scratch_dir() + "/fleet-cache";
  static const std::string url = "s3://bucket/fleet.json";
  static const std::string folder =
      cache + "/last-known-good/" + fleet::state_folder(url) + "/";
  std::string bytes = fuzz::text(data, size);
  for (const char* name : {"applied", "pending"}) {
    fuzz::put_file(folder + name + ".json", bytes);
    fuzz::put_file(folder + name + ".body", R"({"containers": []})");
  }
  LastKnownGood store(cache, /*read_only=*/true);
  fleet::SourceState state = fleet::load_state(store, url);
  if (state.pending) {
    fleet::utc_text(state.pending->seen_at);
    fleet::utc_text(state.pending->applies_at);
  }
  for (const auto& notice : fleet::pending_notices(cache)) fleet::utc_text(notice.applies_at);
  return 0;
}

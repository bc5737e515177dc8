// Last-known-good copies (<cache>/last-known-good/): the user-data copy stands in when the
// metadata service is unavailable, a containers.d copy when its file became invalid.
#include "dockerup/lkg.hpp"
#include "dockerup/sources.hpp"
#include "dockerup/user_data.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dockerup;
  static const std::string root = fuzz::scratch_dir() + "/lkg";
  static const std::string cache = root + "/cache", confdir = root + "/containers.d";
  std::string bytes = fuzz::text(data, size);
  fuzz::put_file(cache + "/last-known-good/user-data", bytes);
  fuzz::put_file(cache + "/last-known-good/containers.d/web.json", bytes);
  fuzz::put_file(confdir + "/web.json", "{ not json");  // invalid now: the copy stands in
  LastKnownGood store(cache, /*read_only=*/true);
  Settings settings;
  SourceLoad user_data;
  add_user_data({UserDataFetch::Outcome::Unavailable, "", "fuzzing"}, store, settings, user_data);
  load_confdir(confdir, {.last_known_good = &store});
  return 0;
}

// A container's history file (<cache>/history/NAME.json), read the way a run reads it, and the
// specs it holds, read the way a rollback reads them.
#include "dockerup/history.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dockerup;
  static const std::string cache = fuzz::scratch_dir() + "/history-cache";
  fuzz::clear_dir(cache + "/history");
  fuzz::put_file(cache + "/history/web.json", fuzz::text(data, size));
  ContainerHistory history = History(cache).load("web");
  ContainerSpec declared;
  declared.name = "web";
  declared.image = "busybox:latest";
  for (const auto& entry : {history.current, history.previous})
    if (entry) pinned_spec(declared, *entry);
  return 0;
}

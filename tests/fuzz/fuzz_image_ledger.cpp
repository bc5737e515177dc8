// The GC image ledger (<cache>/images.json). Property: what parses is written back identically.
#include "dockerup/error.hpp"
#include "dockerup/gc_ledger.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dockerup;
  std::set<std::string> images;
  try {
    images = parse_image_ledger(fuzz::text(data, size));
  } catch (const Failure&) {
    return 0;
  }
  std::set<std::string> again;
  try {
    again = parse_image_ledger(format_image_ledger(images));
  } catch (const Failure&) {
    fuzz::require(false, "a formatted ledger parses");
  }
  fuzz::require(again == images, "ledger round trip");
  return 0;
}

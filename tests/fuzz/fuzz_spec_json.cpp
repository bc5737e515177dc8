// Container JSON (containers.d files, user-data entries, specs read back from history).
// Property: a parsed spec's canonical form parses again to the same canonical form.
#include "dockerup/spec.hpp"
#include "dockerup/spec_parser.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dockerup;
  SpecParse parsed = parse_spec_text(fuzz::text(data, size), "fuzz.json", "fuzz");
  if (!parsed.spec) return 0;
  std::string canonical = canonical_json(*parsed.spec);
  SpecParse again = parse_spec_text(canonical, "canonical", "fuzz");
  fuzz::require(again.spec.has_value(), "the canonical JSON of a parsed spec parses");
  fuzz::require(canonical_json(*again.spec) == canonical, "canonical_json is stable");
  return 0;
}

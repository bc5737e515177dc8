// dockerup.conf (inih, then every key's value parser).
#include "dockerup/config_file.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dockerup::Settings settings;
  dockerup::parse_config_text(dockerup::fuzz::text(data, size), "fuzz.conf", settings);
  return 0;
}

// EC2 user-data as the metadata service returns it (plain, or gzip when it starts with 1f 8b).
#include "dockerup/user_data.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dockerup::Settings settings;
  dockerup::parse_user_data(dockerup::fuzz::text(data, size), settings);
  return 0;
}

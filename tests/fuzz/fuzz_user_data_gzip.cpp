// User-data behind gzip: the input is compressed first, so the fuzzer explores the inflated
// JSON (mutating gzip bytes directly mostly yields bad checksums).
#include "dockerup/user_data.hpp"
#include "fuzz_support.hpp"

#include <zlib.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return 0;
  std::string gzip(deflateBound(&stream, static_cast<uLong>(size)), '\0');
  stream.next_in = const_cast<Bytef*>(data);
  stream.avail_in = static_cast<uInt>(size);
  stream.next_out = reinterpret_cast<Bytef*>(gzip.data());
  stream.avail_out = static_cast<uInt>(gzip.size());
  int status = deflate(&stream, Z_FINISH);
  gzip.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) return 0;
  dockerup::Settings settings;
  dockerup::parse_user_data(gzip, settings);
  return 0;
}

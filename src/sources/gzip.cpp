#include "gzip.hpp"

#include <zlib.h>

#include <array>

namespace dockerup {

bool is_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

namespace {

/// Ends the zlib stream on every path out of gunzip.
struct InflateStream {
  z_stream stream{};
  bool ready = false;
  ~InflateStream() {
    if (ready) inflateEnd(&stream);
  }
};

constexpr int kGzipOnlyWindowBits = 16 + MAX_WBITS;

}  // namespace

std::optional<std::string> gunzip(std::string_view data, std::string& error,
                                  std::size_t max_size) {
  InflateStream inflate_stream;
  z_stream& stream = inflate_stream.stream;
  if (inflateInit2(&stream, kGzipOnlyWindowBits) != Z_OK) {
    error = "cannot start zlib";
    return std::nullopt;
  }
  inflate_stream.ready = true;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());

  std::string output;
  std::array<char, 16384> chunk{};
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      error = status == Z_BUF_ERROR ? "truncated gzip data"
                                    : (stream.msg ? stream.msg : "invalid gzip data");
      return std::nullopt;
    }
    output.append(chunk.data(), chunk.size() - stream.avail_out);
    if (output.size() > max_size) {
      error = "gzip data inflates beyond " + std::to_string(max_size) + " bytes";
      return std::nullopt;
    }
  }
  return output;
}

}  // namespace dockerup

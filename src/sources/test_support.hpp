// Helpers shared by the sources tests: files to read, and what a load produced.
#pragma once

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dockerup/sources.hpp"
#include "temp_dir.hpp"

namespace dockerup::testing {

/// Writes `text` to `path` with mode 0644 (so strict modes accept it whatever the umask).
inline void write_text(const std::string& path, const std::string& text, mode_t mode = 0644) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

inline std::string container_json(const std::string& name, const std::string& image) {
  std::string name_field = name.empty() ? "" : "\"name\": \"" + name + "\", ";
  return "{" + name_field + "\"image\": \"" + image + "\"}";
}

/// `text` gzip-compressed, as `gzip` would write it.
inline std::string gzip_compress(const std::string& text) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

/// The names of the declared containers, in order.
inline std::vector<std::string> names_of(const DesiredState& state) {
  std::vector<std::string> names;
  for (const auto& spec : state.specs) names.push_back(spec.name);
  return names;
}

/// Whether any of `errors` says `text` (file, field or message).
inline bool mentions(const Errors& errors, const std::string& text) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const Error& error) { return error.str().find(text) != std::string::npos; });
}

}  // namespace dockerup::testing

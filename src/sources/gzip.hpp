// gzip-compressed user-data (EC2 allows it because user-data is limited to 16 KiB).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dockerup {

/// true when `data` starts with the gzip magic bytes 1f 8b.
bool is_gzip(std::string_view data);

/// The inflated data; nullopt with `error` set when it is not valid gzip or inflates beyond
/// `max_size` (a decompression bomb must not exhaust memory).
std::optional<std::string> gunzip(std::string_view data, std::string& error,
                                  std::size_t max_size = 16 * 1024 * 1024);

}  // namespace dockerup

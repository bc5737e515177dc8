// Image IDs for unit tests: what history and the image ledger accept ("sha256:" + 64 hex
// digits), made from a short readable tag so tests can still say which image they mean.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace dockerup::testing {

inline std::string image_id(std::string_view tag) {
  std::string hex;
  for (unsigned char c : tag) hex += fmt::format("{:02x}", c);
  hex.resize(64, '0');
  return "sha256:" + hex;
}

}  // namespace dockerup::testing

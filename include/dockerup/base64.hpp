// Base64 (RFC 4648) for registry credentials: the `auth` field of Docker's config.json is
// standard base64 of "user:password", and the Engine API wants X-Registry-Auth as base64url.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dockerup {

/// Standard alphabet (+/) with padding.
std::string base64_encode(std::string_view data);
/// URL alphabet (-_) with padding, as Go's base64.URLEncoding that dockerd decodes with.
std::string base64url_encode(std::string_view data);
/// Accepts either alphabet, with or without padding, and ignores surrounding whitespace;
/// nullopt on any other character or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace dockerup

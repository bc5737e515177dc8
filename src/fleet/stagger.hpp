// Staggered rollout: each host of a fleet applies a changed fleet document after its own delay
// within the `stagger` window, so a bad image reaches a few hosts first, not all at once.
#pragma once

#include <cstdint>
#include <string_view>

namespace dockerup::fleet {

/// 64-bit FNV-1a of `text`, finished with the SplitMix64 mixer so that IDs differing only in
/// their last characters (i-0abc...01, i-0abc...02) still land far apart.
/// Python, for tests and for operators who want to know a host's slot:
///   h = 0xcbf29ce484222325
///   for b in text.encode(): h = ((h ^ b) * 0x100000001b3) % 2**64
///   h = ((h ^ (h >> 30)) * 0xbf58476d1ce4e5b9) % 2**64
///   h = ((h ^ (h >> 27)) * 0x94d049bb133111eb) % 2**64
///   h ^= h >> 31
std::uint64_t host_hash(std::string_view text);

/// hash(host_id) mod window_seconds: how long after seeing a new version this host waits.
/// 0 when the window is 0 (no stagger). Deterministic: the same host always gets the same slot.
int stagger_delay_seconds(std::string_view host_id, int window_seconds);

}  // namespace dockerup::fleet

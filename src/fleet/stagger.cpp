#include "stagger.hpp"

namespace dockerup::fleet {

std::uint64_t host_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

int stagger_delay_seconds(std::string_view host_id, int window_seconds) {
  if (window_seconds <= 0) return 0;
  return static_cast<int>(host_hash(host_id) % static_cast<std::uint64_t>(window_seconds));
}

}  // namespace dockerup::fleet

#include "registry_refusal.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace dockerup {

bool registry_refused(long status, std::string_view message) {
  if (status == 401 || status == 403) return true;
  // What dockerd passes on (it answers 500 for most registry errors): "unauthorized:
  // authentication required" (htpasswd), "no basic auth credentials" (none sent; ECR too),
  // "denied: Your authorization token has expired" (ECR), "pull access denied" (Docker Hub).
  // Not a bare "denied": a local "permission denied" is no registry's answer.
  static constexpr std::array<std::string_view, 5> kRefusals = {
      "unauthorized", "authentication required", "no basic auth credentials", "access denied",
      "denied: "};
  std::string lower(message);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kRefusals.begin(), kRefusals.end(), [&](std::string_view refusal) {
    return lower.find(refusal) != std::string::npos;
  });
}

}  // namespace dockerup

// The structural env filter over Docker's messages (untrusted text that may echo a create
// body). Input: declared env entries "KEY=VALUE" separated by '\x1f', a '\n', then the message.
// Properties: a declared value printed as " KEY=VALUE " is never left in the output, and the
// "Env" array rewrite is stable (a message filtered twice, by the executor and the run, is the
// same).
#include "dockerup/redact.hpp"
#include "dockerup/spec.hpp"
#include "fuzz_support.hpp"

namespace {

/// The declared entries: keys as the spec parser allows them (not empty, no '=').
dockerup::ContainerSpec declared(std::string_view text) {
  dockerup::ContainerSpec spec;
  while (!text.empty()) {
    auto cut = text.find('\x1f');
    std::string_view entry = text.substr(0, cut);
    auto equals = entry.find('=');
    if (equals != std::string_view::npos && equals > 0)
      spec.env.emplace(std::string(entry.substr(0, equals)), std::string(entry.substr(equals + 1)));
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + 1);
  }
  return spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dockerup;
  std::string text = fuzz::text(data, size);
  auto newline = text.find('\n');
  if (newline == std::string::npos) return 0;
  ContainerSpec spec = declared(std::string_view(text).substr(0, newline));
  std::string message = text.substr(newline + 1);
  EnvFilter filter;
  filter.add(spec);
  filter.apply(message);
  filter.apply(Error{"web.json: $.env[" + message, message});  // a name quoted in the location
  std::string arrays = hide_env_arrays(message);
  fuzz::require(hide_env_arrays(arrays) == arrays, "hide_env_arrays is stable");
  for (const auto& [key, value] : spec.env) {
    bool whitespace = key.find_first_of(" \t\r\n\v\f") != std::string::npos;
    if (value.empty() || whitespace || value == kHidden) continue;  // nothing to tell apart
    std::string token = " " + key + "=" + value + " ";
    fuzz::require(filter.apply(message + token).find(token) == std::string::npos,
                  "a declared value after its KEY= is hidden");
  }
  return 0;
}

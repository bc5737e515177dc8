// A minimal container spec for unit tests, as if read from /conf/NAME.json: a name, an image and
// the source file every error and label names, nothing else.
#pragma once

#include "dockerup/spec.hpp"

#include <string>

namespace dockerup::testing {

inline ContainerSpec conf_spec(const std::string& name, const std::string& image) {
  ContainerSpec spec;
  spec.name = name;
  spec.image = image;
  spec.source = "/conf/" + name + ".json";
  return spec;
}

}  // namespace dockerup::testing

// The labels dockerup puts on every container it creates. They are how it recognises its own
// containers (never by image, the original's mistake) and how it decides "keep or replace".
#pragma once

#include <string_view>

namespace dockerup::labels {

inline constexpr std::string_view managed = "io.dockerup.managed";      ///< "true" (see below)
inline constexpr std::string_view name = "io.dockerup.name";            ///< declared name
inline constexpr std::string_view spec_hash = "io.dockerup.spec-hash";  ///< spec_hash(spec)
inline constexpr std::string_view source = "io.dockerup.source";        ///< file path or "user-data"
inline constexpr std::string_view image = "io.dockerup.image";          ///< image reference as declared

/// Values of `managed`. Docker copies an image's labels onto its containers, so an image can
/// carry io.dockerup.managed=true and every container started from it by hand would look like
/// dockerup's. A managed value therefore counts only when the container's image does not carry
/// the same value (ContainerSummary::managed); to create a container from such an image,
/// dockerup uses the other value (managed_value_for), which the hand-started ones lack.
inline constexpr std::string_view managed_value = "true";
inline constexpr std::string_view managed_value_other = "true.own";

/// The value dockerup gives `managed` on a container of an image carrying `image_value`
/// (empty: the image carries no such label).
constexpr std::string_view managed_value_for(std::string_view image_value) {
  return image_value == managed_value ? managed_value_other : managed_value;
}

/// Docker names of the temporary containers of a replacement. Labels cannot change after
/// creation, so a renamed old container is recognised by its name; the planner repairs both
/// after a crash (see planner.cpp, repair_leftovers).
inline constexpr std::string_view new_suffix = ".dockerup-new";  ///< eager: new one being proven
inline constexpr std::string_view old_suffix = ".dockerup-old";  ///< default: old one kept for rollback

}  // namespace dockerup::labels

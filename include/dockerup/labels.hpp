// The labels dockerup puts on every container it creates. They are how it recognises its own
// containers (never by image, the original's mistake) and how it decides "keep or replace".
#pragma once

#include <string_view>

namespace dockerup::labels {

inline constexpr std::string_view managed = "io.dockerup.managed";      ///< "true"
inline constexpr std::string_view name = "io.dockerup.name";            ///< declared name
inline constexpr std::string_view spec_hash = "io.dockerup.spec-hash";  ///< spec_hash(spec)
inline constexpr std::string_view source = "io.dockerup.source";        ///< file path or "user-data"
inline constexpr std::string_view image = "io.dockerup.image";          ///< image reference as declared

/// Docker names of the temporary containers of a replacement. Labels cannot change after
/// creation, so a renamed old container is recognised by its name; the planner repairs both
/// after a crash (see planner.cpp, repair_leftovers).
inline constexpr std::string_view new_suffix = ".dockerup-new";  ///< eager: new one being proven
inline constexpr std::string_view old_suffix = ".dockerup-old";  ///< default: old one kept for rollback

}  // namespace dockerup::labels

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
/// "new" while an eager replacement is being proven, "old" while a default replacement is.
inline constexpr std::string_view role = "io.dockerup.role";

}  // namespace dockerup::labels

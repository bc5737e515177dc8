#include "dockerup/plan.hpp"

#include <fmt/format.h>

namespace dockerup {

std::string_view to_string(ActionType type) {
  switch (type) {
    case ActionType::Remove: return "remove";
    case ActionType::Pull: return "pull";
    case ActionType::Create: return "create";
    case ActionType::Start: return "start";
    case ActionType::Replace: return "replace";
    case ActionType::Rename: return "rename";
  }
  return "?";
}

std::string Action::describe() const {
  return fmt::format("{} {}: {}", to_string(type), name, reason);
}

}  // namespace dockerup

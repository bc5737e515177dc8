// The one rule for a container name declared by more than one source (or twice by one).
#pragma once

#include "dockerup/plan.hpp"
#include "dockerup/spec.hpp"

namespace dockerup {

/// Adds `spec` to `state.specs` unless its name is already taken. A name declared twice is an
/// error naming both sources; neither declaration is used and the name goes to
/// `protected_names`, so whatever runs under it now is left alone until the operator decides.
/// No precedence rule is used because either choice would silently replace a running container.
void add_spec(DesiredState& state, ContainerSpec spec);

/// Adds everything `from` declared to `into` by the same rule (a name `from` protects also
/// drops a spec of that name in `into`).
void merge_states(DesiredState& into, DesiredState from);

}  // namespace dockerup

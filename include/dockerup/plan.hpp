// The planner: a pure function from (desired, observed) to an ordered list of actions, each with
// its reason. No I/O, no clock, no logging: it can be printed (--dry-run) and unit-tested.
#pragma once

#include "dockerup/engine.hpp"
#include "dockerup/error.hpp"
#include "dockerup/spec.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dockerup {

/// What the sources declared. `failed_sources` lists sources that could not be read or parsed
/// this run (a file path, "user-data", or the confdir itself): containers that came from them are
/// never removed, because their absence from `specs` means "unknown", not "undeclared".
struct DesiredState {
  std::vector<ContainerSpec> specs;
  std::set<std::string> failed_sources;
  /// Sources that were read completely (a confdir, "user-data"). A managed container whose source
  /// is not below one of these (nor a deleted file of a complete confdir) is kept.
  std::set<std::string> complete_sources;
  /// Names whose existing containers must be left exactly as they are this run (for example a
  /// name declared by two sources: neither declaration wins, and the running one stays).
  std::set<std::string> protected_names;
  Errors errors;  ///< what the sources reported, passed through to the run report
};

struct ObservedState {
  std::vector<ContainerSummary> containers;
  std::vector<ImageSummary> images;
};

/// Fills each container's image_labels from the image it was created from (by image ID), so
/// that ContainerSummary::managed can tell dockerup's labels from the image's. Call after every
/// observation; a container whose image is not listed keeps empty image_labels.
void attach_image_labels(ObservedState& observed);

struct PlanOptions {
  bool exclusive = false;  ///< remove every container nobody declared, managed or not
  /// Images that were pulled this run but failed (reference -> error). A spec whose image is
  /// missing and failed to pull gets an error instead of a create; its container is kept.
  std::map<std::string, std::string> pull_errors;
  /// false (dry run): images were not pulled, so a missing image becomes a Pull action.
  bool pulls_attempted = true;
  /// Dry run: references whose registry digest differs from the local image's (asked read-only).
  /// A real run pulls these before planning, so the planner sees the new image ID instead.
  std::set<std::string> moved_images;
  /// Container IDs never removed as undeclared: the container this dockerup runs in.
  std::set<std::string> never_remove;
};

enum class ActionType {
  Remove,   ///< stop and remove a container that is no longer declared
  Pull,     ///< fetch a missing image (dry run only; real runs pull before planning)
  Create,   ///< create and start a declared container that does not exist
  Start,    ///< start a declared container that exists but is not running
  Replace,  ///< create a new container for a changed spec or image, then retire the old one
  Rename,   ///< repair: give a leftover temporary container its declared name back
};

std::string_view to_string(ActionType type);

struct Action {
  ActionType type;
  std::string name;    ///< declared container name (or the Docker name for undeclared ones)
  std::string reason;  ///< why, for logs and --dry-run: "spec changed", "image app:v1 moved ..."
  /// Create, Replace, Pull, Start (what to run), and the Rename or Remove of a leftover of a
  /// declared spec. Only the removal of an undeclared container has none.
  std::optional<ContainerSpec> spec;
  std::string container_id;           ///< Remove, Start, Replace (the old one), Rename
  std::string image;                  ///< Pull: reference; Create/Replace: image to run
  /// Create/Replace: the io.dockerup.managed value for the new container (labels.hpp).
  std::string managed_value{labels::managed_value};
  /// Remove: IDs of the observed containers the removed one depends on (ContainerSummary::uses),
  /// so that their removals wait for this one.
  std::vector<std::string> uses = {};

  /// One line for humans: "replace web: spec changed".
  std::string describe() const;
};

struct Plan {
  std::vector<Action> actions;
  Errors errors;  ///< specs that cannot be acted on (dependency cycle, image unavailable)
};

Plan make_plan(const DesiredState& desired, const ObservedState& observed,
               const PlanOptions& options);

/// For every action of `plan`, the indices of the earlier actions it must wait for. The executor
/// runs an action once all of those finished, so independent actions can run at the same time:
/// - actions on the same name keep their order (repair a leftover, then replace);
/// - an action for a spec waits for the last earlier action on each container it depends on
///   (links, volumes-from, network container:NAME), so a dependency is created and started first;
/// - every other action waits for the removals of undeclared containers (Remove without a spec),
///   so their names and host ports are free first;
/// - a removal waits for the earlier removals of the containers that use the removed one
///   (Action::uses): dependents go first, the reverse of the create order (make_plan puts them
///   first);
/// - a rolling replacement waits for the rolling replacement before it (one at a time).
/// Every index in the result is lower than the action's own: the plan order is a valid order.
using ActionGraph = std::vector<std::vector<std::size_t>>;
ActionGraph action_graph(const Plan& plan);

/// The wave of every action (1 = needs nothing): what can happen together with enough workers.
std::vector<int> action_waves(const ActionGraph& graph);

/// Specs in an order where every dependency comes before its dependents. Dependencies on names
/// that are not declared are ignored here. A cycle yields an error naming its containers, and
/// the containers on it are left out.
std::vector<ContainerSpec> order_by_dependencies(const std::vector<ContainerSpec>& specs,
                                                 Errors& errors);

/// Observed containers with every container before the ones it uses (ContainerSummary::uses):
/// the order to remove them in. Otherwise the observed order is kept.
std::vector<const ContainerSummary*> dependents_first(
    const std::vector<ContainerSummary>& containers);

/// The observed container `reference` names: its name, its ID or a unique ID prefix.
const ContainerSummary* find_container(const std::vector<ContainerSummary>& containers,
                                       const std::string& reference);

}  // namespace dockerup

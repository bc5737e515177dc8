// Which labels of a container came from its image: Docker copies an image's labels onto every
// container of it, so an image author can put dockerup's labels on containers dockerup never
// created. ContainerSummary::managed compares the two (see labels.hpp).
#include "dockerup/plan.hpp"

#include <map>

namespace dockerup {

void attach_image_labels(ObservedState& observed) {
  std::map<std::string, const Labels*> by_id;
  for (const auto& image : observed.images) by_id[image.id] = &image.labels;
  for (auto& container : observed.containers) {
    auto it = by_id.find(container.image_id);
    container.image_labels = it == by_id.end() ? Labels{} : *it->second;
  }
}

}  // namespace dockerup

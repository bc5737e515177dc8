#include "credential_lookup.hpp"
#include "dockerup/registry_credentials.hpp"

namespace dockerup {
namespace {

/// The lookup owns its inputs; the runner is stateless, so one serves every run.
class OwningLookup final : public RegistryAuthSource {
 public:
  explicit OwningLookup(LookupInputs inputs)
      : runner_(make_process_runner()), lookup_(std::move(inputs), *runner_) {}
  const RegistryAuth* for_image(const std::string& reference) override {
    return lookup_.for_image(reference);
  }

 private:
  std::unique_ptr<ProcessRunner> runner_;
  CredentialLookup lookup_;
};

}  // namespace

std::unique_ptr<RegistryAuthSource> make_registry_auth(const Settings& settings) {
  LookupInputs inputs;
  try {
    inputs.config = load_docker_config(docker_config_places(settings.docker_config));
  } catch (const std::exception& e) {
    inputs.config_error = e.what();
  }
  inputs.conf = {settings.registry, settings.registry_username, settings.registry_password,
                 settings.registry_email};
  return std::make_unique<OwningLookup>(std::move(inputs));
}

}  // namespace dockerup

// X-Registry-Auth: how credentials reach dockerd, which talks to the registry itself.
#include "dockerup/base64.hpp"
#include "dockerup/docker_engine.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dockerup {

std::string x_registry_auth(const RegistryAuth& auth) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  auto field = [&](const char* key, const std::string& value) {
    writer.Key(key);
    writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  writer.StartObject();
  if (!auth.identity_token.empty()) {
    // dockerd exchanges the token for an access token; a password would be ignored anyway.
    field("identitytoken", auth.identity_token);
  } else {
    field("username", auth.username);
    field("password", auth.password);
    if (!auth.email.empty()) field("email", auth.email);
  }
  field("serveraddress", auth.server_address);
  writer.EndObject();
  return base64url_encode(std::string_view(buffer.GetString(), buffer.GetSize()));
}

}  // namespace dockerup

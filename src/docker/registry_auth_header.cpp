// X-Registry-Auth: how credentials reach dockerd, which talks to the registry itself.
#include "dockerup/base64.hpp"
#include "dockerup/docker_engine.hpp"
#include "dockerup/json_write.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dockerup {

std::string x_registry_auth(const RegistryAuth& auth) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  if (!auth.identity_token.empty()) {
    // dockerd exchanges the token for an access token; a password would be ignored anyway.
    write_json_member(writer, "identitytoken", auth.identity_token);
  } else {
    write_json_member(writer, "username", auth.username);
    write_json_member(writer, "password", auth.password);
    if (!auth.email.empty()) write_json_member(writer, "email", auth.email);
  }
  write_json_member(writer, "serveraddress", auth.server_address);
  writer.EndObject();
  return base64url_encode(std::string_view(buffer.GetString(), buffer.GetSize()));
}

}  // namespace dockerup

#include "docker_json.hpp"

#include "api_version.hpp"

#include "dockerup/error.hpp"

#include <doctest/doctest.h>

using namespace dockerup;

namespace {

const std::string volume_id = "9f3b228906444b2f5c865debf41c52d4c054ade9a3b855f461e90d287b64defb";

// Recorded from Docker 20.10 (API 1.41) and trimmed.
const std::string container_list = R"([
  {"Id": "53ca70aa", "Names": ["/web"], "Image": "dockerup-test/busybox:base",
   "ImageID": "sha256:f52e", "Command": "sh -c 'exit 3'", "Created": 1795441552, "Ports": [],
   "Labels": {"a": "b", "io.dockerup.managed": "true"}, "State": "exited",
   "Status": "Exited (3) 1 second ago", "HostConfig": {"NetworkMode": "default"},
   "Mounts": [{"Type": "volume", "Name": ")" +
                                   volume_id + R"(", "Destination": "/data"}]},
  {"Id": "77aa", "Names": ["/app/db_alias", "/db"], "Image": "sha256:1234", "ImageID": "sha256:1234",
   "Created": 1795441000, "Labels": null, "State": "running", "Status": "Up 5 minutes"}
])";

// app links to db (db's extra name "/app/db_alias"); sidecar runs in web's network namespace.
const std::string dependent_list = R"([
  {"Id": "99cc", "Names": ["/sidecar"], "Image": "x", "ImageID": "sha256:1", "State": "running",
   "HostConfig": {"NetworkMode": "container:53ca70aa"}},
  {"Id": "88bb", "Names": ["/app"], "Image": "x", "ImageID": "sha256:1", "State": "running",
   "HostConfig": {"NetworkMode": "default"}},
  {"Id": "77aa", "Names": ["/app/db_alias", "/db"], "Image": "x", "ImageID": "sha256:1",
   "State": "running"},
  {"Id": "53ca70aa", "Names": ["/web"], "Image": "x", "ImageID": "sha256:1", "State": "running",
   "HostConfig": {"NetworkMode": "bridge"}}
])";

}  // namespace

TEST_CASE("container list: every field, names without the slash, exit code from the status") {
  auto containers = parse_container_list(container_list);
  REQUIRE(containers.size() == 2);
  const ContainerSummary& web = containers[0];
  CHECK(web.id == "53ca70aa");
  CHECK(web.name == "web");
  CHECK(web.image == "dockerup-test/busybox:base");
  CHECK(web.image_id == "sha256:f52e");
  CHECK(web.labels == Labels{{"a", "b"}, {"io.dockerup.managed", "true"}});
  CHECK(web.state == "exited");
  CHECK(web.status == "Exited (3) 1 second ago");
  CHECK(web.exit_code == 3);
  CHECK(web.created == 1795441552);
  CHECK_FALSE(web.running());

  const ContainerSummary& db = containers[1];
  CHECK(db.name == "db");  // not the legacy link name "/app/db_alias"
  CHECK(db.labels.empty());
  CHECK(db.exit_code == -1);
  CHECK(db.running());
}

TEST_CASE("container list: what each container uses, from its network mode and its links") {
  auto containers = parse_container_list(dependent_list);
  REQUIRE(containers.size() == 4);
  CHECK(containers[0].uses == std::vector<std::string>{"53ca70aa"});  // sidecar: web's network
  CHECK(containers[1].uses == std::vector<std::string>{"77aa"});      // app links to db
  CHECK(containers[2].uses.empty());
  CHECK(containers[3].uses.empty());
  CHECK(parse_container_list(container_list)[0].uses.empty());  // "app" is not in that list
}

TEST_CASE("container list: empty, and bad answers") {
  CHECK(parse_container_list("[]").empty());
  CHECK_THROWS_AS(parse_container_list("{\"message\": \"x\"}"), Failure);
  CHECK_THROWS_AS(parse_container_list("[{"), Failure);
  CHECK_THROWS_WITH(parse_container_list(""), doctest::Contains("listing containers"));
}

TEST_CASE("exit codes from status text") {
  CHECK(exit_code_from_status("Exited (137) 3 seconds ago") == 137);
  CHECK(exit_code_from_status("Exited (0) About a minute ago") == 0);
  CHECK(exit_code_from_status("Up 3 seconds") == -1);
  CHECK(exit_code_from_status("Created") == -1);
  CHECK(exit_code_from_status("Exited (") == -1);
  CHECK(exit_code_from_status("Exited (12") == -1);
  CHECK(exit_code_from_status("Exited (x) 1 second ago") == -1);
  CHECK(exit_code_from_status("") == -1);
}

TEST_CASE("inspect: state, health, labels and anonymous volumes only") {
  std::string json = R"({
    "Id": "53ca70aa", "Name": "/web", "Image": "sha256:f52e", "RestartCount": 4,
    "State": {"Status": "running", "Running": true, "Restarting": false, "ExitCode": 0, "Error": "",
              "StartedAt": "2026-11-23T13:45:52.652374976Z",
              "Health": {"Status": "healthy", "FailingStreak": 0, "Log": []}},
    "Config": {"Labels": {"io.dockerup.name": "web"}},
    "Mounts": [
      {"Type": "volume", "Name": ")" +
                     volume_id + R"(", "Destination": "/data"},
      {"Type": "volume", "Name": "named-data", "Destination": "/named"},
      {"Type": "bind", "Source": "/srv", "Destination": "/srv"},
      {"Type": "volume", "Name": ")" +
                     std::string(63, 'a') + R"(", "Destination": "/short"}
    ]})";
  ContainerDetails details = parse_container_inspect(json);
  CHECK(details.id == "53ca70aa");
  CHECK(details.name == "web");
  CHECK(details.image_id == "sha256:f52e");
  CHECK(details.running);
  CHECK_FALSE(details.restarting);
  CHECK(details.exit_code == 0);
  CHECK(details.restart_count == 4);
  CHECK(details.health == "healthy");
  CHECK(details.started_at == "2026-11-23T13:45:52.652374976Z");
  CHECK(details.error == "");
  CHECK(details.labels == Labels{{"io.dockerup.name", "web"}});
  CHECK(details.anonymous_volumes == std::vector<std::string>{volume_id});
}

TEST_CASE("inspect: a failed start, no health check, null members") {
  std::string json = R"({"Id": "1", "Name": "/bad", "Image": "sha256:9", "RestartCount": 0,
    "State": {"Running": false, "Restarting": true, "ExitCode": 127,
              "Error": "exec: \"nope\": executable file not found in $PATH", "StartedAt": "0001-01-01T00:00:00Z"},
    "Config": {"Labels": null}, "Mounts": null})";
  ContainerDetails details = parse_container_inspect(json);
  CHECK_FALSE(details.running);
  CHECK(details.restarting);
  CHECK(details.exit_code == 127);
  CHECK(details.error == "exec: \"nope\": executable file not found in $PATH");
  CHECK(details.health == "");
  CHECK(details.labels.empty());
  CHECK(details.anonymous_volumes.empty());
  CHECK_THROWS_AS(parse_container_inspect("[]"), Failure);
}

TEST_CASE("image list: tags, digests, placeholders dropped") {
  std::string json = R"([
    {"Containers": -1, "Created": 1795441426, "Id": "sha256:7d89", "Labels": {"v": "2"},
     "ParentId": "", "RepoDigests": null, "RepoTags": ["dockerup-test/app:v2", "app:latest"],
     "Size": 1984184},
    {"Created": 1795441049, "Id": "sha256:3779", "Labels": null, "RepoDigests": ["<none>@<none>"],
     "RepoTags": ["<none>:<none>"], "Size": 1982326},
    {"Created": 1, "Id": "sha256:aaaa", "RepoDigests": ["localhost:5000/app@sha256:abcd"], "RepoTags": null, "Size": 5}
  ])";
  auto images = parse_image_list(json);
  REQUIRE(images.size() == 3);
  CHECK(images[0].id == "sha256:7d89");
  CHECK(images[0].tags == std::vector<std::string>{"dockerup-test/app:v2", "app:latest"});
  CHECK(images[0].digests.empty());
  CHECK(images[0].size == 1984184);
  CHECK(images[0].created == 1795441426);
  CHECK(images[0].labels == Labels{{"v", "2"}});
  CHECK(images[1].tags.empty());
  CHECK(images[1].digests.empty());
  CHECK(images[2].tags.empty());
  CHECK(images[2].digests == std::vector<std::string>{"localhost:5000/app@sha256:abcd"});
  CHECK_THROWS_AS(parse_image_list("null"), Failure);
}

TEST_CASE("API version from GET /version") {
  CHECK(parse_daemon_version(
            R"({"Version": "20.10.24", "ApiVersion": "1.41", "MinAPIVersion": "1.12"})")
            .api_version == "1.41");
  CHECK(parse_daemon_version(R"({"ApiVersion": "1.50"})").api_version == "1.50");
  for (const char* bad :
       {"{}", R"({"ApiVersion": ""})", R"({"ApiVersion": "v1.41"})", R"({"ApiVersion": "1."})",
        R"({"ApiVersion": "1.4.1"})", R"({"ApiVersion": 1.41})", "not json"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_daemon_version(bad), Failure);
  }
}

TEST_CASE("registry digest and created id") {
  CHECK(
      parse_distribution_digest(
          R"({"Descriptor": {"mediaType": "m", "digest": "sha256:abc", "size": 1}, "Platforms": []})") ==
      "sha256:abc");
  CHECK_FALSE(parse_distribution_digest(R"({"Descriptor": {}})"));
  CHECK_FALSE(parse_distribution_digest(R"({})"));
  CHECK(parse_created_id(R"({"Id": "e90e34656806", "Warnings": []})") == "e90e34656806");
  CHECK_THROWS_WITH(parse_created_id(R"({"Warnings": []})"), doctest::Contains("Id"));
}

TEST_CASE("pull stream: progress lines are not errors") {
  PullStreamChecker checker;
  checker.feed("{\"status\":\"Pulling from library/busybox\",\"id\":\"1.36\"}\n");
  checker.feed(
      "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1,\"total\":2},\"id\":\"a\"}\n");
  checker.feed("{\"status\":\"Status: Downloaded newer image for busybox:1.36\"}\n");
  checker.finish();
  CHECK_FALSE(checker.error());
}

TEST_CASE("pull stream: an error line fails the pull even when split across chunks") {
  PullStreamChecker checker;
  checker.feed("{\"status\":\"Pulling from app\"}\n{\"errorDetail\":{\"message\":\"manifest for ");
  CHECK_FALSE(checker.error());
  checker.feed("app:v9 not found\"},\"error\":\"manifest unknown\"}\n{\"status\":\"later\"}\n");
  REQUIRE(checker.error());
  CHECK(*checker.error() == "manifest for app:v9 not found");
}

TEST_CASE("pull stream: error without detail, error on the last line without a newline") {
  PullStreamChecker plain;
  plain.feed("{\"error\":\"unauthorized\"}");
  CHECK_FALSE(plain.error());
  plain.finish();
  CHECK(plain.error() == "unauthorized");

  PullStreamChecker first_wins;
  first_wins.feed("{\"error\":\"one\"}\n{\"error\":\"two\"}\n");
  CHECK(first_wins.error() == "one");

  PullStreamChecker empty;
  empty.feed("{\"error\":\"\",\"errorDetail\":{}}\n");
  CHECK(empty.error() == "Docker reported an error without a message");
}

TEST_CASE("pull stream: a line over 1 MiB is an error naming the limit, in one chunk or many") {
  std::string part(PullStreamChecker::max_line / 2, 'x');
  PullStreamChecker exactly;  // a line of exactly max_line bytes is fine
  exactly.feed(part);
  exactly.feed(part + "\n");
  CHECK_FALSE(exactly.error());

  PullStreamChecker split;
  split.feed(part);
  split.feed(part);
  CHECK_THROWS_WITH_AS(split.feed("x"),
                       "the pull progress stream has a line longer than the limit of 1 MiB",
                       Failure);

  PullStreamChecker whole;
  CHECK_THROWS_AS(whole.feed(std::string(PullStreamChecker::max_line + 1, 'x') + "\n"), Failure);

  PullStreamChecker many_lines;  // the stream as a whole has no limit
  std::string line(1000, 'y');
  line += '\n';
  for (int i = 0; i < 3000; ++i) many_lines.feed(line);
  CHECK_FALSE(many_lines.error());
}

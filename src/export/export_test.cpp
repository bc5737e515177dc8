#include "dockerup/export.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace dockerup;

namespace {

ContainerSpec web() {
  ContainerSpec spec;
  spec.source = "/etc/dockerup/containers.d/web.json";
  spec.name = "web";
  spec.image = "registry.example.com/web:1.4";
  spec.cpu_shares = 512;
  spec.memory_bytes = 512LL * 1024 * 1024 + 1;
  spec.entrypoint = std::vector<std::string>{"/bin/sh", "-c"};
  spec.command = std::vector<std::string>{"exec httpd -f"};
  spec.env = {{"API_KEY", "s3cret-value"}, {"MODE", "no"}};
  spec.ports = {{8080, 80, "tcp", "127.0.0.1"}, {53, std::nullopt, "udp", ""}};
  spec.volumes = {{VolumeSpec::Kind::Bind, "/srv/data", "/data", true, ""},
                  {VolumeSpec::Kind::Anonymous, "", "/cache", false, ""}};
  spec.restart = "always";
  spec.stop_signal = "SIGQUIT";
  return spec;
}

ContainerSpec sidecar() {
  ContainerSpec spec;
  spec.name = "log_shipper";
  spec.image = "shipper:2";
  spec.volumes = {{VolumeSpec::Kind::From, "", "", false, "web"}};
  spec.links = {{"web", "backend"}};
  spec.update.rolling = true;
  return spec;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool warned(const ExportResult& result, const std::string& part) {
  return std::any_of(result.warnings.begin(), result.warnings.end(),
                     [&](const std::string& w) { return has(w, part); });
}

}  // namespace

TEST_CASE("formats by name") {
  CHECK(parse_export_format("compose") == ExportFormat::Compose);
  CHECK(parse_export_format("ecs") == ExportFormat::Ecs);
  CHECK(parse_export_format("kubernetes") == ExportFormat::Kubernetes);
  CHECK_FALSE(parse_export_format("k8s").has_value());
}

TEST_CASE("compose: every field of a service, strings quoted, secrets hidden") {
  ExportResult result = export_specs({web(), sidecar()}, ExportFormat::Compose, false);
  const std::string& y = result.text;
  CHECK(has(y, "version: \"2.4\"\nservices:\n  web:\n    container_name: \"web\"\n"));
  CHECK(has(y, "    entrypoint:\n      - \"/bin/sh\"\n      - \"-c\"\n"));
  CHECK(has(y, "    command:\n      - \"exec httpd -f\"\n"));
  // DOCKER_IMAGE is what dockerup adds to every container: the image, never hidden.
  CHECK(has(y, "      API_KEY: \"(hidden)\"\n      DOCKER_IMAGE: \"registry.example.com/web:1.4\"\n"
               "      MODE: \"(hidden)\"\n"));
  CHECK(has(y, "      - \"127.0.0.1:80:8080/tcp\"\n      - \"53/udp\"\n"));
  CHECK(has(y, "      - \"/srv/data:/data:ro\"\n      - \"/cache\"\n"));
  CHECK(has(y, "    restart: \"always\"\n    mem_limit: 536870913\n    cpu_shares: 512\n"));
  CHECK(has(y, "    network_mode: \"bridge\"\n"));
  CHECK(has(y, "    stop_signal: \"SIGQUIT\"\n"));
  CHECK(has(y, "    volumes_from:\n      - \"web:rw\"\n"));
  CHECK(has(y, "    links:\n      - \"web:backend\"\n    depends_on:\n      - \"web\"\n"));
  CHECK_FALSE(has(y, "s3cret-value"));
  CHECK(warned(result, "log_shipper: \"update\" has no counterpart in Compose"));
  CHECK(has(y, "# Not expressed here"));  // the warnings are in the file too
  std::string shown = export_specs({web()}, ExportFormat::Compose, true).text;
  CHECK(has(shown, "      API_KEY: \"s3cret-value\"\n"));
  CHECK(has(shown, "      MODE: \"no\"\n"));  // "no" stays a string
}

TEST_CASE("compose: container:NAME becomes service:NAME, named networks are external") {
  ContainerSpec a = web(), b = sidecar();
  a.network = "backend-net";
  b.network = "container:web";
  std::string y = export_specs({a, b}, ExportFormat::Compose, false).text;
  CHECK(has(y, "    networks:\n      - \"backend-net\"\n"));
  CHECK(has(y, "networks:\n  backend-net:\n    external: true\n"));
  CHECK(has(y, "    network_mode: \"service:web\"\n"));
}

TEST_CASE("ecs: container definitions, task volumes, and what has no counterpart") {
  ExportResult result = export_specs({web(), sidecar()}, ExportFormat::Ecs, false);
  const std::string& j = result.text;
  CHECK(has(j, "\"family\": \"dockerup\""));
  CHECK(has(j, "\"networkMode\": \"bridge\""));
  CHECK(has(j, "\"cpu\": 512"));
  CHECK(has(j, "\"memory\": 513"));  // MiB, rounded up
  CHECK(has(j, "\"entryPoint\": [\n        \"/bin/sh\",\n        \"-c\"\n      ]"));
  CHECK(has(j, "\"name\": \"API_KEY\",\n          \"value\": \"(hidden)\""));
  CHECK(has(j, "\"containerPort\": 8080,\n          \"hostPort\": 80,\n          \"protocol\": \"tcp\""));
  CHECK(has(j, "\"sourceVolume\": \"web-volume-0\",\n          \"containerPath\": \"/data\",\n          \"readOnly\": true"));
  CHECK(has(j, "\"name\": \"web-volume-0\",\n      \"host\": {\n        \"sourcePath\": \"/srv/data\""));
  CHECK(has(j, "\"sourceContainer\": \"web\""));
  CHECK(has(j, "\"containerName\": \"web\",\n          \"condition\": \"START\""));
  CHECK(warned(result, "web: \"portMappings.hostIp\""));
  CHECK(warned(result, "web: \"restart\""));
  CHECK(warned(result, "web: \"signal\""));
  CHECK(warned(result, "log_shipper: \"update\""));
}

TEST_CASE("ecs: one network mode per task") {
  ContainerSpec a = web(), b = sidecar();
  a.network = "host";
  ExportResult result = export_specs({a, b}, ExportFormat::Ecs, false);
  CHECK(has(result.text, "\"networkMode\": \"host\""));
  CHECK(warned(result, "log_shipper: \"network\" has no counterpart"));
}

TEST_CASE("kubernetes: one pod, host ports and host paths, shared volumes, warnings") {
  ExportResult result = export_specs({web(), sidecar()}, ExportFormat::Kubernetes, false);
  const std::string& y = result.text;
  CHECK(has(y, "apiVersion: \"v1\"\nkind: \"Pod\"\n"));
  CHECK(has(y, "  restartPolicy: \"Always\"\n"));
  CHECK(has(y, "    - name: \"web\"\n      image: \"registry.example.com/web:1.4\"\n"));
  CHECK(has(y, "      command:\n        - \"/bin/sh\"\n        - \"-c\"\n      args:\n"));
  CHECK(has(y, "        - containerPort: 8080\n          hostPort: 80\n          hostIP: \"127.0.0.1\"\n          protocol: \"TCP\"\n"));
  CHECK(has(y, "          protocol: \"UDP\"\n"));
  CHECK(has(y, "        limits:\n          memory: \"536870913\"\n"));
  CHECK(has(y, "        requests:\n          cpu: \"500m\"\n"));
  CHECK(has(y, "    - name: \"web-0\"\n      hostPath:\n        path: \"/srv/data\"\n"));
  CHECK(has(y, "    - name: \"web-1\"\n      emptyDir: {}\n"));
  CHECK(has(y, "    - name: \"log-shipper\"\n"));  // a DNS-1123 label
  // The sidecar mounts web's volumes at the same paths (what volumes-from did).
  CHECK(has(y, "          value: \"shipper:2\"\n      volumeMounts:\n"
               "        - name: \"web-0\"\n          mountPath: \"/data\"\n          readOnly: true\n"
               "        - name: \"web-1\"\n          mountPath: \"/cache\"\n"));
  CHECK(warned(result, "log_shipper: \"name\""));
  CHECK(warned(result, "log_shipper: \"links\""));
  CHECK(warned(result, "log_shipper: \"restart\""));  // on-failure in a pod that is Always
  CHECK(warned(result, "web: \"signal\""));
  CHECK_FALSE(has(y, "s3cret-value"));
}

TEST_CASE("env values are hidden whatever their length; equal paths, ports and images stay") {
  ContainerSpec spec = web();
  spec.env = {{"HOME", "/data"}, {"PORT", "8080"}, {"X", "true"}, {"SECRET", "abc"}};
  for (auto format : {ExportFormat::Compose, ExportFormat::Ecs, ExportFormat::Kubernetes}) {
    ExportResult hidden = export_specs({spec}, format, false);
    CAPTURE(hidden.text);
    CHECK((has(hidden.text, "\"/data\"") || has(hidden.text, ":/data:ro")));  // the mount
    CHECK(has(hidden.text, "8080"));        // the container port
    CHECK(has(hidden.text, "registry.example.com/web:1.4"));
    CHECK_FALSE(has(hidden.text, "abc"));
    CHECK_FALSE(has(hidden.text, "\"true\""));
    ExportResult shown = export_specs({spec}, format, true);
    CHECK(has(shown.text, "\"abc\""));
    CHECK(has(shown.text, "\"true\""));
  }
}

TEST_CASE("ecs and kubernetes write the env as the same name/value list") {
  ExportResult ecs = export_specs({web()}, ExportFormat::Ecs, true);
  ExportResult pod = export_specs({web()}, ExportFormat::Kubernetes, true);
  CHECK(has(ecs.text, "\"name\": \"MODE\",\n          \"value\": \"no\""));
  CHECK(has(pod.text, "      env:\n        - name: \"API_KEY\"\n          value: \"s3cret-value\"\n"));
  CHECK(has(pod.text, "        - name: \"MODE\"\n          value: \"no\"\n"));
}

TEST_CASE("every field without a counterpart is named in a warning") {
  ContainerSpec labelled = web();
  labelled.labels = {{"team", "web"}};
  labelled.network = "backend-net";
  ContainerSpec isolated = sidecar();
  isolated.network = "none";
  isolated.volumes = {{VolumeSpec::Kind::From, "", "", false, "undeclared"}};
  ExportResult pod = export_specs({labelled, isolated}, ExportFormat::Kubernetes, false);
  CHECK(warned(pod, "web: \"labels\" has no counterpart in a Kubernetes Pod"));
  CHECK(warned(pod, "web: \"network\" has no counterpart in a Kubernetes Pod; \"backend-net\""));
  CHECK(warned(pod, "web: \"portMappings.hostPort\" has no counterpart in a Kubernetes Pod; port 53"));
  CHECK_FALSE(warned(pod, "port 8080"));  // it has a host port
  CHECK(warned(pod, "log_shipper: \"network\" has no counterpart in a Kubernetes Pod; \"none\""));
  CHECK(warned(pod, "log_shipper: \"volumes.from\" has no counterpart in a Kubernetes Pod; \"undeclared\""));
  CHECK(warned(pod, "log_shipper: \"update\" has no counterpart in a Kubernetes Pod"));
  CHECK(has(pod.text, "#   web: \"labels\" has no counterpart"));  // in the file too

  ContainerSpec shared = sidecar();
  shared.network = "container:web";
  ExportResult ecs = export_specs({labelled, shared}, ExportFormat::Ecs, false);
  CHECK(warned(ecs, "web: \"network\" has no counterpart in an ECS task definition; \"backend-net\""));
  CHECK(warned(ecs, "log_shipper: \"network\" has no counterpart in an ECS task definition"));
  CHECK(has(ecs.text, "\"dockerLabels\": {\n        \"team\": \"web\""));
  // Compose has a counterpart for everything but the update policy.
  ExportResult compose = export_specs({labelled, shared}, ExportFormat::Compose, false);
  REQUIRE(compose.warnings.size() == 1);
  CHECK(warned(compose, "log_shipper: \"update\" has no counterpart in Compose"));
}

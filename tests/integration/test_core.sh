#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# The core reconciler against a real dockerd: launch, keep, remove, replace, restart, adopt.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

# A data container whose anonymous volume the "web" spec imports, linked as "db".
write_store_spec() {
  write_spec store "{
    \"type\": \"docker\",
    \"name\": \"$(cname store)\",
    \"image\": \"$IMAGE_V1\",
    \"command\": \"sleep 3600\",
    \"volumes\": [{\"containerPath\": \"/shared\"}]
  }"
}

# web: every field of the container format, with httpd serving /www on container port 8080.
# Sets HOST_DATA, FIXED_PORT and PRIVILEGED for the assertions.
write_full_spec() {
  HOST_DATA="$CASE_DIR/hostdata"
  mkdir -p "$HOST_DATA"
  echo "from the host" >"$HOST_DATA/hello.txt"
  FIXED_PORT=$(free_port)
  PRIVILEGED=false  # true has a case of its own: not every engine can run it
  write_store_spec
  write_spec web "{
    \"type\": \"docker\",
    \"name\": \"$(cname web)\",
    \"image\": \"$IMAGE_V1\",
    \"cpu\": 10,
    \"memory\": \"64m\",
    \"entrypoint\": \"/bin/httpd\",
    \"command\": \"-f -p 8080 -h /www\",
    \"privileged\": $PRIVILEGED,
    \"network\": \"bridge\",
    \"volumes\": [
      {\"containerPath\": \"/data\", \"hostPath\": \"$HOST_DATA\", \"mode\": \"ro\"},
      {\"containerPath\": \"/scratch\"},
      {\"from\": \"$(cname store)\"}
    ],
    \"portMappings\": [
      {\"containerPort\": 8080, \"hostIp\": \"127.0.0.1\"},
      {\"containerPort\": \"9090\", \"hostPort\": \"$FIXED_PORT\", \"hostIp\": \"127.0.0.1\"}
    ],
    \"env\": {\"GREETING\": \"hello world\", \"HOME\": \"/data\"},
    \"restart\": \"always\",
    \"links\": {\"$(cname store)\": \"db\"},
    \"labels\": {\"team\": \"qa\", \"tier\": \"web\"}
  }"
}

# A plain web server spec: write_simple_spec STEM [ENV_JSON] [IMAGE]
write_simple_spec() {
  local stem=$1 env=${2:-"{}"} image=${3:-$IMAGE_V1}
  write_spec "$stem" "{
    \"type\": \"docker\",
    \"name\": \"$(cname "$stem")\",
    \"image\": \"$image\",
    \"env\": $env,
    \"portMappings\": [{\"containerPort\": 8080, \"hostIp\": \"127.0.0.1\"}]
  }"
}

test_launch_every_field() {
  write_full_spec
  run_dockerup --no-pull -v
  assert_exit 0
  local web store
  web=$(cname web)
  store=$(cname store)
  assert_running "$store"
  assert_running "$web" || return

  assert_eq 10 "$(inspect "$web" '{{.HostConfig.CpuShares}}')" "cpu shares"
  assert_eq 67108864 "$(inspect "$web" '{{.HostConfig.Memory}}')" "memory 64m"
  assert_eq '["/bin/httpd"]' "$(inspect "$web" '{{json .Config.Entrypoint}}')" "entrypoint"
  assert_eq '["-f","-p","8080","-h","/www"]' "$(inspect "$web" '{{json .Config.Cmd}}')" "command"
  assert_eq "$PRIVILEGED" "$(inspect "$web" '{{.HostConfig.Privileged}}')" "privileged"
  assert_eq bridge "$(inspect "$web" '{{.HostConfig.NetworkMode}}')" "network"
  assert_eq always "$(inspect "$web" '{{.HostConfig.RestartPolicy.Name}}')" "restart policy"

  local mounts
  mounts=$(inspect "$web" '{{range .Mounts}}{{.Type}}:{{.Source}}:{{.Destination}}:{{.RW}}{{println}}{{end}}')
  assert_contains "$mounts" "bind:$HOST_DATA:/data:false" "read-only bind mount"
  assert_match "$mounts" '^volume:.*:/scratch:true$' "anonymous volume"
  assert_eq "from the host" "$("$DOCKER" exec "$web" cat /data/hello.txt)" "bind mount content"
  assert_true "/data should be read-only" \
    bash -c "! '$DOCKER' exec '$web' touch /data/new 2>/dev/null"
  local store_volume
  store_volume=$(inspect "$store" '{{range .Mounts}}{{if eq .Destination "/shared"}}{{.Name}}{{end}}{{end}}')
  assert_ne "" "$store_volume" "store has a /shared volume"
  assert_contains "$mounts" "$store_volume" "volumes from $store"

  local address
  address=$(host_port "$web" 8080/tcp)
  assert_match "$address" '^127\.0\.0\.1:[0-9]+$' "random port bound to 127.0.0.1"
  assert_eq "app v1" "$(http_get "http://$address/")" "page served through the mapped port"
  assert_eq "127.0.0.1:$FIXED_PORT" "$(host_port "$web" 9090/tcp)" "fixed host port"

  local env
  env=$(env_of "$web")
  assert_contains "$env" "GREETING=hello world" "env"
  assert_contains "$env" "HOME=/data" "env"
  assert_contains "$env" "DOCKER_IMAGE=$IMAGE_V1" "DOCKER_IMAGE env"

  assert_contains "$(inspect "$web" '{{json .HostConfig.Links}}')" "/$store:/$web/db" "link"
  assert_match "$("$DOCKER" exec "$web" cat /etc/hosts)" '[[:space:]]db([[:space:]]|$)' "link alias in /etc/hosts"

  assert_eq qa "$(label_of "$web" team)" "label team"
  assert_eq web "$(label_of "$web" tier)" "label tier"
  assert_eq true "$(label_of "$web" io.dockerup.managed)" "managed label"
  assert_eq "$web" "$(label_of "$web" io.dockerup.name)" "name label"
  assert_eq "$IMAGE_V1" "$(label_of "$web" io.dockerup.image)" "image label"
  assert_contains "$(label_of "$web" io.dockerup.source)" "web.json" "source label"
  assert_match "$(label_of "$web" io.dockerup.spec-hash)" '^[0-9a-f]{6,}$' "spec-hash label"
}

test_second_run_changes_nothing() {
  write_full_spec
  run_dockerup --no-pull
  assert_exit 0 || return
  local web store id started store_id
  web=$(cname web)
  store=$(cname store)
  id=$(cid "$web")
  started=$(inspect "$web" '{{.State.StartedAt}}')
  store_id=$(cid "$store")
  run_dockerup --no-pull
  assert_exit 0
  assert_eq "$id" "$(cid "$web")" "web container ID after a second run"
  assert_eq "$started" "$(inspect "$web" '{{.State.StartedAt}}')" "web StartedAt"
  assert_eq "$store_id" "$(cid "$store")" "store container ID"
  assert_eq 1 "$(count_managed "$web")" "containers managed as $web"
}

test_deleted_spec_is_removed() {
  write_simple_spec keep
  write_simple_spec gone
  run_dockerup --no-pull
  assert_exit 0
  assert_running "$(cname gone)" || return
  local keep_id
  keep_id=$(cid "$(cname keep)")
  rm "$(spec_path gone)"
  run_dockerup --no-pull
  assert_exit 0
  assert_absent "$(cname gone)"
  assert_eq 0 "$(count_managed "$(cname gone)")" "containers managed as gone"
  assert_kept "$keep_id" "$(cname keep)" "untouched container ID"
}

test_changed_env_replaces() {
  local web
  web=$(cname web)
  write_simple_spec web '{"COLOUR": "blue"}'
  first_run "$web" --no-pull || return
  write_simple_spec web '{"COLOUR": "green"}'
  run_dockerup --no-pull
  assert_exit 0
  assert_running "$web"
  assert_ne "$FIRST_ID" "$(cid "$web")" "container ID after the env changed"
  assert_contains "$(env_of "$web")" "COLOUR=green" "new env"
  assert_eq 1 "$(count_managed "$web")" "containers managed as $web"
  assert_eq 1 "$("$DOCKER" ps -a -q --filter "name=$web" | wc -l)" "containers named like $web"
}

test_changed_image_replaces() {
  local web
  web=$(cname web)
  write_simple_spec web '{}' "$IMAGE_V1"
  run_dockerup --no-pull
  assert_exit 0
  local old_id
  old_id=$(cid "$web")
  write_simple_spec web '{}' "$IMAGE_V2"
  run_dockerup --no-pull
  assert_exit 0
  assert_ne "$old_id" "$(cid "$web")" "container ID after the image changed"
  assert_eq "$IMAGE_V2" "$(inspect "$web" '{{.Config.Image}}')" "image"
  assert_eq "$IMAGE_V2" "$(label_of "$web" io.dockerup.image)" "image label"
  assert_eq "app v2" "$(http_get "http://$(host_port "$web" 8080/tcp)/")" "page of the new image"
  assert_eq 1 "$(count_managed "$web")" "containers managed as $web"
}

test_stopped_container_is_started() {
  local web
  web=$(cname web)
  write_simple_spec web
  run_dockerup --no-pull
  assert_exit 0
  local id
  id=$(cid "$web")
  "$DOCKER" stop -t 1 "$web" >/dev/null
  assert_eq false "$(inspect "$web" '{{.State.Running}}')" "stopped by hand" || return
  run_dockerup --no-pull
  assert_exit 0
  assert_kept "$id" "$web" "same container started again"
}

test_hand_started_containers() {
  local loose adopt
  loose=$(cname loose)
  adopt=$(cname adopt)
  run_by_hand "$loose" "$IMAGE_V1"
  run_by_hand "$adopt" "$IMAGE_V1"
  local loose_id adopt_id
  loose_id=$(cid "$loose")
  adopt_id=$(cid "$adopt")
  write_simple_spec adopt
  run_dockerup --no-pull
  assert_exit 0
  assert_kept "$loose_id" "$loose" "undeclared container left alone"
  assert_running "$adopt"
  assert_ne "$adopt_id" "$(cid "$adopt")" "hand-made container under a declared name replaced"
  assert_eq true "$(label_of "$adopt" io.dockerup.managed)" "adopted container is managed"
}

test_dry_run_changes_nothing() {
  local fresh changed
  fresh=$(cname fresh)
  changed=$(cname changed)
  write_simple_spec changed '{"V": "1"}'
  run_dockerup --no-pull
  assert_exit 0
  local changed_id
  changed_id=$(cid "$changed")
  write_simple_spec changed '{"V": "2"}'
  write_simple_spec fresh
  run_dockerup --no-pull --dry-run
  assert_exit 0
  assert_absent "$fresh"
  assert_eq "$changed_id" "$(cid "$changed")" "container kept by the dry run"
  assert_contains "$(env_of "$changed")" "V=1" "env kept by the dry run"
  local said="$OUT"$'\n'"$ERR"
  assert_match "$said" "create $fresh" "planned create"
  assert_match "$said" "replace $changed: .+" "planned replace with its reason"
}

test_network_container_dependency() {
  # a.json sorts first but joins the network of the container declared in z.json.
  local base joiner
  base=$(cname base)
  joiner=$(cname joiner)
  write_spec z "{\"name\": \"$base\", \"image\": \"$IMAGE_V1\"}"
  write_spec a "{\"name\": \"$joiner\", \"image\": \"$IMAGE_V1\", \"command\": \"sleep 3600\",
                 \"network\": \"container:$base\", \"restart\": \"never\"}"
  run_dockerup --no-pull
  assert_exit 0
  assert_running "$base"
  assert_running "$joiner"
  assert_contains "$(inspect "$joiner" '{{.HostConfig.NetworkMode}}')" "container:" "network mode"
  assert_eq no "$(inspect "$joiner" '{{.HostConfig.RestartPolicy.Name}}')" "restart never"
  assert_eq "app v1" "$("$DOCKER" exec "$joiner" wget -q -O - http://127.0.0.1:8080/)" \
    "shared network namespace"
}

# privileged: true, in a case of its own so that an engine that cannot run privileged containers
# (nested, without the capabilities) skips it visibly instead of the field being dropped.
test_privileged() {
  local refusal web
  if ! refusal=$("$DOCKER" run --rm --privileged "$IMAGE_V1" true 2>&1); then
    refusal=$(grep -m1 -o 'unable to apply caps[^:]*\|operation not permitted\|Error response from daemon: [^.]*' <<<"$refusal")
    skip_case "this host's dockerd cannot start privileged containers" \
      "the engine itself refuses them here (${refusal:-no reason given})"
    return 0
  fi
  web=$(cname web)
  write_spec web "{\"name\": \"$web\", \"image\": \"$IMAGE_V1\", \"privileged\": true}"
  run_dockerup --no-pull
  assert_exit 0
  assert_running "$web"
  assert_eq true "$(inspect "$web" '{{.HostConfig.Privileged}}')" "privileged"
}

test_case "launch with every field" test_launch_every_field
test_case "privileged: true reaches the engine" test_privileged
test_case "second run changes nothing" test_second_run_changes_nothing
test_case "deleted spec is removed" test_deleted_spec_is_removed
test_case "changed env replaces the container" test_changed_env_replaces
test_case "changed image replaces the container" test_changed_image_replaces
test_case "stopped container is started again" test_stopped_container_is_started
test_case "hand-started containers: undeclared kept, declared name adopted" test_hand_started_containers
test_case "dry run changes nothing and explains" test_dry_run_changes_nothing
test_case "network container:X dependency and restart never" test_network_container_dependency
finish

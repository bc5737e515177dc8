#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# `dockerup export` checked by the tools of each target, all local: docker-compose reads the
# Compose file and runs it against the real dockerd (the containers must equal the ones dockerup
# creates), botocore validates the ECS task definition against the ECS service model
# (RegisterTaskDefinition, no AWS call), python3-kubernetes deserialises the Pod.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

# Debian's python3 has python3-botocore, -kubernetes and -yaml; another python3 first in PATH
# (pyenv) may not.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# Two containers using every field Compose, ECS and Kubernetes have a counterpart for.
write_specs() {
  WEB=$(cname web)
  SIDE=$(cname side)
  mkdir -p "$CASE_DIR/data"
  write_spec web "{\"name\": \"$WEB\", \"image\": \"$IMAGE_V1\", \"cpu\": 512, \"memory\": \"64m\",
    \"env\": {\"MODE\": \"production\", \"API_KEY\": \"s3cr3t-value\"},
    \"portMappings\": [{\"containerPort\": 8080, \"hostPort\": $(free_port), \"hostIp\": \"127.0.0.1\"}],
    \"volumes\": [{\"containerPath\": \"/data\", \"hostPath\": \"$CASE_DIR/data\", \"mode\": \"ro\"},
                  {\"containerPath\": \"/cache\"}],
    \"restart\": \"always\"}"
  write_spec side "{\"name\": \"$SIDE\", \"image\": \"$IMAGE_V1\", \"restart\": \"unless-stopped\",
    \"volumes\": [{\"from\": \"$WEB\"}], \"links\": {\"$WEB\": \"backend\"},
    \"update\": {\"rolling\": true}}"
}

# What must be equal between dockerup's container NAME and docker-compose's.
inspect_for_compare() {
  {
    inspect "$1" 'image={{.Config.Image}}'
    inspect "$1" '{{range .Config.Env}}env={{println .}}{{end}}' | sort
    inspect "$1" 'ports={{json .HostConfig.PortBindings}}'
    inspect "$1" '{{range .Mounts}}mount={{.Type}} {{if eq .Type "bind"}}{{.Source}}{{end}} {{.Destination}} rw={{.RW}}{{println}}{{end}}' |
      grep . | sort
    inspect "$1" 'restart={{.HostConfig.RestartPolicy.Name}} memory={{.HostConfig.Memory}} cpu_shares={{.HostConfig.CpuShares}}'
  }
}

test_compose_output_runs_the_same_containers() {
  write_specs
  run_dockerup
  assert_exit 0
  assert_running "$WEB" || return
  assert_running "$SIDE" || return
  local out="$CASE_DIR/compose.yml" project="${P//[^a-z0-9]/}"
  run_dockerup export --format compose --show-secrets
  assert_exit 0
  printf '%s\n' "$OUT" >"$out"
  assert_contains "$ERR" "\"update\" has no counterpart in Compose" "update policy warned on stderr"
  assert_true "docker-compose config accepts the file" \
    docker-compose -p "$project" -f "$out" config -q
  local name before=()
  for name in "$WEB" "$SIDE"; do before+=("$(inspect_for_compare "$name")"); done
  assert_contains "${before[0]}" "env=API_KEY=s3cr3t-value" "the comparison sees env"

  "$DOCKER" rm -f -v "$SIDE" "$WEB" >/dev/null
  if ! docker-compose -p "$project" -f "$out" up -d >"$CASE_DIR/compose-up.log" 2>&1; then
    fail_assertion "docker-compose up -d failed: $(tail -n 5 "$CASE_DIR/compose-up.log")"
  else
    assert_eq "${before[0]}" "$(inspect_for_compare "$WEB")" "$WEB from docker-compose"
    assert_eq "${before[1]}" "$(inspect_for_compare "$SIDE")" "$SIDE from docker-compose"
  fi
  docker-compose -p "$project" -f "$out" down -v >>"$CASE_DIR/compose-up.log" 2>&1
  assert_absent "$WEB"
}

test_export_hides_secrets_without_show_secrets() {
  write_specs
  local format
  for format in compose ecs kubernetes; do
    run_dockerup export --format "$format"
    assert_exit 0
    assert_not_contains "$OUT$ERR" "s3cr3t-value" "$format without --show-secrets"
    assert_contains "$OUT" "(hidden)" "$format shows where a value was"
  done
  # Values equal to a path, a port or a word: hidden as values, intact as what they are elsewhere.
  local short
  short=$(cname short)
  write_spec short "{\"name\": \"$short\", \"image\": \"$IMAGE_V1\",
    \"env\": {\"HOME\": \"/data\", \"PORT\": \"8080\", \"SECRET\": \"abc\"},
    \"volumes\": [{\"containerPath\": \"/data\"}]}"
  run_dockerup export --format ecs
  assert_exit 0
  assert_contains "$OUT" "\"containerPath\": \"/data\"" "a path equal to an env value is intact"
  assert_contains "$OUT" "\"containerPort\": 8080" "a port equal to an env value is intact"
  assert_contains "$OUT" "\"image\": \"$IMAGE_V1\"" "the image is intact"
  assert_not_contains "$OUT$ERR" "abc" "a 3-character value is hidden too"
  # An env field that fails to parse: its error on stderr names the field, not the value.
  write_spec bad "{\"name\": \"$(cname bad)\", \"image\": \"$IMAGE_V1\", \"env\": \"K=bad-s3cr3t\"}"
  run_dockerup export --format compose
  assert_exit 1
  assert_contains "$ERR" "\$.env" "the error names the env field"
  assert_not_contains "$ERR" "bad-s3cr3t" "the error hides the value"
  run_dockerup export
  assert_exit 2
  assert_contains "$ERR" "--format compose|ecs|kubernetes" "--format is required"
}

validate_ecs() {  # FILE: botocore's parameter validation of RegisterTaskDefinition
  "$PY" - "$1" <<'PY'
import json, sys
import botocore.session
from botocore.validate import validate_parameters
model = botocore.session.get_session().get_service_model("ecs")
shape = model.operation_model("RegisterTaskDefinition").input_shape
with open(sys.argv[1]) as f:
    validate_parameters(json.load(f), shape)  # raises ParamValidationError with every problem
PY
}

test_ecs_output_passes_botocore_validation() {
  write_specs
  run_dockerup export --format ecs --show-secrets
  assert_exit 0
  printf '%s\n' "$OUT" >"$CASE_DIR/task.json"
  assert_true "botocore validates the task definition" validate_ecs "$CASE_DIR/task.json"
  assert_contains "$ERR" "\"restart\" has no counterpart" "restart warned"
  assert_contains "$ERR" "\"portMappings.hostIp\" has no counterpart" "host IP warned"
  # The check can fail: a field ECS does not know is refused.
  sed 's/"essential": true/"essential": true, "restartAlways": true/' "$CASE_DIR/task.json" \
    >"$CASE_DIR/bad.json"
  assert_true "botocore refuses an unknown field" \
    bash -c "! validate_ecs_file '$CASE_DIR/bad.json'"
}
validate_ecs_file() { validate_ecs "$1" 2>/dev/null; }
export -f validate_ecs validate_ecs_file
export PY

check_pod() {  # FILE: V1Pod deserialises it and serialises back the same (no unknown field)
  "$PY" - "$1" <<'PY'
import json, sys
import yaml
from kubernetes.client import ApiClient
with open(sys.argv[1]) as f:
    doc = yaml.safe_load(f)
class Response:
    data = json.dumps(doc)
api = ApiClient()
pod = api.deserialize(Response(), "V1Pod")
back = api.sanitize_for_serialization(pod)
if back != doc:
    sys.exit("fields lost in V1Pod: " + json.dumps(doc, sort_keys=True) + " != " +
             json.dumps(back, sort_keys=True))
PY
}
export -f check_pod

test_kubernetes_output_is_a_v1_pod() {
  write_specs
  run_dockerup export --format kubernetes --show-secrets
  assert_exit 0
  printf '%s\n' "$OUT" >"$CASE_DIR/pod.yml"
  assert_true "V1Pod holds every field" check_pod "$CASE_DIR/pod.yml"
  assert_contains "$OUT" "hostPath:" "host path mapped"
  assert_contains "$OUT" "hostIP: \"127.0.0.1\"" "host IP mapped"
  assert_contains "$OUT" "# Not expressed here" "warnings are comments in the file"
  assert_contains "$ERR" "\"links\" has no counterpart in a Kubernetes Pod" "links warned"
  sed 's/^  restartPolicy:/  restartAlways: true\n  restartPolicy:/' "$CASE_DIR/pod.yml" \
    >"$CASE_DIR/bad.yml"
  assert_true "an unknown field is caught" bash -c "! check_pod '$CASE_DIR/bad.yml' 2>/dev/null"
}

test_case "compose: docker-compose accepts it and runs the same containers" \
  test_compose_output_runs_the_same_containers
test_case "export hides env values (any length, paths and ports intact) and in errors; --format is required" \
  test_export_hides_secrets_without_show_secrets
test_case "ecs: botocore validates RegisterTaskDefinition input" \
  test_ecs_output_passes_botocore_validation
test_case "kubernetes: deserialises into V1Pod with no unknown field" \
  test_kubernetes_output_is_a_v1_pod
finish

#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Fleet sources against a real dockerd: tests/fleet_server.py on 127.0.0.1 serves the document
# with an ETag (plain HTTP, or as an S3 bucket checking every SigV4 signature with botocore),
# tests/imds_emulator.py plays the instance role and instance ID. The point of most cases: a
# fleet source that hiccups never removes a container; only a document that was fetched,
# parsed and no longer lists it does (or one that is gone, 404).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

SERVER="$TOP/tests/fleet_server.py"
EMULATOR="$TOP/tests/imds_emulator.py"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION

# start_server [fleet_server.py OPTIONS]: serves CASE_DIR/fleet/document; sets FLEET (the
# folder) and URL (plain HTTP). SERVER_NAME=NAME start_server: a second server, in CASE_DIR/NAME.
start_server() {
  FLEET="$CASE_DIR/${SERVER_NAME:-fleet}"
  mkdir -p "$FLEET"
  start_python "${SERVER_NAME:-server}" "$SERVER" --dir "$FLEET" "$@" || return 1
  SERVER_URL="http://127.0.0.1:$PORT"
  URL="$SERVER_URL/fleet.json"
}

document() { printf '%s\n' "$1" >"$FLEET/document"; }
server_mode() { printf '%s\n' "$1" >"$FLEET/mode"; }
requests_with() { grep -c -- "$1" "$FLEET/requests.log" 2>/dev/null || true; }

# start_imds INSTANCE_ID [imds_emulator.py OPTIONS]: the metadata service, serving
# CASE_DIR/user-data (write it first); run_aws then runs `dockerup --aws` against it.
start_imds() {
  local instance=$1
  shift
  start_python imds "$EMULATOR" --user-data "$CASE_DIR/user-data" --instance-id "$instance" \
    --region eu-north-1 "$@" || return 1
  IMDS_URL="http://127.0.0.1:$PORT"
}
run_aws() { AWS_EC2_METADATA_SERVICE_ENDPOINT="$IMDS_URL" run_dockerup --aws; }

entry() {  # NAME IMAGE [EXTRA_JSON_MEMBERS]
  echo "{\"name\": \"$1\", \"image\": \"$2\"${3:+, $3}}"
}

test_fleet_document_launches_and_changes_containers() {
  set_conf stop_timeout 1
  start_server || return
  local web
  web=$(cname web)
  set_conf source_url "$URL"
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1" '"env": {"ROLE": "v1"}')]}"
  run_dockerup
  assert_exit 0
  assert_running "$web"
  assert_eq "$URL" "$(label_of "$web" io.dockerup.source)" "source label is the URL"
  run_dockerup status
  assert_contains "$OUT" "$URL" "status shows the source"

  local id
  id=$(cid "$web")
  run_dockerup
  assert_exit 0
  assert_eq 1 "$(requests_with " 304 inm=")" "the unchanged document costs a 304"
  assert_eq 1 "$(requests_with " ims=[A-Z][a-z][a-z], [0-9]* [A-Z][a-z]* 20[0-9][0-9] .* GMT")" \
    "If-Modified-Since is the Last-Modified it was sent"
  assert_eq "$id" "$(cid "$web")" "unchanged document: $web untouched"

  document "{\"containers\": [$(entry "$web" "$IMAGE_V2" '"env": {"ROLE": "v2"}')]}"
  run_dockerup
  assert_exit 0
  assert_running "$web"
  assert_eq "$IMAGE_V2" "$(inspect "$web" '{{.Config.Image}}')" "the changed document applies"
  assert_contains "$(env_of "$web")" "ROLE=v2" "env from the changed document"
}

test_fleet_source_url_on_the_command_line() {
  start_server || return
  local web
  web=$(cname web)
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1")]}"
  run_dockerup --source-url "$URL"
  assert_exit 0
  assert_running "$web"
  run_dockerup --source-url "ftp://example.com/x"
  assert_exit 2
  assert_contains "$ERR" "--source-url" "a bad URL is a usage error"
}

test_fleet_failures_remove_nothing() {
  start_server || return
  local web mode
  web=$(cname web)
  set_conf source_url "$URL"
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1")]}"
  first_run "$web" || return
  for mode in 500 403 garbage timeout; do
    server_mode "$mode"
    run_dockerup
    assert_kept "$FIRST_ID" "$web" "server answering $mode: $web untouched"
    assert_contains "$ERR" "using the last good version" "server answering $mode: warned"
  done
  assert_contains "$ERR" "Timeout" "the timeout is named"
  # The server back: the same document, nothing to do.
  server_mode ok
  run_dockerup
  assert_exit 0
  assert_eq "$FIRST_ID" "$(cid "$web")" "server back: $web untouched"
}

test_fleet_down_without_copy_removes_nothing() {
  start_server || return
  local web
  web=$(cname web)
  set_conf source_url "$URL"
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1")]}"
  run_dockerup
  assert_running "$web"
  rm -rf "$CACHE/last-known-good"
  server_mode 500
  run_dockerup
  assert_exit 1
  assert_contains "$ERR" "no last good copy" "the error says why"
  assert_running "$web"
}

test_fleet_document_gone_or_shrunk_removes_its_containers() {
  start_server || return
  local web worker
  web=$(cname web)
  worker=$(cname worker)
  set_conf source_url "$URL"
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1"), $(entry "$worker" "$IMAGE_V1")]}"
  run_dockerup
  assert_running "$web"
  assert_running "$worker"
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1")]}"
  run_dockerup
  assert_exit 0
  assert_absent "$worker"
  assert_running "$web"
  rm "$FLEET/document"  # 404
  run_dockerup
  assert_exit 0
  assert_absent "$web"
}

test_fleet_name_also_in_containers_d_is_an_error_naming_both() {
  start_server || return
  local web
  web=$(cname web)
  set_conf source_url "$URL"
  write_spec web "$(entry "$web" "$IMAGE_V1")"
  first_run "$web" || return
  document "{\"containers\": [$(entry "$web" "$IMAGE_V2")]}"
  run_dockerup
  assert_exit 1
  assert_contains "$ERR" "$(spec_path web)" "the error names the file"
  assert_contains "$ERR" "$URL" "the error names the fleet source"
  assert_eq "$FIRST_ID" "$(cid "$web")" "$web untouched"
}

test_fleet_s3_signed_with_environment_keys() {
  start_server --s3 fleet-bucket --access-key AKIAFLEETTEST --secret-key 'fleet/secret+key' \
    --session-token env-token || return
  local web id
  web=$(cname web)
  set_conf source_url "s3://fleet-bucket/fleets/web.json"
  set_conf s3_endpoint "$SERVER_URL"
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1")]}"
  AWS_ACCESS_KEY_ID=AKIAFLEETTEST AWS_SECRET_ACCESS_KEY='fleet/secret+key' \
    AWS_SESSION_TOKEN=env-token AWS_REGION=eu-west-1 run_dockerup
  assert_exit 0
  assert_running "$web"
  assert_eq "s3://fleet-bucket/fleets/web.json" "$(label_of "$web" io.dockerup.source)" \
    "source label is the s3:// URL"
  assert_eq 1 "$(requests_with "GET /fleet-bucket/fleets/web.json 200 inm=- region=eu-west-1")" \
    "one GET signed for AWS_REGION"
  id=$(cid "$web")
  # A wrong secret: the server (botocore) refuses the signature; nothing is removed.
  AWS_ACCESS_KEY_ID=AKIAFLEETTEST AWS_SECRET_ACCESS_KEY=wrong AWS_SESSION_TOKEN=env-token \
    AWS_REGION=eu-west-1 run_dockerup
  assert_contains "$ERR" "SignatureDoesNotMatch" "the refusal is named"
  assert_eq "$id" "$(cid "$web")" "refused signature: $web untouched"
  assert_eq 1 "$(requests_with " 403 ")" "the refused request reached the server"
}

test_fleet_s3_with_the_instance_role() {
  start_server --s3 fleet-bucket --access-key ASIAROLEKEY --secret-key role-secret \
    --session-token role-token || return
  echo '{"containers": []}' >"$CASE_DIR/user-data"
  start_imds i-0fleet --role fleet-role --access-key ASIAROLEKEY --secret-key role-secret \
    --session-token role-token --credentials-ttl 900 || return
  local web
  web=$(cname web)
  set_conf source_url "s3://fleet-bucket/web.json"
  set_conf s3_endpoint "$SERVER_URL"
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1")]}"
  run_aws
  assert_exit 0
  assert_running "$web"
  assert_eq 1 "$(requests_with "GET /fleet-bucket/web.json 200 inm=- region=eu-north-1")" \
    "signed with the role's keys for the identity document's region"
}

# The delay the host with instance ID $1 gets in a window of $2 s (the formula of stagger.hpp).
stagger_delay() {
  python3 - "$1" "$2" <<'PY'
import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode():
    h = ((h ^ b) * 0x100000001b3) % 2**64
h = ((h ^ (h >> 30)) * 0xbf58476d1ce4e5b9) % 2**64
h = ((h ^ (h >> 27)) * 0x94d049bb133111eb) % 2**64
h ^= h >> 31
print(h % int(sys.argv[2]))
PY
}

test_fleet_several_source_urls_and_export_of_every_source() {
  SERVER_NAME=workers start_server || return
  local workers_dir=$FLEET workers_url=$URL
  start_server || return
  local web worker own name id
  web=$(cname web)
  worker=$(cname worker)
  own=$(cname own)
  set_conf source_url "$URL"
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1")]}"
  printf '%s\n' "{\"containers\": [$(entry "$worker" "$IMAGE_V1")]}" >"$workers_dir/document"
  write_spec own "$(entry "$own" "$IMAGE_V1")"
  # export prints what the next run applies: containers.d and both documents.
  run_dockerup export --format compose --source-url "$workers_url"
  assert_exit 0
  for name in "$web" "$worker" "$own"; do
    assert_contains "$OUT" "container_name: \"$name\"" "export includes $name"
  done
  run_dockerup --source-url "$workers_url"
  assert_exit 0
  assert_eq "$URL" "$(label_of "$web" io.dockerup.source)" "$web from dockerup.conf's URL"
  assert_eq "$workers_url" "$(label_of "$worker" io.dockerup.source)" "$worker from --source-url"
  assert_running "$own"
  id=$(cid "$web")
  # The same name in both documents: an error naming both URLs; the running container stays.
  printf '%s\n' "{\"containers\": [$(entry "$worker" "$IMAGE_V1"), $(entry "$web" "$IMAGE_V2")]}" \
    >"$workers_dir/document"
  run_dockerup --source-url "$workers_url"
  assert_exit 1
  assert_contains "$ERR" "declared by both $URL and $workers_url" "the error names both URLs"
  assert_eq "$id" "$(cid "$web")" "$web untouched"
  assert_running "$worker"
}

test_fleet_source_url_and_stagger_from_user_data() {
  start_server || return
  local instance="" candidate delay=0
  for candidate in i-0userdata{1..20}; do  # a slot of at least a minute: visibly waiting
    delay=$(stagger_delay "$candidate" 3600)
    if [ "$delay" -ge 60 ]; then instance=$candidate; break; fi
  done
  assert_ne "" "$instance" "found an instance ID with a slot of a minute or more" || return
  printf '{"source_url": "%s", "stagger": 3600, "containers": []}\n' "$URL" >"$CASE_DIR/user-data"
  start_imds "$instance" || return
  local web id
  web=$(cname web)
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1" '"env": {"V": "1"}')]}"
  run_aws
  assert_exit 0
  assert_eq "$URL" "$(label_of "$web" io.dockerup.source)" "user-data's source_url is read"
  id=$(cid "$web")
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1" '"env": {"V": "2"}')]}"
  run_aws
  assert_exit 0
  assert_contains "$ERR" "this host ($instance) applies it $delay s after first seeing it" \
    "user-data's stagger is the window"
  assert_eq "$id" "$(cid "$web")" "the change waits for the slot"
  run_dockerup status
  assert_contains "$OUT" "fleet source $URL changed; applies at" "status says when"
  # export prints what the next run applies: the version in effect until the slot comes.
  AWS_EC2_METADATA_SERVICE_ENDPOINT="$IMDS_URL" run_dockerup export --format compose \
    --show-secrets --aws
  assert_exit 0
  assert_contains "$OUT" "V: \"1\"" "export: the version in effect"
  assert_not_contains "$OUT" "V: \"2\"" "export: not the waiting one"
}

test_fleet_stagger_applies_after_the_host_delay_not_before() {
  start_server || return
  local window=8 instance="" delay=0 candidate
  # An instance ID whose slot is well inside the window (so the wait is visible, but short).
  for candidate in i-0stagger{1..40}; do
    delay=$(stagger_delay "$candidate" "$window")
    if [ "$delay" -ge 3 ] && [ "$delay" -le 6 ]; then instance=$candidate; break; fi
  done
  assert_ne "" "$instance" "found an instance ID with a 3-6 s slot" || return
  echo '{"containers": []}' >"$CASE_DIR/user-data"
  start_imds "$instance" || return
  local web id
  web=$(cname web)
  set_conf source_url "$URL"
  set_conf stagger "$window"
  document "{\"containers\": [$(entry "$web" "$IMAGE_V1" '"env": {"V": "1"}')]}"
  run_aws
  assert_exit 0
  id=$(cid "$web")
  assert_ne "" "$id" "the first version applies at once" || return

  document "{\"containers\": [$(entry "$web" "$IMAGE_V1" '"env": {"V": "2"}')]}"
  run_aws
  assert_exit 0
  assert_contains "$ERR" "this host ($instance) applies it $delay s after first seeing it" \
    "the delay is hash(instance ID) mod stagger"
  local applies_at
  applies_at=$(grep -o 'changed; applies at [0-9TZ:-]*' <<<"$ERR" | head -n 1 | awk '{print $4}')
  assert_ne "" "$applies_at" "the run says when it applies" || return
  assert_eq "$id" "$(cid "$web")" "before the slot: the previous version stays"
  run_dockerup status
  assert_contains "$OUT" "fleet source $URL changed; applies at $applies_at" "status says when"
  run_dockerup status --json
  assert_contains "$OUT" "\"applies_at\": \"$applies_at\"" "status --json says when"

  # Run until the change is applied (bounded); every run before then keeps the old container.
  local runs=0 applied_line=""
  while [ "$runs" -lt 60 ]; do
    runs=$((runs + 1))
    run_aws
    applied_line=$(grep 'applying the change seen at' <<<"$ERR" | head -n 1)
    [ -n "$applied_line" ] && break
    assert_eq "$id" "$(cid "$web")" "run $runs before the slot: untouched" || return
    sleep 0.5
  done
  assert_ne "" "$applied_line" "the change was applied within $runs runs" || return
  # The run that applied it did so at or after the announced time (dockerup's own clock:
  # the log line's timestamp, truncated to seconds, against the announced whole second).
  local applied_second
  applied_second="$(cut -c1-19 <<<"$applied_line")Z"
  assert_true "applied at $applied_second, not before $applies_at" \
    test "$(printf '%s\n%s\n' "$applies_at" "$applied_second" | sort | head -n 1)" = "$applies_at"
  assert_contains "$(env_of "$web")" "V=2" "the new version runs"
  run_dockerup status
  assert_not_contains "$OUT" "applies at" "nothing waits any more"
}

test_case "a fleet document launches containers and its changes apply" \
  test_fleet_document_launches_and_changes_containers
test_case "--source-url on the command line" test_fleet_source_url_on_the_command_line
test_case "500, 403, garbage, timeout: nothing removed, a warning each time" \
  test_fleet_failures_remove_nothing
test_case "fleet source down without a copy: error, nothing removed" \
  test_fleet_down_without_copy_removes_nothing
test_case "a document that drops a container or is gone (404) removes them" \
  test_fleet_document_gone_or_shrunk_removes_its_containers
test_case "a name in containers.d and the fleet document: error naming both, kept" \
  test_fleet_name_also_in_containers_d_is_an_error_naming_both
test_case "S3: signed with keys from the environment (botocore checks), wrong key refused" \
  test_fleet_s3_signed_with_environment_keys
test_case "S3: the instance role's credentials through IMDSv2" test_fleet_s3_with_the_instance_role
test_case "stagger: the change applies after this host's delay, not before" \
  test_fleet_stagger_applies_after_the_host_delay_not_before
test_case "two source_urls (dockerup.conf, --source-url); export prints every source; a name in both" \
  test_fleet_several_source_urls_and_export_of_every_source
test_case "source_url and stagger from user-data" test_fleet_source_url_and_stagger_from_user_data
finish

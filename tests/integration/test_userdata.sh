#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# EC2 user-data against a real dockerd, served by tests/imds_emulator.py (IMDSv2: a token is
# required) on 127.0.0.1 and reached through AWS_EC2_METADATA_SERVICE_ENDPOINT. The point of
# most cases: a metadata service that hiccups, or user-data that is not ours, never removes a
# container; only user-data that was fetched, parsed and no longer lists it does.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

EMULATOR="$TOP/tests/imds_emulator.py"

# start_imds [EMULATOR_OPTIONS...]: serves CASE_DIR/user-data (re-read on every request); sets
# IMDS_PID and points AWS_EC2_METADATA_SERVICE_ENDPOINT at it.
start_imds() {
  USER_DATA="$CASE_DIR/user-data"
  start_python imds "$EMULATOR" --user-data "$USER_DATA" "$@" || return 1
  IMDS_PID=$PYTHON_PID
  export AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$PORT"
}

stop_imds() {
  kill "$IMDS_PID" 2>/dev/null
  wait "$IMDS_PID" 2>/dev/null
}

# user_data JSON: what the emulator serves from now on.
user_data() { printf '%s\n' "$1" >"$CASE_DIR/user-data"; }

entry() {  # NAME [EXTRA_JSON_MEMBERS]
  echo "{\"name\": \"$1\", \"image\": \"$IMAGE_V1\"${2:+, $2}}"
}

setup_case() {
  set_conf stop_timeout 1
  start_imds "$@"
}

# web_from_user_data: user-data declares WEB, and a first run with --aws creates it (FIRST_ID);
# the start of the cases about what a metadata service or user-data gone wrong must keep.
web_from_user_data() {
  setup_case || return 1
  WEB=$(cname web)
  user_data "{\"containers\": [$(entry "$WEB")]}"
  first_run "$WEB" --aws
}

test_user_data_containers_launched() {
  setup_case || return
  local web worker
  web=$(cname web)
  worker=$(cname worker)
  user_data "{\"containers\": [$(entry "$web" '"env": {"ROLE": "web"}'), $(entry "$worker")]}"
  run_dockerup --aws
  assert_exit 0
  assert_running "$web"
  assert_running "$worker"
  assert_eq user-data "$(label_of "$web" io.dockerup.source)" "source label of $web"
  assert_contains "$(env_of "$web")" "ROLE=web" "env from user-data"
  # Without --aws, user-data is not a source at all: nothing it declared is touched.
  run_dockerup
  assert_exit 0
  assert_running "$web"
}

test_settings_keys_in_user_data_are_applied() {
  setup_case || return
  local web side other="$CASE_DIR/other.d" elsewhere
  web=$(cname web)
  side=$(cname side)
  elsewhere=$(cname elsewhere)
  set_conf pull true
  mkdir -p "$other"
  write_spec side "$(entry "$side")"
  printf '%s\n' "$(entry "$elsewhere")" >"$other/elsewhere.json"
  # confdir is not on the user-data whitelist: refused with a warning naming it.
  user_data "{\"pull\": false, \"confdir\": \"$other\", \"containers\": [$(entry "$web")]}"
  # No --confdir and no --pull on the command line: they would beat user-data.
  run_dockerup_raw --config "$CONF" --cache "$CACHE" --aws
  assert_exit 0
  assert_running "$web"
  assert_running "$side"  # the confdir of dockerup.conf stands
  assert_absent "$elsewhere"
  assert_match "$ERR" 'warning.*\$\.confdir.*cannot be set from user-data' "confdir refused by name"
  assert_not_contains "$ERR" "pulling" "pull=false from user-data: no registry check"

  # The same without the key: pull=true from dockerup.conf applies and the image is checked.
  user_data "{\"containers\": [$(entry "$web")]}"
  run_dockerup_raw --config "$CONF" --cache "$CACHE" --aws
  assert_contains "$ERR" "pulling $IMAGE_V1" "pull=true from dockerup.conf without the key"
  assert_running "$web"
}

test_gzip_user_data() {
  setup_case --gzip || return
  local web
  web=$(cname web)
  user_data "{\"containers\": [$(entry "$web")]}"
  assert_eq "1f8b" "$(curl -s -H "X-aws-ec2-metadata-token: $(curl -s -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$AWS_EC2_METADATA_SERVICE_ENDPOINT/latest/api/token")" \
    "$AWS_EC2_METADATA_SERVICE_ENDPOINT/latest/user-data" | head -c 2 | od -An -tx1 | tr -d ' \n')" \
    "the emulator serves gzip"
  run_dockerup --aws
  assert_exit 0
  assert_running "$web"
}

test_metadata_service_down_keeps_containers() {
  web_from_user_data || return

  stop_imds
  local run
  for run in 1 2; do  # the warning comes on every run until the service is back
    run_dockerup --aws
    assert_kept "$FIRST_ID" "$WEB" "run $run without the metadata service: $WEB untouched"
    assert_match "$ERR" "warning.*metadata service unavailable" "run $run warns"
  done
}

test_metadata_service_down_without_copy_removes_nothing() {
  web_from_user_data || return
  stop_imds
  rm -rf "$CACHE/last-known-good"
  run_dockerup --aws
  assert_ne 0 "$RC" "exit status when user-data is unknown"
  assert_contains "$ERR" "metadata service unavailable" "error says why"
  assert_kept "$FIRST_ID" "$WEB" "$WEB untouched"
}

test_non_json_user_data_removes_nothing() {
  web_from_user_data || return

  printf '#!/bin/bash\necho configuring the host\n' >"$CASE_DIR/user-data"
  run_dockerup --aws
  assert_ne 0 "$RC" "exit status with a script as user-data"
  assert_match "$ERR" "user-data.*script.*not JSON" "the script is reported"
  assert_kept "$FIRST_ID" "$WEB" "$WEB untouched"
}

test_user_data_no_longer_listing_a_container_removes_it() {
  setup_case || return
  local web worker
  web=$(cname web)
  worker=$(cname worker)
  user_data "{\"containers\": [$(entry "$web"), $(entry "$worker")]}"
  run_dockerup --aws
  assert_running "$worker"
  user_data "{\"containers\": [$(entry "$web")]}"
  run_dockerup --aws
  assert_exit 0
  assert_absent "$worker"
  assert_running "$web"
}

test_merge_conflict_names_both_sources_and_keeps_container() {
  setup_case || return
  local web
  web=$(cname web)
  write_spec web "$(entry "$web")"
  first_run "$web" || return

  # Documented rule: a name declared by a containers.d file and by user-data is an error naming
  # both; neither declaration is used and the running container stays exactly as it is.
  user_data "{\"containers\": [$(entry "$web" '"env": {"FROM": "user-data"}')]}"
  run_dockerup --aws
  assert_ne 0 "$RC" "exit status with a conflict"
  assert_contains "$ERR" "$(spec_path web)" "the error names the file"
  assert_match "$ERR" "error.*$web.*user-data|error.*user-data.*$web" "the error names user-data"
  assert_kept "$FIRST_ID" "$web" "$web untouched"
  assert_not_contains "$(env_of "$web")" "FROM=user-data" "user-data did not win"
}

test_user_data_env_values_are_not_printed() {
  setup_case || return
  local web
  web=$(cname web)
  user_data "{\"containers\": [$(entry "$web" '"env": {"API_KEY": "s3cr3t-value"}'),
                               {\"name\": \"$(cname bad)\", \"image\": \"$IMAGE_V1\",
                                \"env\": \"API_KEY=s3cr3t-value\"}]}"
  run_dockerup --aws --dry-run -v
  assert_contains "$OUT" "$web" "the dry run shows the plan"
  assert_contains "$OUT$ERR" "env" "the bad entry is reported"
  assert_not_contains "$OUT$ERR" "s3cr3t-value" "dry run without --show-secrets"
  run_dockerup --aws -v
  assert_running "$web"
  assert_not_contains "$OUT$ERR" "s3cr3t-value" "real run without --show-secrets"
  run_dockerup --aws --dry-run -v --show-secrets
  assert_contains "$OUT$ERR" "s3cr3t-value" "--show-secrets shows it"
}

test_user_data_cannot_relax_strict_modes() {
  setup_case || return
  local web
  web=$(cname web)
  write_spec web "$(entry "$web")"
  chmod 666 "$(spec_path web)"  # refused under strict_modes (the default)
  user_data '{"strict_modes": false, "containers": []}'
  run_dockerup --aws
  assert_exit 1
  assert_match "$ERR" 'warning.*\$\.strict_modes.*cannot be set from user-data' "refused by name"
  assert_contains "$ERR" "$(spec_path web)" "the untrusted file is still refused, by path"
  assert_absent "$web"
}

test_case "user-data containers are launched with --aws" test_user_data_containers_launched
test_case "settings keys in user-data are applied" test_settings_keys_in_user_data_are_applied
test_case "gzip-compressed user-data" test_gzip_user_data
test_case "metadata service down: containers kept, a warning on every run" \
  test_metadata_service_down_keeps_containers
test_case "metadata service down, no cached copy: error, nothing removed" \
  test_metadata_service_down_without_copy_removes_nothing
test_case "a script as user-data is reported, nothing removed" test_non_json_user_data_removes_nothing
test_case "fetched user-data without a container removes it" \
  test_user_data_no_longer_listing_a_container_removes_it
test_case "a name in containers.d and user-data: error naming both, container kept" \
  test_merge_conflict_names_both_sources_and_keeps_container
test_case "user-data env values are not printed without --show-secrets" \
  test_user_data_env_values_are_not_printed
test_case "user-data cannot set strict_modes: a group-writable file stays refused" \
  test_user_data_cannot_relax_strict_modes
finish

#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# containers.d against a real dockerd: a broken file keeps its container, a deleted one removes
# it, --server reacts to changes at once (inotify), StrictModes refuses group-writable files, and
# secrets stay out of the output.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

entry() {  # NAME [EXTRA_JSON_MEMBERS]
  echo "{\"name\": \"$1\", \"image\": \"$IMAGE_V1\"${2:+, $2}}"
}

setup_case() { set_conf stop_timeout 1; }

# wait_for_server_log PATTERN: until the background server's log has a line matching PATTERN.
wait_for_server_log() {
  wait_until 60 grep -Eqs -- "$1" "$CASE_DIR/background.err"
}

server_log() { sed 's/^/    server: /' "$CASE_DIR/background.err" | tail -n 20 >&2; }

# seconds_until_running NAME: polls `docker ps` every 0.1 s for up to 2 s; prints the seconds it
# took ("" when NAME did not appear).
seconds_until_running() {
  local started i
  started=$(date +%s.%N)
  for ((i = 0; i < 20; i++)); do
    if [ -n "$("$DOCKER" ps -q --filter "name=^$1\$")" ]; then
      awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.2f", a - b }'
      return 0
    fi
    sleep 0.1
  done
}

test_corrupted_file_keeps_container() {
  setup_case
  local web
  web=$(cname web)
  write_spec web "$(entry "$web")"
  first_run "$web" || return
  printf '{"name": "%s", "image": ' "$web" >"$(spec_path web)"  # half-written
  run_dockerup
  assert_ne 0 "$RC" "exit status with a broken file"
  assert_match "$ERR" "error.*$(spec_path web)" "the error names the file"
  assert_kept "$FIRST_ID" "$web" "$web untouched"
}

test_deleted_file_removes_container() {
  setup_case
  local web keep
  web=$(cname web)
  keep=$(cname keep)
  write_spec web "$(entry "$web")"
  write_spec keep "$(entry "$keep")"
  run_dockerup
  assert_running "$web"
  rm "$(spec_path web)"
  run_dockerup
  assert_exit 0
  assert_absent "$web"
  assert_running "$keep"
}

test_server_acts_on_new_file_within_2_seconds() {
  setup_case
  local first web took
  first=$(cname first)
  web=$(cname web)
  write_spec first "$(entry "$first")"
  # An interval of 300 s: only the inotify watch can explain a run within 2 s.
  start_dockerup_background --server --interval 300 --no-pull
  assert_true "first run" wait_for_server_log "run ok" || { server_log; return 1; }
  assert_running "$first"
  sleep 0.5  # let the loop reach its long wait

  write_spec web "$(entry "$web")"
  took=$(seconds_until_running "$web")
  assert_ne "" "$took" "$web running within 2 s of writing its file" || { server_log; return 1; }
  echo "    (new file acted on in ${took} s)"

  # Deleting a file is a change too.
  rm "$(spec_path first)"
  assert_true "$first removed after its file was deleted" wait_until 5 eval "! exists $first" ||
    server_log
}

test_server_follows_a_replaced_confdir() {
  setup_case
  local web next="$CASE_DIR/next.d" took
  web=$(cname web)
  start_dockerup_background --server --interval 300 --no-pull
  assert_true "first run" wait_for_server_log "run ok" || { server_log; return 1; }
  sleep 0.5
  # What configuration management does: build the new folder aside, swap it in.
  mkdir "$next"
  printf '%s\n' "$(entry "$web")" >"$next/web.json"
  mv "$CONFDIR" "$CASE_DIR/old.d"
  mv "$next" "$CONFDIR"
  took=$(seconds_until_running "$web")
  assert_ne "" "$took" "$web running within 2 s of the swap" || { server_log; return 1; }
  # And the new folder is watched, not the old one.
  rm "$CONFDIR/web.json"
  assert_true "$web removed after its file was deleted from the new folder" \
    wait_until 5 eval "! exists $web" || server_log
}

# runs_at_least N: the background server has finished N runs.
runs_at_least() { [ "$(grep -Ec "run (ok|failed)" "$CASE_DIR/background.err")" -ge "$1" ]; }
# runs_image NAME IMAGE: container NAME was created from IMAGE (as written in its spec).
runs_image() { [ "$(inspect "$1" '{{.Config.Image}}')" = "$2" ]; }

test_server_applies_an_edit_to_a_cached_file() {
  setup_case
  local web
  web=$(cname web)
  write_spec web "$(entry "$web")"
  start_dockerup_background --server --interval 1 --no-pull
  # Six runs a second apart: the file is older than the parse cache's 3 s window, so the last
  # runs reused its parse instead of reading it.
  assert_true "six runs" wait_until 60 runs_at_least 6 || { server_log; return 1; }
  assert_true "$web on v1" runs_image "$web" "$IMAGE_V1"
  # The same length, so only the stamp (mtime, ctime) tells the edit apart.
  write_spec web "$(entry "$web" | sed "s|$IMAGE_V1|$IMAGE_V2|")"
  assert_true "$web replaced by v2 after the edit" \
    wait_until 30 runs_image "$web" "$IMAGE_V2" || server_log
}

test_group_writable_spec_refused() {
  setup_case
  local web
  web=$(cname web)
  write_spec web "$(entry "$web")"
  first_run "$web" || return

  write_spec web "$(entry "$web" '"env": {"CHANGED": "1"}')"
  chmod 664 "$(spec_path web)"
  run_dockerup
  assert_ne 0 "$RC" "exit status with a group-writable file"
  assert_match "$ERR" "error.*$(spec_path web).*0664" "the error names the file and its mode"
  assert_kept "$FIRST_ID" "$web" "$web untouched"

  set_conf strict_modes false
  run_dockerup
  assert_exit 0
  assert_ne "$FIRST_ID" "$(cid "$web")" "strict_modes=false: the change is applied"
  assert_contains "$(env_of "$web")" "CHANGED=1" "the new spec runs"
}

test_group_writable_config_refused() {
  setup_case
  local web
  web=$(cname web)
  write_spec web "$(entry "$web")"
  chmod 664 "$CONF"
  run_dockerup
  assert_exit 2
  assert_match "$ERR" "error.*$CONF.*0664" "the error names the config file and its mode"
  assert_absent "$web"

  chmod 644 "$CONF"
  set_conf strict_modes false  # read first, then checked: the file may allow itself
  chmod 666 "$CONF"
  run_dockerup
  assert_exit 0
  assert_running "$web"
}

test_env_values_are_not_printed() {
  setup_case
  local web bad
  web=$(cname web)
  bad=$(cname bad)
  write_spec web "$(entry "$web" '"env": {"API_KEY": "s3cr3t-value"}')"
  # A wrong env is reported with its value quoted by the parser: the redaction must catch it.
  write_spec bad "$(entry "$bad" '"env": "API_KEY=s3cr3t-value"')"
  set_conf password hunter2-registry

  run_dockerup --dry-run -v
  assert_contains "$OUT" "would create $web" "the dry run shows the plan"
  assert_contains "$OUT$ERR" "$(spec_path bad)" "the bad file is reported"
  assert_not_contains "$OUT$ERR" "s3cr3t-value" "dry run output"
  assert_not_contains "$OUT$ERR" "hunter2-registry" "dry run output (registry password)"

  run_dockerup -v
  assert_running "$web"
  assert_contains "$(env_of "$web")" "API_KEY=s3cr3t-value" "the container does get the value"
  assert_not_contains "$OUT$ERR" "s3cr3t-value" "-v output of a real run"
  assert_not_contains "$(cat "$CACHE/status.json" 2>/dev/null)" "s3cr3t-value" "status.json"

  start_dockerup_background --server --interval 300 --no-pull -v
  assert_true "server run" wait_for_server_log "run (ok|failed)" || { server_log; return 1; }
  assert_not_contains "$(cat "$CASE_DIR/background.err")" "s3cr3t-value" "server log"

  run_dockerup --dry-run -v --show-secrets
  assert_contains "$OUT$ERR" "s3cr3t-value" "--show-secrets shows it"
}

test_case "a corrupted file keeps its container; the error names the file" \
  test_corrupted_file_keeps_container
test_case "a deleted file removes its container" test_deleted_file_removes_container
test_case "--server acts on a new file within 2 s (inotify)" \
  test_server_acts_on_new_file_within_2_seconds
test_case "--server follows a confdir replaced by another folder" \
  test_server_follows_a_replaced_confdir
test_case "--server applies an edit to a file whose parse it cached (same size)" \
  test_server_applies_an_edit_to_a_cached_file
test_case "a group-writable containers.d file is refused, its container kept" \
  test_group_writable_spec_refused
test_case "a group-writable config file is refused (exit 2)" test_group_writable_config_refused
test_case "env values and passwords are not printed without --show-secrets" \
  test_env_values_are_not_printed
finish

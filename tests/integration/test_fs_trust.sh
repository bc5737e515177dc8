#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Trust only what root wrote: another local user ("nobody", through runuser) who can write into
# the cache dir, containers.d or a file in it must not be able to make root run, remove or
# overwrite anything, nor freeze dockerup by holding its lock.
#
# Images built here are named dockerup-test-trust-<run prefix>/... and labelled
# dockerup-test-trust=<run prefix>; the EXIT trap removes those and only those.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

OTHER=nobody
TRUST_REPO="dockerup-test-trust-$RUN_PREFIX"

remove_trust_images() {
  local ids
  ids=$("$DOCKER" images -q --no-trunc --filter "label=dockerup-test-trust=$RUN_PREFIX" | sort -u)
  # shellcheck disable=SC2086 # one ID per word
  [ -n "$ids" ] && "$DOCKER" rmi -f $ids >/dev/null 2>&1
  return 0
}
trap 'cleanup_run; remove_trust_images' EXIT

# The other user must reach the case folders, as they could reach /var/cache/dockerup.
chmod 755 "$WORK"

as_other() { runuser -u "$OTHER" -- "$@"; }

image_present() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

entry() {  # NAME [EXTRA_JSON_MEMBERS]
  echo "{\"name\": \"$1\", \"image\": \"$IMAGE_V1\"${2:+, $2}}"
}

# A history file as a local user would plant it: roll NAME back to a privileged container
# mounting the host's /, from a real image so that the old code could act on it.
planted_history() {  # NAME
  local id spec
  id=$(image_id "$IMAGE_V1")
  spec="{\\\"name\\\": \\\"$1\\\", \\\"image\\\": \\\"$IMAGE_V1\\\", \\\"privileged\\\": true, \\\"volumes\\\": [{\\\"hostPath\\\": \\\"/\\\", \\\"containerPath\\\": \\\"/host\\\"}]}"
  printf '{"name": "%s", "current": {"spec": "%s", "image_id": "%s", "since": 1}, "previous": {"spec": "%s", "image_id": "%s", "since": 1}, "rollback_requested": true}\n' \
    "$1" "$spec" "$id" "$spec" "$id"
}

corrupt_copies() { find "$1" -maxdepth 1 -name "$2.corrupt-*" | wc -l; }

test_planted_history_is_not_acted_upon() {
  local web id
  web=$(cname web)
  write_spec web "$(entry "$web")"
  run_dockerup --no-pull
  assert_exit 0
  id=$(cid "$web")
  assert_ne "" "$id" "first run created $web" || return

  # history/ left writable by others (as an old version or a careless chmod could): the other
  # user plants a rollback request to a privileged container.
  chmod 777 "$CACHE/history"
  as_other rm -f "$CACHE/history/$web.json"
  planted_history "$web" | as_other tee "$CACHE/history/$web.json" >/dev/null
  assert_eq "$OTHER" "$(stat -c %U "$CACHE/history/$web.json")" "the file was planted by $OTHER"
  # An untrusted cache file is an error of the run (exit 1), never a reason to act on it.
  run_dockerup --no-pull
  assert_exit 1
  assert_eq "$id" "$(cid "$web")" "$web not replaced"
  assert_eq false "$(inspect "$web" '{{.HostConfig.Privileged}}')" "$web not privileged"
  assert_not_contains "$ERR" "rolling $web back" "no rollback"
  assert_match "$ERR" "error.*$CACHE/history.*writable by group or others" "the error names the folder"
  assert_eq 1 "$(corrupt_copies "$CACHE" history)" "history/ moved aside for a human"

  # A file of another owner in a private folder is not trusted either.
  mkdir -m 700 "$CACHE/history"
  planted_history "$web" >"$CACHE/history/$web.json"
  chown "$OTHER" "$CACHE/history/$web.json"
  run_dockerup --no-pull
  assert_exit 1
  assert_eq "$id" "$(cid "$web")" "$web still not replaced"
  assert_match "$ERR" "$web.json: owned by uid [0-9]+" "the error names the file and its owner"
  # Moved aside, the file is rebuilt: the next run is clean.
  run_dockerup --no-pull
  assert_exit 0
  assert_eq "$id" "$(cid "$web")" "$web kept"
}

test_planted_ledger_cannot_choose_images_for_gc() {
  local context chosen
  context=$(mktemp -d "$WORK/build.XXXXXX")
  printf 'FROM dockerup-test/busybox:base\nLABEL dockerup-test-trust=%s\nRUN echo %s > /chosen\n' \
    "$RUN_PREFIX" "$RANDOM$RANDOM" >"$context/Dockerfile"
  "$DOCKER" build -q --network none -t "$TRUST_REPO/chosen:1" "$context" >/dev/null
  chosen=$(image_id "$TRUST_REPO/chosen:1")
  assert_ne "" "$chosen" "test image built" || return
  # No container is declared: the ledger holds nothing but what is planted.
  set_conf gc on
  printf '{"version": 1, "images": ["%s"]}\n' "$chosen" >"$CACHE/images.json"
  chown "$OTHER" "$CACHE/images.json"
  run_dockerup --no-pull
  assert_exit 1
  assert_match "$ERR" "error.*images.json: owned by uid [0-9]+" "the error names the ledger and its owner"
  assert_true "the chosen image is still there" image_present "$chosen"
  assert_eq 1 "$(corrupt_copies "$CACHE" images.json)" "images.json moved aside"

  # And in a cache dir the other user can write, dockerup does not run at all.
  chmod 1777 "$CACHE"
  rm -f "$CACHE/images.json"
  printf '{"version": 1, "images": ["%s"]}\n' "$chosen" | as_other tee "$CACHE/images.json" >/dev/null
  run_dockerup --no-pull
  assert_exit 2
  assert_true "the chosen image is still there" image_present "$chosen"
}

test_symlinked_temp_file_does_not_overwrite_target() {
  local fifo pid
  echo precious >"$CASE_DIR/target"
  chmod 1777 "$CACHE"  # a sticky world-writable cache dir, as /tmp is
  fifo="$CASE_DIR/go"
  mkfifo "$fifo"
  # The process waits on the fifo, then becomes dockerup under the same pid; the old code's
  # temp file name (status.json.tmp.PID) is planted as a symlink before it starts.
  bash -c 'read -r _ <"$0"; exec "$@"' "$fifo" "$DOCKERUP" --config "$CONF" --confdir "$CONFDIR" \
    --cache "$CACHE" --no-pull >"$CASE_DIR/run.out" 2>"$CASE_DIR/run.err" </dev/null &
  pid=$!
  BACKGROUND_PIDS+=("$pid")
  as_other ln -s "$CASE_DIR/target" "$CACHE/status.json.tmp.$pid"
  echo go >"$fifo"
  wait "$pid"
  RC=$?
  LAST_COMMAND="dockerup --cache $CACHE (sticky, world-writable)"
  ERR=$(cat "$CASE_DIR/run.err")
  assert_exit 2
  assert_eq precious "$(cat "$CASE_DIR/target")" "the symlink's target is untouched"
  assert_match "$ERR" "$CACHE: writable by group or others \(mode 1777\)" "the error names the cache dir"
}

test_untrusted_cache_dir_is_exit_2() {
  local web
  web=$(cname web)
  write_spec web "$(entry "$web")"
  chmod 775 "$CACHE"
  run_dockerup --no-pull
  assert_exit 2
  assert_match "$ERR" "error.*$CACHE.*writable by group or others \(mode 0775\)" "names the dir and mode"
  assert_absent "$web"

  chmod 755 "$CACHE"
  chown "$OTHER" "$CACHE"
  run_dockerup --no-pull
  assert_exit 2
  assert_match "$ERR" "error.*$CACHE.*owned by uid [0-9]+, not by root" "names the dir and owner"
  assert_absent "$web"

  # A parent the other user owns could swap the whole cache dir.
  chown root "$CACHE"
  mkdir -p "$CASE_DIR/theirs"
  chown "$OTHER" "$CASE_DIR/theirs"
  run_dockerup_raw --config "$CONF" --confdir "$CONFDIR" --cache "$CASE_DIR/theirs/cache" --no-pull
  assert_exit 2
  assert_contains "$ERR" "$CASE_DIR/theirs: owned by uid" "names the parent"
  assert_absent "$web"

  run_dockerup --no-pull  # the control: a private cache dir under /tmp (root, sticky) is fine
  assert_exit 0
  assert_running "$web"
}

test_other_user_cannot_hold_the_lock() {
  local web holder
  web=$(cname web)
  write_spec web "$(entry "$web")"
  run_dockerup --no-pull
  assert_exit 0
  assert_eq 600 "$(stat -c %a "$CACHE/run.lock")" "run.lock is private"
  # An earlier version's 0644 lock file is made private by the next run.
  chmod 644 "$CACHE/run.lock"
  run_dockerup --no-pull
  assert_eq 600 "$(stat -c %a "$CACHE/run.lock")" "an old 0644 run.lock is made private"

  as_other flock -x "$CACHE/run.lock" sleep 600 >"$CASE_DIR/flock.out" 2>&1 &
  holder=$!
  BACKGROUND_PIDS+=("$holder")
  # The attempt fails at once (cannot open); a holder would still be sleeping.
  assert_true "flock by $OTHER fails within 10 s" \
    wait_until 10 bash -c "! kill -0 $holder 2>/dev/null"
  assert_contains "$(cat "$CASE_DIR/flock.out")" "Permission denied" "flock cannot open the lock"
  run_dockerup --no-pull
  assert_exit 0
}

test_container_file_of_other_owner_refused() {
  local web id
  web=$(cname web)
  write_spec web "$(entry "$web")"
  run_dockerup --no-pull
  id=$(cid "$web")
  assert_ne "" "$id" "first run created $web" || return

  write_spec web "$(entry "$web" '"privileged": true, "env": {"CHANGED": "1"}')"
  chown "$OTHER" "$(spec_path web)"  # mode 0644: only the owner is wrong
  run_dockerup --no-pull
  assert_ne 0 "$RC" "exit status with a file owned by $OTHER"
  assert_match "$ERR" "error.*$(spec_path web).*owned by uid [0-9]+" "the error names the file and why"
  assert_eq "$id" "$(cid "$web")" "$web kept as it was"
  assert_not_contains "$(env_of "$web")" "CHANGED=1" "the other user's spec is not run"
  assert_running "$web"
}

test_group_writable_confdir_refused() {
  local web db evil id
  web=$(cname web)
  db=$(cname db)
  evil=$(cname evil)
  write_spec web "$(entry "$web")"
  write_spec db "$(entry "$db")"
  run_dockerup --no-pull
  id=$(cid "$web")
  assert_ne "" "$id" "first run created $web" || return

  chmod 775 "$CONFDIR"  # anyone in the group may add or change a container
  write_spec evil "$(entry "$evil")"
  write_spec web "$(entry "$web" '"env": {"CHANGED": "1"}')"
  rm "$(spec_path db)"
  run_dockerup --no-pull
  assert_ne 0 "$RC" "exit status with a group-writable containers.d"
  assert_match "$ERR" "error.*$CONFDIR.*writable by group or others \(mode 0775\)" "the error names the folder"
  assert_absent "$evil"
  assert_eq "$id" "$(cid "$web")" "$web kept as it was (its last valid version)"
  assert_running "$db"  # nothing is removed because of an untrusted folder

  chmod 755 "$CONFDIR"
  run_dockerup --no-pull
  assert_exit 0
  assert_running "$evil"
  assert_absent "$db"
}

test_config_of_other_owner_is_exit_2() {
  local web
  web=$(cname web)
  write_spec web "$(entry "$web")"
  chown "$OTHER" "$CONF"  # mode 0644: only the owner is wrong
  run_dockerup --no-pull
  assert_exit 2
  assert_match "$ERR" "error.*$CONF.*owned by uid [0-9]+" "the error names the config file and its owner"
  assert_absent "$web"

  chown root "$CONF"
  mkdir -m 777 "$CASE_DIR/etc"  # the folder holding it: anyone could replace the file
  cp "$CONF" "$CASE_DIR/etc/dockerup.conf"
  run_dockerup_raw --config "$CASE_DIR/etc/dockerup.conf" --confdir "$CONFDIR" --cache "$CACHE" --no-pull
  assert_exit 2
  assert_match "$ERR" "error.*$CASE_DIR/etc: writable by group or others" "the error names the folder"
  assert_absent "$web"

  run_dockerup --no-pull  # the control: root's file in root's folders
  assert_exit 0
  assert_running "$web"
}

test_case "planted history with a rollback request is not acted upon" test_planted_history_is_not_acted_upon
test_case "a planted images.json cannot make GC delete chosen images" test_planted_ledger_cannot_choose_images_for_gc
test_case "a symlinked temp file does not make root overwrite its target" test_symlinked_temp_file_does_not_overwrite_target
test_case "a cache dir of another owner or writable by others is exit 2" test_untrusted_cache_dir_is_exit_2
test_case "another user cannot hold the run lock" test_other_user_cannot_hold_the_lock
test_case "a container file owned by another user is refused, its container kept" test_container_file_of_other_owner_refused
test_case "a group-writable containers.d is refused, nothing removed" test_group_writable_confdir_refused
test_case "a dockerup.conf of another owner, or in an open folder, is exit 2" test_config_of_other_owner_is_exit_2
finish

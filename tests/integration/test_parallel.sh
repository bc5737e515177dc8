#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# The parallel executor on the real engine: many containers at once, kill -9 at random moments
# of a parallel update, SIGTERM in the middle of one, and the plan's waves in --dry-run.
# Moments are chosen by what dockerup has done (log lines, container state), never by sleeping.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

COUNT=20

# write_all ROUND: COUNT default-update specs whose env says ROUND (a new round replaces all).
write_all() {
  local i
  for ((i = 1; i <= COUNT; i++)); do
    write_spec "s$i" "{\"name\": \"$(cname "s$i")\", \"image\": \"$IMAGE_V1\",
      \"env\": {\"ROUND\": \"$1\"}}"
  done
}

running_copies() {  # NAME: running containers dockerup made for this declared name
  "$DOCKER" ps -q --filter "label=io.dockerup.name=$1" | wc -l
}

# How many replacements the background run has begun (its log line per action start).
begun() { cat "$CASE_DIR/background.err" 2>/dev/null | grep -c "replace $P-s"; }
begun_at_least() { [ "$(begun)" -ge "$1" ]; }
finished_or_begun() {  # N PID: N replacements begun, or the run is over
  begun_at_least "$1" || ! kill -0 "$2" 2>/dev/null
}
gone() { ! kill -0 "$1" 2>/dev/null; }

# After a run: every spec has exactly one container, running, with env ROUND.
assert_all_at_round() {
  local i name bad=""
  for ((i = 1; i <= COUNT; i++)); do
    name=$(cname "s$i")
    [ "$(count_managed "$name")" = 1 ] || bad+=" $name(count=$(count_managed "$name"))"
    [ "$(inspect "$name" '{{.State.Running}}')" = true ] || bad+=" $name(not running)"
    env_of "$name" | grep -qx "ROUND=$1" || bad+=" $name(not round $1)"
  done
  assert_eq "" "$bad" "containers not exactly once, running, at round $1"
}

test_kill_9_during_a_parallel_update_loses_nothing() {
  set_conf parallel 8
  set_conf stop_timeout 1
  write_all 0
  run_dockerup --no-pull
  assert_exit 0
  assert_all_at_round 0
  local round moment pid i name most
  for round in 1 2 3 4; do
    write_all "$round"
    moment=$((RANDOM % (COUNT - 1) + 1))  # kill once this many replacements have begun
    start_dockerup_background --no-pull
    pid=$BACKGROUND_PID
    wait_until 60 finished_or_begun "$moment" "$pid"
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null  # reaps it without the shell's "Killed" notice
    most=0
    for ((i = 1; i <= COUNT; i++)); do
      name=$(cname "s$i")
      [ "$(running_copies "$name")" -gt "$most" ] && most=$(running_copies "$name")
    done
    assert_true "round $round (killed after $(begun) of $COUNT began): at most one running copy" \
      [ "$most" -le 1 ]
    run_dockerup --no-pull
    assert_exit 0
    assert_all_at_round "$round"
  done
}

test_sigterm_finishes_running_actions_and_starts_no_new_one() {
  # parallel=2 lets at most 8 actions (4 x parallel) be in progress; start_wait keeps them
  # waiting while SIGTERM arrives, so the 9th and 10th have not begun.
  local count=10 i
  set_conf parallel 2
  set_conf start_wait 5
  for ((i = 1; i <= count; i++)); do
    write_spec "s$i" "{\"name\": \"$(cname "s$i")\", \"image\": \"$IMAGE_V1\",
      \"env\": {\"ROUND\": \"0\"}}"
  done
  run_dockerup --no-pull
  assert_exit 0
  for ((i = 1; i <= count; i++)); do
    write_spec "s$i" "{\"name\": \"$(cname "s$i")\", \"image\": \"$IMAGE_V1\",
      \"env\": {\"ROUND\": \"1\"}}"
  done
  start_dockerup_background --no-pull
  local pid=$BACKGROUND_PID
  wait_until 60 begun_at_least 2
  kill -TERM "$pid"
  assert_true "dockerup exits within 60 s of SIGTERM" wait_until 60 gone "$pid"
  local log started new=0 old=0 name
  log=$(cat "$CASE_DIR/background.err")
  started=$(begun)
  assert_contains "$log" "stop requested" "the log says why the rest was not started"
  assert_true "some replacements were not started ($started of $count began)" \
    [ "$started" -lt "$count" ]
  for ((i = 1; i <= count; i++)); do
    name=$(cname "s$i")
    assert_eq 1 "$(count_managed "$name")" "containers for $name after SIGTERM"
    assert_running "$name"
    if env_of "$name" | grep -qx "ROUND=1"; then new=$((new + 1)); else old=$((old + 1)); fi
  done
  assert_eq "$started" "$new" "every replacement that began was finished"
  run_dockerup --no-pull
  assert_exit 0
  for ((i = 1; i <= count; i++)); do
    assert_true "$(cname "s$i") at round 1 after the next run" \
      bash -c "docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' $(cname "s$i") | grep -qx ROUND=1"
  done
}

test_dry_run_shows_waves_and_dependencies() {
  local db app other
  db=$(cname db)
  app=$(cname app)
  other=$(cname other)
  write_spec db "{\"name\": \"$db\", \"image\": \"$IMAGE_V1\"}"
  write_spec app "{\"name\": \"$app\", \"image\": \"$IMAGE_V1\", \"links\": {\"$db\": \"db\"}}"
  write_spec other "{\"name\": \"$other\", \"image\": \"$IMAGE_V1\"}"
  run_dockerup --no-pull --dry-run
  assert_exit 0
  assert_contains "$OUT" "would create $db: no container named $db (wave 1)" "db goes first"
  assert_contains "$OUT" "would create $other: no container named $other (wave 1)" \
    "other goes along with db"
  assert_contains "$OUT" "would create $app: no container named $app (wave 2, after create $db)" \
    "app waits for db"
  run_dockerup --no-pull
  assert_exit 0
  local db_started app_created
  db_started=$(inspect "$db" '{{.State.StartedAt}}')
  app_created=$(inspect "$app" '{{.Created}}')
  assert_true "app was created after db started ($app_created vs $db_started)" \
    [ "$(date -d "$app_created" +%s%N)" -ge "$(date -d "$db_started" +%s%N)" ]
}

test_parallel_setting_is_checked() {
  run_dockerup --no-pull --parallel 0
  assert_exit 2
  assert_contains "$ERR" "--parallel" "the error names the option"
  set_conf parallel 65
  run_dockerup --no-pull
  assert_ne 0 "$RC" "exit code with parallel=65 in the config"
  assert_contains "$OUT$ERR" "parallel" "the error names the key"
}

test_case "kill -9 during a parallel update of $COUNT containers loses nothing" \
  test_kill_9_during_a_parallel_update_loses_nothing
test_case "SIGTERM finishes the running actions and starts no new one" \
  test_sigterm_finishes_running_actions_and_starts_no_new_one
test_case "--dry-run shows the waves and what each action waits for" \
  test_dry_run_shows_waves_and_dependencies
test_case "a bad parallel value is refused" test_parallel_setting_is_checked
finish

#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# A root daemon that trusts nothing it did not write: containers that only look managed (their
# image carries dockerup's labels), settings out of range, command lines that used to hang.
# Every dockerup call here has a short bound: a hang is a failure (exit 124), not a stuck suite.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/registry.sh
source "$(dirname "$0")/registry.sh"
require_environment

QUICK=20  # seconds a usage or configuration error may take at most

# -- command line and configuration bounds ---------------------------------------------------

test_placeholder_in_option_word_does_not_hang() {
  # Boost 1.74 substituted its own placeholders in a loop that never ended for this word.
  DOCKERUP_TIMEOUT=$QUICK run_dockerup_raw '--x%canonical_option%'
  assert_exit 2
  assert_contains "$ERR" "unrecognised option '--x%canonical_option%'" "the word is named as given"
  DOCKERUP_TIMEOUT=$QUICK run_dockerup_raw '--%option%' '--y%prefix%%canonical_option%'
  assert_exit 2
}

test_empty_and_missing_config_are_usage_errors() {
  local c
  c=$(cname c)
  write_spec c "{\"name\": \"$c\", \"image\": \"$IMAGE_V1\"}"
  DOCKERUP_TIMEOUT=$QUICK run_dockerup_raw --config "" --confdir "$CONFDIR" --cache "$CACHE"
  assert_exit 2
  assert_contains "$ERR" "--config" "the error names the option"
  DOCKERUP_TIMEOUT=$QUICK run_dockerup_raw --config "$CASE_DIR/no-such.conf" --confdir "$CONFDIR" \
    --cache "$CACHE" --no-pull
  assert_exit 2
  assert_contains "$ERR" "$CASE_DIR/no-such.conf" "the error names the missing file"
  assert_absent "$c"  # nothing ran with defaults
}

test_seconds_settings_out_of_range_are_config_errors() {
  local key value
  for key in interval stop_timeout start_wait rolling_wait health_timeout; do
    for value in 86401 2147483647 99999999999999999999; do
      write_default_conf
      set_conf "$key" "$value"
      DOCKERUP_TIMEOUT=$QUICK run_dockerup --no-pull
      assert_exit 2
      assert_match "$ERR" "$CONF:[0-9]+: $key: bad value \"$value\".*from [01] to 86400" \
        "$key=$value names file, line, key and bounds"
    done
  done
  # At the bound it is accepted (a dry run changes nothing).
  write_default_conf
  set_conf interval 86400
  DOCKERUP_TIMEOUT=$QUICK run_dockerup --no-pull --dry-run
  assert_exit 0
}

test_interval_out_of_range_on_command_line() {
  DOCKERUP_TIMEOUT=$QUICK run_dockerup --server --interval 2147483647
  assert_exit 2
  assert_contains "$ERR" "--interval: bad value \"2147483647\"" "the option and value are named"
  DOCKERUP_TIMEOUT=$QUICK run_dockerup --server --interval 86401
  assert_exit 2
}

# -- ownership: what an image says about itself does not count --------------------------------

# forged_image TAG: an image that labels its containers like dockerup's own, with a volume.
forged_image() {
  build_image "$1" "FROM $IMAGE_V1
LABEL io.dockerup.managed=true io.dockerup.name=$(cname victim) \\
      io.dockerup.source=$(spec_path victim) io.dockerup.spec-hash=forged
VOLUME /data"
}

volume_exists() { "$DOCKER" volume inspect "$1" >/dev/null 2>&1; }
anonymous_volumes() { inspect "$1" '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}'; }

test_image_labels_do_not_make_a_container_managed() {
  local forged="dockerup-test/$RUN_PREFIX-forged:1" victim other id volumes volume
  victim=$(cname victim)
  other=$(cname other)
  assert_true "forged image built" forged_image "$forged" || return
  run_by_hand "$victim" "$forged"
  id=$(cid "$victim")
  volumes=$(anonymous_volumes "$victim")
  assert_eq true "$(label_of "$victim" io.dockerup.managed)" "Docker copied the image's label"
  assert_ne "" "$volumes" "the container has an anonymous volume" || return
  # The confdir is read completely and does not declare the victim's name or file.
  write_spec other "{\"name\": \"$other\", \"image\": \"$IMAGE_V1\"}"
  run_dockerup --no-pull
  assert_exit 0
  assert_running "$other"
  assert_eq "$id" "$(cid "$victim")" "the hand-started container is untouched"
  assert_running "$victim"
  for volume in $volumes; do
    assert_true "anonymous volume $volume kept" volume_exists "$volume"
  done
  assert_not_contains "$ERR" "$victim" "dockerup never acted on it"
}

test_own_container_of_labelled_image_is_recognised() {
  local forged="dockerup-test/$RUN_PREFIX-forged:1" web id
  web=$(cname web)
  assert_true "forged image built" forged_image "$forged" || return
  write_spec web "{\"name\": \"$web\", \"image\": \"$forged\"}"
  run_dockerup --no-pull
  assert_exit 0
  id=$(cid "$web")
  assert_ne "" "$id" "dockerup created $web" || return
  assert_eq true.own "$(label_of "$web" io.dockerup.managed)" "a value the image does not carry"
  run_dockerup --no-pull
  assert_exit 0
  assert_eq "$id" "$(cid "$web")" "recognised as its own: not replaced"
  assert_not_contains "$ERR" "adopting" "not mistaken for a stranger"
  rm "$(spec_path web)"
  run_dockerup --no-pull
  assert_exit 0
  assert_absent "$web"  # undeclared: removed like any container dockerup created
}

test_containers_of_earlier_versions_are_still_managed() {
  local old keep
  old=$(cname old)
  keep=$(cname keep)
  # What dockerup before this change created: the labels on the container, not on the image.
  "$DOCKER" run -d --name "$old" --label io.dockerup.managed=true \
    --label "io.dockerup.name=$old" --label "io.dockerup.source=$(spec_path old)" \
    --label io.dockerup.spec-hash=earlier "$IMAGE_V1" >/dev/null
  write_spec keep "{\"name\": \"$keep\", \"image\": \"$IMAGE_V1\"}"
  run_dockerup --no-pull
  assert_exit 0
  assert_absent "$old"  # managed, and its file is gone: removed as before
  assert_contains "$ERR" "no longer declared by $(spec_path old)" "the reason names its file"
}

# -- dockerup status as another user -----------------------------------------------------------

status_as_nobody() {  # sets OUT and RC
  OUT=$(runuser -u nobody -- timeout "$QUICK" "$CASE_DIR/dockerup" --config "$CONF" --cache "$CACHE" \
    status 2>&1)
  RC=$?
}

test_status_as_another_user_says_what_it_cannot_read() {
  chmod 755 "$WORK"  # the other user reaches the case folders, as it reaches /var/cache
  # A copy it can run wherever the build is (a checkout in a 0700 folder, say).
  install -m 755 "$DOCKERUP" "$CASE_DIR/dockerup"
  run_dockerup       # nothing declared: a run that writes status.json
  assert_exit 0
  chmod 600 "$CONF"
  chmod 700 "$CACHE"
  status_as_nobody
  assert_exit 3  # UNKNOWN for a Nagios check, not a usage error
  assert_contains "$OUT" "$CONF: cannot read it as uid" "names the config file it skipped"
  assert_contains "$OUT" "UNKNOWN: $CACHE: cannot read it as uid" "names the cache dir"
  assert_contains "$OUT" "private to root" "says how to read it"
  chmod 755 "$CACHE"  # the folder is readable, status.json (0600) is not
  status_as_nobody
  assert_exit 3
  assert_contains "$OUT" "UNKNOWN: $CACHE/status.json: cannot open" "names the file"
  run_dockerup status
  assert_exit 0
  assert_contains "$OUT" "result ok" "root reads it"
}

# -- secrets hidden by structure, not by searching text -------------------------------------

# example_words KIND: each image, volume path or env value of the bundled examples, one a line.
example_words() {
  python3 - "$1" "$CONFDIR"/*.json <<'PY'
import json, sys
kind = sys.argv[1]
for path in sys.argv[2:]:
    with open(path) as f:
        spec = json.load(f)
    if kind == "image":
        print(spec["image"])
    for volume in spec.get("volumes", []) if kind == "path" else []:
        for key in ("containerPath", "hostPath"):
            if key in volume:
                print(volume[key])
    for key, value in spec.get("env", {}).items() if kind == "env" else []:
        print(f"{key}={value}")
PY
}

test_examples_print_intact_without_env_values() {
  cp "$TOP"/containers.d-examples/*.json "$CONFDIR"/
  local word images paths envs
  images=$(example_words image)
  paths=$(example_words path)
  envs=$(example_words env)
  assert_ne "" "$envs" "the examples declare env values" || return
  # A dry run changes nothing and needs no image: absent ones are "would pull".
  run_dockerup --dry-run
  assert_exit 0
  while read -r word; do
    assert_contains "$OUT" "image $word " "image $word intact in --dry-run"
  done <<<"$images"
  while read -r word; do  # KEY=VALUE; a value may equal a path or an image part ("/data")
    assert_not_contains "$OUT$ERR" "$word" "env entry $word in --dry-run"
  done <<<"$envs"
  assert_not_contains "$OUT$ERR" "(hidden)" "nothing else hidden in --dry-run"
  # Paths are printed by export: intact, while every env value is hidden.
  run_dockerup export --format compose
  assert_exit 0
  while read -r word; do
    assert_contains "$OUT" "$word" "path $word intact in export"
  done <<<"$paths"
  while read -r word; do
    assert_contains "$OUT" "${word%%=*}: \"(hidden)\"" "env ${word%%=*} hidden in export"
    assert_not_contains "$OUT$ERR" "${word%%=*}: \"${word#*=}\"" "env value of ${word%%=*} in export"
  done <<<"$envs"
  run_dockerup --dry-run --show-secrets
  assert_exit 0
  assert_eq "$images" "$(grep -o 'would pull [^:]*: image [^ ]*' <<<"$OUT" | sed 's/.* image //')" \
    "--show-secrets prints the same images"
}

test_case "an option word with Boost's placeholders returns at once (exit 2)" \
  test_placeholder_in_option_word_does_not_hang
test_case "--config \"\" and --config MISSING are usage errors (exit 2)" \
  test_empty_and_missing_config_are_usage_errors
test_case "seconds settings above one day are configuration errors (exit 2)" \
  test_seconds_settings_out_of_range_are_config_errors
test_case "--interval above one day is a usage error (exit 2)" \
  test_interval_out_of_range_on_command_line
test_case "an image labelled like dockerup's containers: a hand-started one and its volume stay" \
  test_image_labels_do_not_make_a_container_managed
test_case "dockerup's own container of such an image is recognised and not replaced" \
  test_own_container_of_labelled_image_is_recognised
test_case "containers of earlier versions (labels on the container) are still managed" \
  test_containers_of_earlier_versions_are_still_managed
test_case "dockerup status as another user reads what it may, says what it cannot (exit 3)" \
  test_status_as_another_user_says_what_it_cannot_read
test_case "the bundled examples in --dry-run and export: images and paths intact, no env value" \
  test_examples_print_intact_without_env_values
finish

#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Bad input: broken files, conflicting names, usage and config errors, missing images.
# The rule under test: an error is reported with its file and field, the run exits non-zero,
# and nothing that is running is touched because of it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

simple_spec() {  # NAME [EXTRA_JSON_MEMBERS]
  echo "{\"type\": \"docker\", \"name\": \"$1\", \"image\": \"$IMAGE_V1\"${2:+, $2}}"
}

test_invalid_json_keeps_running_container() {
  local a c
  a=$(cname a)
  c=$(cname c)
  write_spec a "$(simple_spec "$a")"
  first_run "$a" --no-pull || return
  write_spec a "{\"type\": \"docker\", \"name\": \"$a\", "  # cut short
  write_spec c "$(simple_spec "$c")"
  run_dockerup --no-pull
  assert_exit 1
  assert_contains "$ERR" "$(spec_path a)" "error names the broken file"
  assert_kept "$FIRST_ID" "$a" "container of the broken file kept"
  assert_running "$c"
}

test_bad_field_keeps_running_container() {
  local a b c
  a=$(cname a)
  b=$(cname b)
  c=$(cname c)
  write_spec a "$(simple_spec "$a")"
  first_run "$a" --no-pull || return
  write_spec a "$(simple_spec "$a" '"memory": "lots"')"
  write_spec b "$(simple_spec "$b" '"portMappings": [{"containerPort": "eighty"}]')"
  write_spec c "$(simple_spec "$c")"
  run_dockerup --no-pull
  assert_exit 1
  assert_match "$ERR" "$(spec_path a).*\\\$\\.memory" "error names file and field"
  assert_match "$ERR" "$(spec_path b).*\\\$\\.portMappings\\[0\\]\\.containerPort" \
    "error names file and nested field"
  assert_kept "$FIRST_ID" "$a" "container of the bad file kept"
  assert_absent "$b"
  assert_running "$c"
}

test_duplicate_name_names_both_files() {
  local dup
  dup=$(cname dup)
  write_spec one "$(simple_spec "$dup")"
  write_spec two "$(simple_spec "$dup" '"env": {"X": "2"}')"
  run_dockerup --no-pull
  assert_exit 1
  assert_contains "$ERR" "$(spec_path one)" "error names the first file"
  assert_contains "$ERR" "$(spec_path two)" "error names the second file"
  assert_contains "$ERR" "$dup" "error names the container"
}

test_missing_image_fails_only_its_entry() {
  local ghost fine
  ghost=$(cname ghost)
  fine=$(cname fine)
  # Missing locally, so it is pulled even with --no-pull: from a registry address where nothing
  # listens, which fails at once and sends no traffic off this host.
  write_spec ghost "{\"name\": \"$ghost\", \"image\": \"127.0.0.1:1/dockerup-test/missing:1\"}"
  write_spec fine "$(simple_spec "$fine")"
  run_dockerup --no-pull
  assert_exit 1
  assert_contains "$ERR" "$ghost" "error names the container"
  assert_absent "$ghost"
  assert_running "$fine"
}

test_exit_codes() {
  write_spec ok "$(simple_spec "$(cname ok)")"
  run_dockerup --no-pull
  assert_exit 0
  assert_running "$(cname ok)"

  run_dockerup --no-pull --no-such-option
  assert_exit 2
  assert_contains "$ERR" "no-such-option" "usage error names the option"

  set_conf interval soon
  run_dockerup --no-pull
  assert_exit 2
  assert_contains "$ERR" "interval" "config error names the key"
  assert_contains "$ERR" "$CONF" "config error names the file"
}

test_dry_run_reports_bad_files() {
  write_spec bad '{"name": "x", "memory": "lots"'
  run_dockerup --no-pull --dry-run
  assert_ne 0 "$RC" "exit code of a dry run over a broken file"
  # A dry run's report (stdout) includes the errors; either stream will do.
  assert_contains "$OUT$ERR" "$(spec_path bad)" "error names the broken file"
}

# etc/dockerup.conf documents every key commented out with its default: with each one switched
# on, it must still load without an error or an unknown-key warning.
test_shipped_config_parses() {
  sed -nE 's/^;([a-z_]+=.+)$/\1/p' "$TOP/etc/dockerup.conf" >"$CONF"
  assert_true "etc/dockerup.conf documents interval" grep -q '^interval=' "$CONF" || return
  set_conf confdir "$CONFDIR"
  set_conf pull false
  set_conf gc off
  # The example fleet source names a bucket on S3 (no network here); an empty value clears it.
  set_conf source_url ""
  write_spec ok "$(simple_spec "$(cname ok)")"
  run_dockerup --dry-run
  assert_exit 0
  assert_not_contains "$ERR" "unknown" "warnings about the shipped config"
  assert_absent "$(cname ok)"
}

test_case "invalid JSON keeps the running container" test_invalid_json_keeps_running_container
test_case "bad field keeps the running container" test_bad_field_keeps_running_container
test_case "one name in two files names both" test_duplicate_name_names_both_files
test_case "missing image fails only its entry" test_missing_image_fails_only_its_entry
test_case "exit codes 0 and 2" test_exit_codes
test_case "dry run reports bad files" test_dry_run_reports_bad_files
test_case "shipped etc/dockerup.conf parses with every key set" test_shipped_config_parses
finish

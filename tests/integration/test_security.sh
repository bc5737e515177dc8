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

test_case "an option word with Boost's placeholders returns at once (exit 2)" \
  test_placeholder_in_option_word_does_not_hang
test_case "--config \"\" and --config MISSING are usage errors (exit 2)" \
  test_empty_and_missing_config_are_usage_errors
test_case "seconds settings above one day are configuration errors (exit 2)" \
  test_seconds_settings_out_of_range_are_config_errors
test_case "--interval above one day is a usage error (exit 2)" \
  test_interval_out_of_range_on_command_line
finish

#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# TLS remotes, as the docker CLI reaches them: a private dockerd (scripts/private-dockerd.sh)
# listening on 127.0.0.1:2376 with --tlsverify, certificates made here by openssl. dockerup
# reaches it with tcp:// + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH, and with https:// + the
# tls_ca/tls_cert/tls_key keys. A wrong CA or a missing client certificate is a clear error and
# changes nothing. The daemon lives in its own network namespace, so dockerup runs there too
# (through a wrapper around $DOCKERUP); it is destroyed with everything on it at the end.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment

PRIVATE="$TOP/scripts/private-dockerd.sh"
TLS_DAEMON="tls$$"
TLS_PORT=2376  # the daemon's own network namespace: nothing else listens there
CERTS="$WORK/certs"
REAL_DOCKERUP=$DOCKERUP
TLS_READY=""
# The engine under test (scripts/engines-integration.sh says which): the TLS daemon is one too.
TLS_ENGINE=${DOCKERUP_ENGINE:-debian12}

# The private daemon's docker CLI (its Unix socket, reachable from anywhere).
tdocker() { "$PRIVATE" exec "$TLS_DAEMON" "$DOCKER" "$@"; }
tinspect() { tdocker inspect --format "$2" "$1" 2>/dev/null; }

# make_certs: a CA, the daemon's certificate for 127.0.0.1, a client certificate, and a second
# CA that signed nothing dockerup will see. P-256 keys: quick to make.
make_certs() {
  mkdir -p "$CERTS/client" "$CERTS/wrong-ca" "$CERTS/ca-only"
  local key=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${key[@]}" -keyout "$CERTS/ca-key.pem" -out "$CERTS/ca.pem" -days 2 \
    -subj /CN=dockerup-test-ca &&
  openssl req "${key[@]}" -keyout "$CERTS/server-key.pem" -out "$CERTS/server.csr" \
    -subj /CN=127.0.0.1 &&
  openssl x509 -req -in "$CERTS/server.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca-key.pem" \
    -CAcreateserial -days 2 -out "$CERTS/server-cert.pem" \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') &&
  openssl req "${key[@]}" -keyout "$CERTS/client/key.pem" -out "$CERTS/client.csr" \
    -subj /CN=dockerup-test-client &&
  openssl x509 -req -in "$CERTS/client.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca-key.pem" \
    -CAcreateserial -days 2 -out "$CERTS/client/cert.pem" \
    -extfile <(printf 'extendedKeyUsage=clientAuth\n') &&
  cp "$CERTS/ca.pem" "$CERTS/client/ca.pem" &&
  cp "$CERTS/ca.pem" "$CERTS/ca-only/ca.pem" &&
  openssl req -x509 "${key[@]}" -keyout "$CERTS/wrong-ca/key.pem" \
    -out "$CERTS/wrong-ca/ca.pem" -days 2 -subj /CN=not-the-ca
} >"$WORK/openssl.log" 2>&1

# Starts the TLS daemon and gives it the test image; sets TLS_READY or says why not.
start_tls_daemon() {
  local missing
  for missing in openssl ip nsenter; do
    command -v "$missing" >/dev/null || { TLS_READY="no: $missing not installed"; return; }
  done
  [ "$(id -u)" = 0 ] || { TLS_READY="no: a private dockerd needs root"; return; }
  make_certs || { TLS_READY="no: openssl failed: $(tail -n 3 "$WORK/openssl.log")"; return; }
  chmod 600 "$CERTS"/*key.pem "$CERTS"/*/key.pem
  if ! "$PRIVATE" start "$TLS_DAEMON" --engine "$TLS_ENGINE" --tls "127.0.0.1:$TLS_PORT" "$CERTS" \
      >"$WORK/private-dockerd.log" 2>&1; then
    TLS_READY="no: the private dockerd did not start: $(tail -n 5 "$WORK/private-dockerd.log")"
    return
  fi
  if ! "$DOCKER" save "$IMAGE_V1" | tdocker load >/dev/null 2>&1; then
    TLS_READY="no: could not load $IMAGE_V1 into the private dockerd"
    return
  fi
  # dockerup runs in the daemon's network namespace, where 127.0.0.1:2376 is.
  cat >"$WORK/dockerup-in-netns" <<WRAPPER
#!/bin/sh
exec "$PRIVATE" exec "$TLS_DAEMON" "$REAL_DOCKERUP" "\$@"
WRAPPER
  chmod +x "$WORK/dockerup-in-netns"
  DOCKERUP="$WORK/dockerup-in-netns"
  TLS_READY=yes
}

stop_tls_daemon() {
  "$PRIVATE" destroy "$TLS_DAEMON" >/dev/null 2>&1
}
trap 'stop_tls_daemon; cleanup_run' EXIT

needs_daemon() {
  [ "$TLS_READY" = yes ] && return 0
  skip_case "${TLS_READY#no: }"
  return 1
}

web_spec() {  # SHORT
  write_spec "$1" "{\"name\": \"$(cname "$1")\", \"image\": \"$IMAGE_V1\"}"
}

test_docker_cli_environment() {
  needs_daemon || return 0
  local web
  web=$(cname web)
  web_spec web
  DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$CERTS/client" \
    run_dockerup --no-pull --remote "tcp://127.0.0.1:$TLS_PORT"
  assert_exit 0
  assert_eq true "$(tinspect "$web" '{{.State.Running}}')" "$web runs on the TLS daemon"
  assert_eq true "$(tinspect "$web" '{{index .Config.Labels "io.dockerup.managed"}}')" \
    "$web is managed"
  assert_eq "$("$DOCKER" version --format '{{.Server.Version}}')" \
    "$(tdocker version --format '{{.Server.Version}}')" "the TLS daemon is the engine under test"
  # Without DOCKER_TLS_VERIFY, tcp:// is plain HTTP, which the TLS port refuses.
  DOCKER_CERT_PATH="$CERTS/client" run_dockerup --no-pull --remote "tcp://127.0.0.1:$TLS_PORT"
  assert_ne 0 "$RC" "plain HTTP to the TLS port fails"
}

test_conf_keys_and_https() {
  needs_daemon || return 0
  local api
  api=$(cname api)
  web_spec api
  set_conf remote "https://127.0.0.1:$TLS_PORT"
  set_conf tls_ca "$CERTS/ca.pem"
  set_conf tls_cert "$CERTS/client/cert.pem"
  set_conf tls_key "$CERTS/client/key.pem"
  DOCKER_CERT_PATH=/nonexistent run_dockerup --no-pull
  assert_exit 0
  assert_eq true "$(tinspect "$api" '{{.State.Running}}')" "$api runs on the TLS daemon"
  # The same keys with tcp://: they alone turn TLS on.
  set_conf remote "tcp://127.0.0.1:$TLS_PORT"
  DOCKER_CERT_PATH=/nonexistent run_dockerup --no-pull
  assert_exit 0
  assert_eq 1 "$(tdocker ps -a -q --filter "label=io.dockerup.name=$api" | wc -l)" \
    "one container for $api"
}

# A run that cannot reach the engine changes nothing: the container stays, the new spec waits.
assert_nothing_changed() {  # NAME ID_BEFORE NEW_NAME
  assert_eq "$2" "$(tinspect "$1" '{{.Id}}')" "$1 untouched"
  assert_eq true "$(tinspect "$1" '{{.State.Running}}')" "$1 still runs"
  assert_eq "" "$(tinspect "$3" '{{.Id}}')" "$3 not created"
}

# run_with_cert_path DIR: a run as the docker CLI's environment sets it up, with DIR's files.
run_with_cert_path() {
  DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$1" \
    run_dockerup --no-pull --remote "tcp://127.0.0.1:$TLS_PORT"
}

# launch_then_redeclare: web launched with good certificates (LAUNCHED_ID), then web's file
# replaced by extra's: a run that reached the engine would remove web and create extra.
launch_then_redeclare() {
  web_spec web
  run_with_cert_path "$CERTS/client"
  LAUNCHED_ID=$(tinspect "$(cname web)" '{{.Id}}')
  assert_ne "" "$LAUNCHED_ID" "$(cname web) launched with good certificates" || return 1
  web_spec extra
  rm -f "$(spec_path web)"
}

test_wrong_ca_is_refused() {
  needs_daemon || return 0
  launch_then_redeclare || return 1
  set_conf tls_ca "$CERTS/wrong-ca/ca.pem"
  run_with_cert_path "$CERTS/client"
  assert_ne 0 "$RC" "exit status with the wrong CA"
  assert_match "$ERR" "certificate" "the error is about the certificate"
  assert_contains "$ERR" "$CERTS/wrong-ca/ca.pem" "the error names the CA file"
  assert_nothing_changed "$(cname web)" "$LAUNCHED_ID" "$(cname extra)"
}

test_missing_client_certificate_is_refused() {
  needs_daemon || return 0
  launch_then_redeclare || return 1
  run_with_cert_path "$CERTS/ca-only"
  assert_ne 0 "$RC" "exit status without a client certificate"
  assert_contains "$ERR" "client certificate" "the error says a client certificate is needed"
  assert_nothing_changed "$(cname web)" "$LAUNCHED_ID" "$(cname extra)"
}

# tls_key on its own: a key that does not belong to the client certificate is refused.
test_mismatched_key_is_refused() {
  needs_daemon || return 0
  launch_then_redeclare || return 1
  set_conf tls_key "$CERTS/wrong-ca/key.pem"
  run_with_cert_path "$CERTS/client"
  assert_ne 0 "$RC" "exit status with a key of another certificate"
  assert_contains "$ERR" "$CERTS/wrong-ca/key.pem" "the error names the key file"
  assert_nothing_changed "$(cname web)" "$LAUNCHED_ID" "$(cname extra)"
}

# Verification covers the host name too: the daemon's certificate is for IP 127.0.0.1 only.
test_host_name_is_verified() {
  needs_daemon || return 0
  web_spec web
  set_conf tls_ca "$CERTS/ca.pem"
  set_conf tls_cert "$CERTS/client/cert.pem"
  set_conf tls_key "$CERTS/client/key.pem"
  run_dockerup --no-pull --remote "https://localhost:$TLS_PORT"
  assert_ne 0 "$RC" "exit status for a name the certificate does not carry"
  assert_contains "$ERR" "the daemon's certificate is not for this host name" \
    "the error says the name does not match"
  assert_eq "" "$(tinspect "$(cname web)" '{{.Id}}')" "nothing created"
}

test_certificate_without_key_is_a_config_error() {
  needs_daemon || return 0
  web_spec web
  set_conf tls_cert "$CERTS/client/cert.pem"
  run_dockerup --no-pull --remote "tcp://127.0.0.1:$TLS_PORT"
  assert_exit 2
  assert_contains "$ERR" "a client certificate needs both tls_cert and tls_key" "error names both keys"
  assert_eq "" "$(tinspect "$(cname web)" '{{.Id}}')" "nothing created"
}

start_tls_daemon
test_case "tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH" test_docker_cli_environment
test_case "https:// and tcp:// with tls_ca, tls_cert, tls_key" test_conf_keys_and_https
test_case "a wrong CA is refused and changes nothing" test_wrong_ca_is_refused
test_case "a missing client certificate is refused and changes nothing" \
  test_missing_client_certificate_is_refused
test_case "tls_key of another certificate is refused and changes nothing" \
  test_mismatched_key_is_refused
test_case "the daemon's host name is verified (localhost vs an IP certificate)" \
  test_host_name_is_verified
test_case "tls_cert without tls_key: exit 2, nothing done" test_certificate_without_key_is_a_config_error
finish

#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions are called through test_case
# Private registries: Debian's docker-registry with htpasswd (bcrypt) on 127.0.0.1, and one with
# TLS from a throwaway CA on an address dockerd does not treat as insecure. Credentials come from
# config.json "auths", a credential helper script on PATH, and the dockerup.conf keys; wrong or
# missing credentials and broken helpers are reported per image and never cost a running
# container; no secret shows in any output.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
require_environment
unset DOCKER_CONFIG  # the cases say where the client config is

REG_USER=dut-alice
REG_PASS="pw-$RUN_PREFIX-A1"        # unique, so a grep for it finds only leaks
HELPER_SECRET="$REG_PASS"           # the helper hands out the same password
WRONG_PASS="wrong-$RUN_PREFIX-Z9"

for tool in docker-registry htpasswd openssl; do
  command -v "$tool" >/dev/null && continue
  echo "FAIL $TEST_FILE: $tool missing (apt-get install docker-registry apache2-utils openssl)" >&2
  FAILED=1
  finish
done

# ---------------------------------------------------------------------------------------------
# The TLS case changes two host-wide things: an address on lo and a CA under certs.d. Both are
# unique to this run and removed on exit whatever happens.
TLS_ADDRESS=""
TLS_CERTS_DIR=""
tls_cleanup() {
  [ -n "$TLS_CERTS_DIR" ] && rm -rf "$TLS_CERTS_DIR" && rmdir /etc/docker/certs.d 2>/dev/null
  [ -n "$TLS_ADDRESS" ] && ip addr del "$TLS_ADDRESS/32" dev lo 2>/dev/null
  TLS_CERTS_DIR=""
  TLS_ADDRESS=""
  return 0
}
# Pulls leave digest references (REPO@sha256:...) beside the tags OWN_IMAGES removes; only
# those under this run's prefix are removed (the images themselves are the shared test images).
digest_cleanup() {
  local references
  references=$("$DOCKER" images --digests --format '{{.Repository}}@{{.Digest}}' |
    grep "/$RUN_PREFIX/" | grep -v '@<none>$')
  [ -z "$references" ] && return 0
  # shellcheck disable=SC2086 # one reference per word
  "$DOCKER" rmi $references >/dev/null 2>&1 || true
}
trap 'tls_cleanup; cleanup_run; digest_cleanup' EXIT

# start_auth_registry [ADDRESS [CERT KEY]]: a registry that wants $REG_USER/$REG_PASS, on
# ADDRESS (default 127.0.0.1), with TLS when CERT and KEY are given. Sets AUTH_REGISTRY and
# logs the pusher in (its own docker client config under CASE_DIR; never the host's).
start_auth_registry() {
  local address=${1:-127.0.0.1} cert=${2:-} key=${3:-} port dir="$CASE_DIR/authreg" scheme=http
  port=$(free_port)
  AUTH_REGISTRY="$address:$port"
  mkdir -p "$dir/storage" "$dir/pusher"
  htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$dir/htpasswd"
  {
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n' \
      "$dir/storage"
    printf 'http:\n  addr: %s\n' "$AUTH_REGISTRY"
    if [ -n "$cert" ]; then
      printf '  tls:\n    certificate: %s\n    key: %s\n' "$cert" "$key"
      scheme=https
    fi
    printf 'auth:\n  htpasswd:\n    realm: dockerup-test\n    path: %s\n' "$dir/htpasswd"
  } >"$dir/config.yml"
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
  BACKGROUND_PIDS+=($!)
  registry_wants_auth() {
    [ "$(curl -s -k --max-time 1 -o /dev/null -w '%{http_code}' "$scheme://$AUTH_REGISTRY/v2/")" = 401 ]
  }
  wait_until 20 registry_wants_auth || { tail -n 5 "$dir/registry.log" >&2; return 1; }
}

# Logs the pusher in; only works once dockerd trusts the registry (TLS: after the CA is in).
login_pusher() {
  printf '%s' "$REG_PASS" | timeout 60 "$DOCKER" --config "$CASE_DIR/authreg/pusher" login \
    -u "$REG_USER" --password-stdin "$AUTH_REGISTRY" >"$CASE_DIR/authreg/login.log" 2>&1
}

# push_private SOURCE TARGET: TARGET under $AUTH_REGISTRY serves SOURCE. The host's own tag
# TARGET is left as it was (absent, or on the image it named), as when someone else pushes: only
# a pull by dockerup can then see what the registry serves.
push_private() {
  local before
  before=$(image_id "$2")
  "$DOCKER" tag "$1" "$2" || return 1
  OWN_IMAGES+=("$2")
  if ! timeout 60 "$DOCKER" --config "$CASE_DIR/authreg/pusher" push "$2" >"$CASE_DIR/push.log" 2>&1; then
    tail -n 5 "$CASE_DIR/push.log" >&2
    return 1
  fi
  if [ -n "$before" ]; then
    "$DOCKER" tag "$before" "$2"
  else
    "$DOCKER" rmi "$2" >/dev/null
  fi
}

# client_config DIR JSON: DIR/config.json for dockerup (mode 600, as docker writes it).
client_config() {
  mkdir -p "$1"
  printf '%s\n' "$2" >"$1/config.json"
  chmod 600 "$1/config.json"
}

basic() { printf '%s' "$1:$2" | base64 -w0; }

# helper_script NAME BODY: CASE_DIR/bin/docker-credential-NAME; every call appends the server
# address it was asked for to CASE_DIR/helper-calls.
helper_script() {
  mkdir -p "$CASE_DIR/bin"
  cat >"$CASE_DIR/bin/docker-credential-$1" <<SCRIPT
#!/bin/sh
[ "\$1" = get ] || exit 9
read -r server
echo "\$server" >>"$CASE_DIR/helper-calls"
$2
SCRIPT
  chmod 755 "$CASE_DIR/bin/docker-credential-$1"
}

helper_calls() { [ -f "$CASE_DIR/helper-calls" ] && wc -l <"$CASE_DIR/helper-calls" || echo 0; }

# Every secret of the case must be absent from TEXT.
assert_no_secret() {  # TEXT WHAT
  assert_not_contains "$1" "$REG_PASS" "$2: password"
  assert_not_contains "$1" "$WRONG_PASS" "$2: wrong password"
  assert_not_contains "$1" "$(basic "$REG_USER" "$REG_PASS")" "$2: base64 user:password"
}

# deploy_v1 IMAGE: the container web runs IMAGE (v1) after one run with the current credentials.
deploy_web() {
  WEB=$(cname web)
  write_spec web "{\"name\": \"$WEB\", \"image\": \"$1\",
                   \"portMappings\": [{\"containerPort\": 8080, \"hostIp\": \"127.0.0.1\"}]}"
}

page() { http_get "http://$(host_port "$WEB" 8080/tcp)/"; }

# update_cycle ARGS...: with IMAGE at v1 and running, pushes v2 under the same tag, runs, and
# checks the container was replaced by v2; then a further run changes nothing.
update_cycle() {
  local before
  before=$(cid "$WEB")
  assert_true "push v2" push_private "$IMAGE_V2" "$IMAGE" || return 1
  run_dockerup --pull "$@"
  assert_exit 0
  assert_ne "$before" "$(cid "$WEB")" "same-tag update replaced the container"
  assert_eq "app v2" "$(page)" "page of v2"
  local after
  after=$(cid "$WEB")
  run_dockerup --pull "$@"
  assert_exit 0
  assert_eq "$after" "$(cid "$WEB")" "a run without a new image changes nothing"
  assert_no_secret "$ERR$OUT" "log of the update runs"
}

# registry_and_pusher: the htpasswd registry on 127.0.0.1 with the pusher logged in.
registry_and_pusher() {
  assert_true "htpasswd registry on 127.0.0.1" start_auth_registry || return 1
  assert_true "pusher logs in" login_pusher
}

# private_web_v1: the usual start of a case: the htpasswd registry on 127.0.0.1, the pusher
# logged in, IMAGE (app:stable there) at v1, and the container web declared on it.
private_web_v1() {
  registry_and_pusher || return 1
  IMAGE="$AUTH_REGISTRY/$RUN_PREFIX/app:stable"
  assert_true "push v1" push_private "$IMAGE_V1" "$IMAGE" || return 1
  deploy_web "$IMAGE"
}

# auths_config PASSWORD: CASE_DIR/client/config.json holds $REG_USER:PASSWORD for the registry.
auths_config() {
  client_config "$CASE_DIR/client" \
    "{\"auths\": {\"$AUTH_REGISTRY\": {\"auth\": \"$(basic "$REG_USER" "$1")\"}}}"
}

# helper_config NAME: CASE_DIR/client/config.json sends the registry to docker-credential-NAME.
helper_config() {
  client_config "$CASE_DIR/client" "{\"credHelpers\": {\"$AUTH_REGISTRY\": \"$1\"}}"
}

# What a helper that knows the right credentials prints (the body for helper_script).
GOOD_HELPER_ANSWER="printf '{\"Username\":\"%s\",\"Secret\":\"%s\"}' $REG_USER $HELPER_SECRET"

# assert_web_kept ID WHAT: a failed update left the container web as it was, running.
assert_web_kept() {
  assert_eq "$1" "$(cid "$WEB")" "$2: container kept"
  assert_running "$WEB"
}

# ---------------------------------------------------------------------------------------------

test_auths_from_docker_config_env() {
  private_web_v1 || return
  auths_config "$REG_PASS"

  # Without credentials the registry refuses: the test registry really wants them.
  run_dockerup --pull --docker-config "$CASE_DIR/nothing-here"
  assert_exit 1
  assert_contains "$ERR" "anonymous: no credentials for $AUTH_REGISTRY" "anonymous pull named"
  assert_absent "$WEB"

  DOCKER_CONFIG="$CASE_DIR/client" run_dockerup --pull -v
  assert_exit 0
  assert_eq "app v1" "$(page)" "page of v1"
  assert_contains "$ERR" "credentials for $AUTH_REGISTRY: auths[\"$AUTH_REGISTRY\"] in $CASE_DIR/client/config.json" \
    "debug log names where the credentials came from"
  assert_no_secret "$ERR$OUT" "verbose log"
  export DOCKER_CONFIG="$CASE_DIR/client"
  update_cycle
  unset DOCKER_CONFIG
}

test_docker_config_setting_and_option() {
  private_web_v1 || return
  # Written as a URL with a path: the lookup strips scheme and path, as the docker CLI does.
  client_config "$CASE_DIR/client" "{\"auths\": {\"https://$AUTH_REGISTRY/v2/\":
      {\"username\": \"$REG_USER\", \"password\": \"$REG_PASS\"}}}"
  client_config "$CASE_DIR/wrong" "{\"auths\": {\"$AUTH_REGISTRY\":
      {\"username\": \"$REG_USER\", \"password\": \"$WRONG_PASS\"}}}"

  set_conf docker_config "$CASE_DIR/client"
  run_dockerup --pull
  assert_exit 0
  assert_eq "app v1" "$(page)" "docker_config (a directory) in dockerup.conf"

  # The command line beats dockerup.conf; a path to the file itself works too.
  set_conf docker_config "$CASE_DIR/wrong"
  update_cycle --docker-config "$CASE_DIR/client/config.json"
}

test_credential_helper_on_path() {
  private_web_v1 || return
  local other="$AUTH_REGISTRY/$RUN_PREFIX/other:stable"
  assert_true "push other" push_private "$IMAGE_V1" "$other" || return
  write_spec other "{\"name\": \"$(cname other)\", \"image\": \"$other\"}"
  helper_script duttest "[ \"\$server\" = \"$AUTH_REGISTRY\" ] || { echo 'credentials not found in native keychain'; exit 1; }
printf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}\\n' \"\$server\" $REG_USER $HELPER_SECRET"
  helper_config duttest
  set_conf docker_config "$CASE_DIR/client"

  PATH="$CASE_DIR/bin:$PATH" run_dockerup --pull
  assert_exit 0
  assert_eq "app v1" "$(page)" "page of v1"
  assert_running "$(cname other)"
  assert_eq 1 "$(helper_calls)" "helper asked once for two images of one registry"
  assert_eq "$AUTH_REGISTRY" "$(head -n 1 "$CASE_DIR/helper-calls")" "helper given the server address"
  export PATH="$CASE_DIR/bin:$PATH"
  update_cycle
  assert_eq 3 "$(helper_calls)" "one helper call per run (three runs)"
}

test_dockerup_conf_keys() {
  private_web_v1 || return
  # config.json has a wrong password for the same registry: the dockerup.conf keys win.
  client_config "$CASE_DIR/client" "{\"auths\": {\"$AUTH_REGISTRY\":
      {\"username\": \"$REG_USER\", \"password\": \"$WRONG_PASS\"}}}"
  set_conf docker_config "$CASE_DIR/client"
  set_conf registry "$AUTH_REGISTRY"
  set_conf username "$REG_USER"
  set_conf password "$REG_PASS"
  set_conf email "alice@example.com"
  run_dockerup --pull
  assert_exit 0
  assert_eq "app v1" "$(page)" "page of v1"
  assert_eq 1 "$(grep -c "the dockerup.conf keys (registry/username/password) are used" <<<"$ERR")" \
    "the precedence is logged once"
  update_cycle
}

test_wrong_and_missing_credentials_keep_container() {
  private_web_v1 || return
  local fresh="$AUTH_REGISTRY/$RUN_PREFIX/fresh:v1"
  assert_true "push fresh" push_private "$IMAGE_V1" "$fresh" || return
  auths_config "$REG_PASS"
  set_conf docker_config "$CASE_DIR/client"
  run_dockerup --pull
  assert_exit 0
  local id
  id=$(cid "$WEB")
  assert_true "push v2" push_private "$IMAGE_V2" "$IMAGE" || return
  # A second container whose image is not on the host yet: its pull failing is the run's error.
  write_spec fresh "{\"name\": \"$(cname fresh)\", \"image\": \"$fresh\"}"

  auths_config "$WRONG_PASS"
  run_dockerup --pull
  assert_exit 1
  # The present image's refusal is an error of the run (not a warning), one line naming it.
  assert_eq 1 "$(grep -c "image $IMAGE: .*$IMAGE.* (credentials for $AUTH_REGISTRY from auths\[\"$AUTH_REGISTRY\"\] in $CASE_DIR/client/config.json)" <<<"$ERR")" \
    "wrong password: one error naming image, registry and origin"
  assert_contains "$ERR" "image $fresh is not available (pulling it failed: pulling $fresh (credentials for $AUTH_REGISTRY" \
    "missing image: one error naming it"
  assert_web_kept "$id" "wrong password"
  assert_eq "app v1" "$(page)" "still v1"
  assert_absent "$(cname fresh)"
  assert_no_secret "$ERR$OUT" "wrong-password run"

  # Only the present image left: its refused credentials alone fail the run, and status says so.
  rm "$(spec_path fresh)"
  run_dockerup --pull
  assert_exit 1
  assert_contains "$ERR" "image $IMAGE: " "wrong password alone: the run's error names the image"
  run_dockerup status
  assert_exit 1
  assert_contains "$OUT" "image $IMAGE: " "status shows the refused image"
  assert_web_kept "$id" "wrong password alone"

  client_config "$CASE_DIR/client" '{"auths": {"other.example:5000": {"auth": "dTpw"}}}'
  run_dockerup --pull
  assert_exit 1
  assert_contains "$ERR" "$IMAGE" "unknown registry: image named"
  assert_contains "$ERR" "(anonymous: no credentials for $AUTH_REGISTRY)" "unknown registry: registry named"
  assert_web_kept "$id" "unknown registry"

  # The next run with the right credentials tries again and updates.
  auths_config "$REG_PASS"
  run_dockerup --pull
  assert_exit 0
  assert_eq "app v2" "$(page)" "right credentials again: updated to v2"
}

test_hanging_and_failing_helpers() {
  private_web_v1 || return
  helper_script dutgood "$GOOD_HELPER_ANSWER"
  helper_script duthang "exec sleep 300"
  helper_script dutfail "echo 'token service unreachable' >&2; exit 3"
  export PATH="$CASE_DIR/bin:$PATH"
  set_conf docker_config "$CASE_DIR/client"
  helper_config dutgood
  run_dockerup --pull
  assert_exit 0
  local id
  id=$(cid "$WEB")

  helper_config duthang
  DOCKERUP_TIMEOUT=60 run_dockerup --pull
  assert_exit 1  # not a timeout (124): the helper is killed after 10 s, an error of the run
  assert_contains "$ERR" "credentials for $IMAGE (registry $AUTH_REGISTRY): credential helper docker-credential-duthang for $AUTH_REGISTRY: no answer within 10 s (killed)" \
    "hanging helper: image, registry and helper named"
  assert_web_kept "$id" "hanging helper"

  helper_config dutfail
  run_dockerup --pull
  assert_exit 1
  assert_contains "$ERR" "credential helper docker-credential-dutfail for $AUTH_REGISTRY: exited with code 3: token service unreachable" \
    "failing helper: helper, registry and its message"
  assert_contains "$ERR" "$IMAGE" "failing helper: image named"
  assert_web_kept "$id" "failing helper"
}

test_no_secret_in_any_output() {
  private_web_v1 || return
  set_conf registry "$AUTH_REGISTRY"
  set_conf username "$REG_USER"
  set_conf password "$REG_PASS"
  set_conf docker_config "$CASE_DIR/nothing-here"
  run_dockerup --pull -v
  assert_exit 0
  assert_no_secret "$ERR$OUT" "verbose run"
  assert_true "push v2" push_private "$IMAGE_V2" "$IMAGE" || return
  run_dockerup --pull --dry-run -v
  assert_exit 0
  assert_contains "$OUT$ERR" "$WEB" "dry run plans the container"
  assert_no_secret "$ERR$OUT" "--dry-run"
  run_dockerup status --json
  assert_contains "$OUT" "$WEB" "status --json lists the container"
  assert_no_secret "$ERR$OUT" "status --json"
  run_dockerup status
  assert_no_secret "$ERR$OUT" "status"
  local port
  port=$(free_port)
  start_dockerup_background --server --interval 2 --pull -v --log-format json \
    --metrics-listen "127.0.0.1:$port"
  metrics_after_a_run() { http_get "http://127.0.0.1:$port/metrics" | grep -q '^dockerup_runs_total'; }
  assert_true "metrics served within 60 s" wait_until 60 metrics_after_a_run
  assert_no_secret "$(http_get "http://127.0.0.1:$port/metrics")" "metrics"
  stop_background
  assert_no_secret "$(cat "$CASE_DIR/background.out" "$CASE_DIR/background.err")" "--server log (json)"
}

# A no-op run with 10 private images: how many helper calls and Engine API calls it makes. The
# API calls are counted by a small TCP proxy in front of the Docker socket.
test_noop_run_with_ten_private_images() {
  registry_and_pusher || return
  helper_script dutcount "$GOOD_HELPER_ANSWER"
  export PATH="$CASE_DIR/bin:$PATH"
  helper_config dutcount
  set_conf docker_config "$CASE_DIR/client"
  local i image
  for i in $(seq 1 10); do
    image="$AUTH_REGISTRY/$RUN_PREFIX/app$i:stable"
    assert_true "push app$i" push_private "$IMAGE_V1" "$image" || return
    write_spec "app$i" "{\"name\": \"$(cname "app$i")\", \"image\": \"$image\"}"
  done
  run_dockerup --pull
  assert_exit 0
  : >"$CASE_DIR/helper-calls"

  local port log="$CASE_DIR/api-calls"
  port=$(free_port)
  python3 - "$port" "$log" "$DOCKER_SOCKET" <<'PY' &
import re, socket, sys, threading
port, log, docker_socket = int(sys.argv[1]), sys.argv[2], sys.argv[3]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(16)
lock = threading.Lock()
def pump(src, dst, record):
    pending = b""
    try:
        while data := src.recv(65536):
            if record:
                pending += data
                while b"\r\n\r\n" in pending:  # no-op runs send no request bodies
                    head, pending = pending.split(b"\r\n\r\n", 1)
                    line = head.split(b"\r\n")[0].decode()
                    auth = b"\r\nx-registry-auth:" in head.lower()
                    with lock, open(log, "a") as f:
                        f.write(f"{line} auth={'yes' if auth else 'no'}\n")
            dst.sendall(data)
    except OSError:
        pass
    finally:
        dst.close()
while True:
    client, _ = server.accept()
    daemon = socket.socket(socket.AF_UNIX)
    daemon.connect(docker_socket)  # the engine under test
    threading.Thread(target=pump, args=(client, daemon, True), daemon=True).start()
    threading.Thread(target=pump, args=(daemon, client, False), daemon=True).start()
PY
  BACKGROUND_PIDS+=($!)
  proxy_up() { curl -fs --max-time 1 -o /dev/null "http://127.0.0.1:$port/_ping"; }
  assert_true "API proxy answers" wait_until 20 proxy_up || return
  : >"$log"
  run_dockerup --pull --remote "tcp://127.0.0.1:$port"
  assert_exit 0
  local total digests digests_with_auth pulls
  total=$(wc -l <"$log")
  digests=$(grep -c ' /v[0-9.]*/distribution/' "$log")
  digests_with_auth=$(grep -c ' /v[0-9.]*/distribution/.* auth=yes' "$log")
  pulls=$(grep -c 'images/create' "$log")
  echo "    measured: no-op run, 10 private images: $(helper_calls) helper call(s), $total Engine API calls ($digests digest checks, $pulls pulls)"
  sed 's/^/      /' "$log" | sort | uniq -c | sort -rn
  assert_eq 1 "$(helper_calls)" "one helper call for ten images of one registry"
  assert_eq 10 "$digests" "one digest check per image"
  assert_eq 10 "$digests_with_auth" "every digest check carries X-Registry-Auth"
  assert_eq 0 "$pulls" "nothing pulled when nothing moved"
}

# TLS with a private CA, on an address dockerd verifies (not 127.0.0.0/8, which it treats as
# insecure and would not check at all): an extra address on lo, so traffic stays on this host.
test_tls_registry_with_private_ca() {
  if ! command -v ip >/dev/null; then
    skip_case "ip (iproute2) missing: cannot add a non-loopback address"
    return
  fi
  local octet address
  octet=$(( ($$ + RANDOM) % 250 + 1 ))
  address="10.231.$octet.1"
  if ip -o addr show | grep -q " $address/"; then
    skip_case "$address is already in use on this host"
    return
  fi
  if ! ip addr add "$address/32" dev lo 2>"$CASE_DIR/ip.err"; then
    skip_case "cannot add an address to lo ($(cat "$CASE_DIR/ip.err"))"
    return
  fi
  TLS_ADDRESS=$address
  local pki="$CASE_DIR/pki"
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 1 \
    -subj "/CN=dockerup test CA $RUN_PREFIX" 2>"$pki/log" &&
    openssl req -newkey rsa:2048 -nodes -keyout "$pki/server.key" -out "$pki/server.csr" \
      -subj "/CN=$address" 2>>"$pki/log" &&
    printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$address" >"$pki/ext.cnf" &&
    openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
      -CAcreateserial -out "$pki/server.crt" -days 1 -extfile "$pki/ext.cnf" 2>>"$pki/log"
  assert_true "throwaway CA and server certificate made" test -s "$pki/server.crt" || { tls_cleanup; return; }
  assert_true "TLS registry with htpasswd on $address" \
    start_auth_registry "$address" "$pki/server.crt" "$pki/server.key" || { tls_cleanup; return; }
  IMAGE="$AUTH_REGISTRY/$RUN_PREFIX/app:stable"
  deploy_web "$IMAGE"
  auths_config "$REG_PASS"
  set_conf docker_config "$CASE_DIR/client"

  # Before the engine trusts the CA, the pull fails on verification: nothing turned it off.
  run_dockerup --pull
  assert_exit 1
  assert_match "$ERR" "x509|certificate" "untrusted CA: a certificate error"
  assert_absent "$WEB"

  TLS_CERTS_DIR="/etc/docker/certs.d/$AUTH_REGISTRY"
  mkdir -p "$TLS_CERTS_DIR" && cp "$pki/ca.crt" "$TLS_CERTS_DIR/ca.crt"
  assert_true "pusher logs in over TLS" login_pusher || { tls_cleanup; return; }
  assert_true "push v1" push_private "$IMAGE_V1" "$IMAGE" || { tls_cleanup; return; }
  run_dockerup --pull
  assert_exit 0
  assert_eq "app v1" "$(page)" "pulled over TLS with credentials"
  update_cycle
  tls_cleanup
}

test_image_carries_ecr_helper() {
  if ! command -v docker-credential-ecr-login >/dev/null; then
    skip_case "amazon-ecr-credential-helper is not installed on this machine"
    return
  fi
  local tag="dockerup-test/$RUN_PREFIX-image:ecr"
  OWN_IMAGES+=("$tag")
  bash "$TOP/packaging/make-image.sh" --binary "$DOCKERUP" --tag "$tag" >"$CASE_DIR/make-image.out" 2>&1
  assert_contains "$(cat "$CASE_DIR/make-image.out")" "includes docker-credential-ecr-login" "make-image says so"
  local version
  version=$(timeout 60 "$DOCKER" run --rm --label "dockerup-test=$RUN_PREFIX" \
    --entrypoint docker-credential-ecr-login "$tag" version 2>&1)
  assert_match "$version" "[0-9]+\.[0-9]+" "the helper runs inside the image, found on PATH ($version)"
  assert_eq "/etc/dockerup" "$("$DOCKER" image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$tag" | sed -n 's/^HOME=//p')" \
    "HOME=/etc/dockerup: credentials in /etc/dockerup/.docker/config.json"
}

test_case "auths in config.json via DOCKER_CONFIG: pull and same-tag update" test_auths_from_docker_config_env
test_case "docker_config setting and --docker-config, URL-style auths key" test_docker_config_setting_and_option
test_case "credential helper on PATH, asked once per registry per run" test_credential_helper_on_path
test_case "dockerup.conf registry/username/password keys win over config.json" test_dockerup_conf_keys
test_case "wrong password and unknown registry keep the running container" test_wrong_and_missing_credentials_keep_container
test_case "hanging and failing credential helpers: bounded, named, container kept" test_hanging_and_failing_helpers
test_case "no secret in logs, --dry-run, status and metrics" test_no_secret_in_any_output
test_case "no-op run with 10 private images: helper and API calls" test_noop_run_with_ten_private_images
test_case "TLS registry with a private CA under /etc/docker/certs.d" test_tls_registry_with_private_ca
test_case "the container image carries docker-credential-ecr-login" test_image_carries_ecr_helper
finish

# shellcheck shell=bash
# A TCP proxy in front of the test registry (start_registry, lib.sh), for pulls that must break
# or wait in the middle, and an image whose pull must fetch a blob. Sourced after lib.sh.
#
#   start_registry_proxy PORT pass         forwards everything
#   start_registry_proxy PORT die-on-blob  exits, cutting every connection, as soon as a client
#                                          asks for a blob: the registry dies in the middle of a
#                                          pull, after the manifest was served
#   start_registry_proxy PORT gate FILE    holds each blob download (GET) until FILE exists, at
#                                          most 120 s: a pull that goes on when the test says so
#   push_unique_image REF                  v1 plus a layer of its own, pushed as REF and removed
#                                          locally, so pulling REF must fetch a blob
#
# start_registry_proxy sets PROXY_PID and logs to CASE_DIR/proxy.log.

start_registry_proxy() {  # PORT MODE [GATE_FILE]
  python3 - "$1" "${REGISTRY#*:}" "$2" "${3:-}" >"$CASE_DIR/proxy.log" 2>&1 <<'PY' &
import os, re, socket, sys, threading, time
listen_port, target_port, mode, gate = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
blob = re.compile(rb"(GET|HEAD) [^ ]*/blobs/sha256:")
blob_download = re.compile(rb"GET [^ ]*/blobs/sha256:")
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(64)
def wait_for_gate(data):
    print("holding", data.split(b"\r\n")[0].decode(), flush=True)
    deadline = time.monotonic() + 120
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.05)
def pipe(src, dst, from_client):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if from_client and mode == "die-on-blob" and blob.search(data):
                print("dying at", data.split(b"\r\n")[0].decode(), flush=True)
                os._exit(0)
            if from_client and mode == "gate" and blob_download.search(data):
                wait_for_gate(data)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try: s.shutdown(socket.SHUT_RDWR)
            except OSError: pass
while True:
    client, _ = server.accept()
    upstream = socket.create_connection(("127.0.0.1", target_port))
    threading.Thread(target=pipe, args=(client, upstream, True), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client, False), daemon=True).start()
PY
  PROXY_PID=$!
  BACKGROUND_PIDS+=("$PROXY_PID")
  wait_until 20 curl -fs --max-time 1 -o /dev/null "http://127.0.0.1:$1/v2/"
}

push_unique_image() {  # REF
  local maker="$P-maker"
  local cmd
  cmd=$(inspect "$IMAGE_V1" '{{json .Config.Cmd}}')
  "$DOCKER" run --name "$maker" --label "dockerup-test=$RUN_PREFIX" "$IMAGE_V1" \
    sh -c "echo $RUN_PREFIX-$RANDOM >/unique" >/dev/null &&
    "$DOCKER" commit --change "CMD $cmd" "$maker" "$1" >/dev/null &&
    "$DOCKER" rm "$maker" >/dev/null &&
    "$DOCKER" push "$1" >/dev/null &&
    "$DOCKER" rmi "$1" >/dev/null
}

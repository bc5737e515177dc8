#!/usr/bin/env python3
"""Counts Engine API calls: a Unix-socket proxy in front of the Docker socket.

    api_proxy.py LISTEN_SOCKET UPSTREAM_SOCKET LOG_FILE

Every byte is passed through unchanged in both directions; each HTTP request line a client
sends ("GET /v1.41/containers/json HTTP/1.1") is appended to LOG_FILE as "METHOD PATH", so the
calls a tool made are the lines the log grew by. Both dockerup (--remote unix://LISTEN_SOCKET)
and docker-compose (DOCKER_HOST=unix://LISTEN_SOCKET) reuse connections (keep-alive), so the
client stream is scanned line by line rather than counted per connection. Request bodies are
JSON without CRLF, so a body line never looks like a request line. Runs until killed.
"""
import os
import re
import socket
import sys
import threading

REQUEST_LINE = re.compile(rb"^(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS) (\S+) HTTP/1\.[01]$")
log_lock = threading.Lock()


def log_requests(log, chunk, pending):
    """Scans one chunk of the client stream; returns the unfinished last line (bounded)."""
    lines = (pending + chunk).split(b"\r\n")
    for line in lines[:-1]:
        match = REQUEST_LINE.match(line)
        if match:
            with log_lock:
                log.write(match.group(1).decode() + " " + match.group(2).decode() + "\n")
                log.flush()
    return lines[-1][-4096:]  # a request line is short; a long body line needs no keeping


def pump(source, sink, log=None):
    pending = b""
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            if log is not None:
                pending = log_requests(log, chunk, pending)
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        # Half-close so the other direction can still finish (a response after the request).
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(client, upstream_path, log):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(upstream_path)
    except OSError:
        client.close()
        return
    back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    back.start()
    pump(client, upstream, log)
    back.join()
    client.close()
    upstream.close()


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: api_proxy.py LISTEN_SOCKET UPSTREAM_SOCKET LOG_FILE")
    listen_path, upstream_path, log_path = sys.argv[1:]
    if os.path.exists(listen_path):
        os.unlink(listen_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(listen_path)
    server.listen(64)
    with open(log_path, "a", encoding="utf-8") as log:
        while True:
            client, _ = server.accept()
            threading.Thread(target=serve, args=(client, upstream_path, log), daemon=True).start()


if __name__ == "__main__":
    main()

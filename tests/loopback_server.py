"""What the python test servers (fleet_server.py, imds_emulator.py) share: a request handler
base and serving it on 127.0.0.1 with the port announced on stdout. Imported from the script's
own directory (python puts it first on sys.path)."""

import http.server
import sys


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """Speaks HTTP/1.1 (keep-alive, as the real services and libcurl do); logs each request on
    stderr only when `verbose`, prefixed with `log_prefix`, so a test's output stays readable."""

    protocol_version = "HTTP/1.1"
    log_prefix = "server"
    verbose = False

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        if self.verbose:
            sys.stderr.write(f"{self.log_prefix}: " + (format % args) + "\n")


def serve_on_loopback(port, handler):
    """Serves `handler` on 127.0.0.1:`port` (0: a free one) until interrupted. Prints
    "PORT <n>" first, flushed: that is how the starting test learns the port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True  # a hung request (the "timeout" modes) must not delay the exit
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass

#!/usr/bin/env python3
"""A small EC2 instance metadata service (IMDSv2) for dockerup's tests.

Listens on 127.0.0.1. PUT /latest/api/token (with X-aws-ec2-metadata-token-ttl-seconds) returns
a token; GET /latest/user-data needs it (401 without) and returns the file given on the command
line, re-read on every request so a test can change it between runs.

    imds_emulator.py --port 0 --user-data FILE [--no-user-data] [--imdsv1-only]
                     [--token-uses N] [--gzip] [--verbose]

--port 0 picks a free port; the chosen port is printed on stdout as "PORT <n>" (then flushed).
--no-user-data answers 404 for user-data (an instance launched without any).
--imdsv1-only: no token endpoint (404), user-data served without a token.
--token-uses N: a token is accepted N times, then refused with 401 (an expired token).
--gzip: serve the file gzip-compressed (when it is not already; a .gz file is served as is).
A missing user-data file also answers 404.

The instance role and identity (for fleet sources on S3), all optional:
    [--role NAME --access-key AK --secret-key SK [--session-token T] [--credentials-ttl S]]
    [--instance-id ID] [--region REGION]
--role serves NAME at /latest/meta-data/iam/security-credentials/ and the credentials document
at .../NAME (Code, AccessKeyId, SecretAccessKey, Token, Expiration = now + --credentials-ttl
seconds, default 21600, in UTC as "2026-12-01T16:00:00Z"). Without --role both answer 404.
--instance-id and --region fill /latest/dynamic/instance-identity/document (and
/latest/meta-data/instance-id); without either it answers 404.
--requests-log FILE appends "METHOD PATH STATUS" for every request, so a test counts how often
the credentials document was read.
"""

import argparse
import datetime
import gzip
import json
import secrets

from loopback_server import QuietHandler, serve_on_loopback

TOKEN_PATH = "/latest/api/token"
USER_DATA_PATH = "/latest/user-data"
ROLES_PATH = "/latest/meta-data/iam/security-credentials/"
IDENTITY_PATH = "/latest/dynamic/instance-identity/document"
INSTANCE_ID_PATH = "/latest/meta-data/instance-id"
TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"


def make_handler(options):
    tokens = {}  # token -> uses left (None: unlimited)

    class Handler(QuietHandler):
        log_prefix = "imds_emulator"
        verbose = options.verbose

        def answer(self, status, body=b"", content_type="text/plain"):
            if options.requests_log:
                with open(options.requests_log, "a") as log:
                    log.write(f"{self.command} {self.path} {status}\n")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def drain_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)

        def do_PUT(self):
            self.drain_body()
            if self.path != TOKEN_PATH or options.imdsv1_only:
                return self.answer(404, b"Not Found")
            ttl = self.headers.get(TTL_HEADER)
            if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return self.answer(400, b"Bad Request")
            token = secrets.token_urlsafe(24)
            tokens[token] = options.token_uses
            self.answer(200, token.encode())

        def token_accepted(self):
            if options.imdsv1_only:
                return True
            token = self.headers.get(TOKEN_HEADER)
            if token not in tokens:
                return False
            uses = tokens[token]
            if uses is not None:
                if uses <= 0:
                    return False
                tokens[token] = uses - 1
            return True

        def metadata(self):
            """(status, body) of the role and identity documents; None for other paths."""
            if self.path == ROLES_PATH:
                return (200, options.role.encode()) if options.role else (404, b"Not Found")
            if self.path.startswith(ROLES_PATH):
                if not options.role or self.path[len(ROLES_PATH):] != options.role:
                    return (404, b"Not Found")
                now = datetime.datetime.now(datetime.timezone.utc)
                expiry = now + datetime.timedelta(seconds=options.credentials_ttl)
                stamp = "%Y-%m-%dT%H:%M:%SZ"
                return (200, json.dumps({
                    "Code": "Success", "LastUpdated": now.strftime(stamp), "Type": "AWS-HMAC",
                    "AccessKeyId": options.access_key, "SecretAccessKey": options.secret_key,
                    "Token": options.session_token or "", "Expiration": expiry.strftime(stamp),
                }).encode())
            if self.path in (IDENTITY_PATH, INSTANCE_ID_PATH):
                if not (options.instance_id or options.region):
                    return (404, b"Not Found")
                if self.path == INSTANCE_ID_PATH:
                    return (200, (options.instance_id or "").encode())
                return (200, json.dumps({"instanceId": options.instance_id,
                                         "region": options.region}).encode())
            return None

        def do_GET(self):
            if not self.token_accepted():
                return self.answer(401, b"Unauthorized")
            metadata = self.metadata()
            if metadata:
                return self.answer(metadata[0], metadata[1])
            if self.path != USER_DATA_PATH or options.no_user_data:
                return self.answer(404, b"Not Found")
            try:
                with open(options.user_data, "rb") as f:
                    body = f.read()
            except FileNotFoundError:
                return self.answer(404, b"Not Found")
            if options.gzip and not body.startswith(b"\x1f\x8b"):
                body = gzip.compress(body)
            self.answer(200, body, "application/octet-stream")

    return Handler


def main():
    parser = argparse.ArgumentParser(description="IMDSv2 emulator for dockerup tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user-data", default="/dev/null")
    parser.add_argument("--no-user-data", action="store_true")
    parser.add_argument("--imdsv1-only", action="store_true")
    parser.add_argument("--token-uses", type=int, default=None)
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    parser.add_argument("--role")
    parser.add_argument("--access-key", default="")
    parser.add_argument("--secret-key", default="")
    parser.add_argument("--session-token")
    parser.add_argument("--credentials-ttl", type=int, default=21600)
    parser.add_argument("--instance-id")
    parser.add_argument("--region")
    parser.add_argument("--requests-log")
    options = parser.parse_args()

    serve_on_loopback(options.port, make_handler(options))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A fleet document server for dockerup's tests: plain HTTP on 127.0.0.1, optionally acting as
an S3 bucket that checks every request's AWS Signature V4 with botocore's own signer.

    fleet_server.py --port 0 --dir DIR [--s3 BUCKET --access-key AK --secret-key SK
                    [--session-token TOKEN]] [--verbose]

Everything a test controls lives in DIR and is re-read on every request:
  DIR/document  the document served at every path (S3 mode: at /BUCKET/<any key>); missing: 404
  DIR/mode      optional; "ok" (default), "500", "403", "404", "garbage" (200 with a body that is
                not JSON, fresh ETag), or "timeout" (answers nothing for 60 s)
The server appends one line per request to DIR/requests.log:
  "<method> <path> <status> inm=<If-None-Match or ->[ region=<region of the signature's scope>]
   [ ims=<If-Modified-Since>]"
so a test counts requests and 304s with grep.

ETag: a quoted hash of the document; If-None-Match equal to it answers 304 Not Modified with no
body. Last-Modified: the document's mtime (If-Modified-Since alone is not trusted: ETag rules).

S3 mode: the Authorization header must be an AWS4-HMAC-SHA256 signature of the request by the
given credentials (service s3, any region named in the credential scope), recomputed here with
botocore.auth.S3SigV4Auth from the headers the client signed; a session token, when given, must
be sent as X-Amz-Security-Token and be signed. Anything else answers 403 (SignatureDoesNotMatch,
InvalidAccessKeyId or AccessDenied) like S3 does. Requests outside /BUCKET/ answer 404.
"""

import argparse
import email.utils
import hashlib
import os
import re
import sys
import threading
import time

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from loopback_server import QuietHandler, serve_on_loopback

AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/s3/aws4_request,"
    r"\s*SignedHeaders=(?P<signed>[^,]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


def read_file(path, default=None):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return default


def s3_error(code, message):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>\n"
    ).encode()


def check_signature(options, handler):
    """None when the request is signed by the test credentials, else (code, message)."""
    match = AUTH_RE.match(handler.headers.get("Authorization", ""))
    if not match:
        return ("AccessDenied", "missing or malformed AWS4-HMAC-SHA256 Authorization")
    if match["key"] != options.access_key:
        return ("InvalidAccessKeyId", f"unknown access key {match['key']}")
    signed = match["signed"].split(";")
    for required in ["host", "x-amz-date"]:
        if required not in signed:
            return ("AccessDenied", f"{required} is not signed")
    if options.session_token:
        if "x-amz-security-token" not in signed:
            return ("AccessDenied", "x-amz-security-token is not signed")
        if handler.headers.get("X-Amz-Security-Token") != options.session_token:
            return ("InvalidToken", "wrong session token")
    amz_date = handler.headers.get("X-Amz-Date", "")
    if not amz_date.startswith(match["date"]):
        return ("AccessDenied", "credential scope date differs from X-Amz-Date")
    headers = {}
    for name in signed:
        value = handler.headers.get(name)
        if value is None:
            return ("AccessDenied", f"signed header {name} is missing")
        headers[name] = value
    request = AWSRequest(method=handler.command, url=f"http://{headers['host']}{handler.path}",
                         headers=headers, data=b"")
    request.context["timestamp"] = amz_date
    credentials = Credentials(options.access_key, options.secret_key, options.session_token)
    signer = S3SigV4Auth(credentials, "s3", match["region"])
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != match["signature"]:
        if options.verbose:
            sys.stderr.write("fleet_server: canonical request:\n" + canonical + "\n")
        return ("SignatureDoesNotMatch", "the request signature we calculated does not match")
    return None


def make_handler(options):
    log_lock = threading.Lock()

    class Handler(QuietHandler):
        log_prefix = "fleet_server"
        verbose = options.verbose

        def record(self, status):
            inm = self.headers.get("If-None-Match") or "-"
            signed = AUTH_RE.match(self.headers.get("Authorization", ""))
            region = f" region={signed['region']}" if signed else ""
            since = self.headers.get("If-Modified-Since")
            ims = f" ims={since}" if since else ""
            with log_lock, open(os.path.join(options.dir, "requests.log"), "a") as log:
                log.write(f"{self.command} {self.path} {status} inm={inm}{region}{ims}\n")

        def answer(self, status, body=b"", headers=None):
            self.record(status)
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - name fixed by the base class
            mode = (read_file(os.path.join(options.dir, "mode"), b"ok").decode().strip() or "ok")
            if mode == "timeout":
                self.record("timeout")
                time.sleep(60)
                return
            if mode in ("500", "403", "404"):
                return self.answer(int(mode), b"failing on purpose\n")
            if options.s3:
                if not self.path.startswith(f"/{options.s3}/") or "?" in self.path:
                    return self.answer(404, s3_error("NoSuchBucket", "no such bucket"))
                problem = check_signature(options, self)
                if problem:
                    return self.answer(403, s3_error(*problem))
            path = os.path.join(options.dir, "document")
            body = read_file(path)
            if mode == "garbage":
                body = b"<html>this is not JSON " + str(time.time()).encode() + b"</html>\n"
            if body is None:
                return self.answer(404, s3_error("NoSuchKey", "the key does not exist"))
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers = {"ETag": etag}
            if mode != "garbage":
                headers["Last-Modified"] = email.utils.formatdate(os.path.getmtime(path),
                                                                  usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                return self.answer(304, headers=headers)
            headers["Content-Type"] = "application/json"
            return self.answer(200, body, headers)

    return Handler


def main():
    parser = argparse.ArgumentParser(description="fleet document server for dockerup tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--s3", metavar="BUCKET")
    parser.add_argument("--access-key")
    parser.add_argument("--secret-key")
    parser.add_argument("--session-token")
    parser.add_argument("--verbose", action="store_true")
    options = parser.parse_args()
    if options.s3 and not (options.access_key and options.secret_key):
        parser.error("--s3 needs --access-key and --secret-key")

    serve_on_loopback(options.port, make_handler(options))


if __name__ == "__main__":
    main()

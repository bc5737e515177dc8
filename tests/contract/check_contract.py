#!/usr/bin/env python3
"""Contract tests: dockerup against the official Docker Engine API specifications.

For each OpenAPI (Swagger 2.0) document in SPECS_DIR (v1.41, v1.45, v1.52):
  requests   every POST /containers/create body dockerup builds from the example container
             files, and from generated ones holding every value form of every container-file
             field (each restart policy, network mode, volume kind and mode, port form), is
             valid against that version's body schema (types, enums, and no field the version
             does not define); together they set every container-file field and every member
             dockerup can send;
             the X-Registry-Auth payload is base64url-encoded JSON, a valid AuthConfig (or the
             documented identitytoken form)
  responses  answers built from that version's response schemas, with every property the
             version defines (so fields a version adds are there, and fields it dropped are
             not), and again with only the required ones and with null for nullable ones, are
             read by dockerup: the values it reads are the ones in the answer; so is the message of
             the error answers (ErrorResponse) of the calls it makes
Each check is one case; the last line is "[contract] test cases: N | P passed | F failed |
0 skipped", which scripts/test.sh adds to its total like doctest's.

  check_contract.py CONTRACT_TOOL SPECS_DIR EXAMPLES_DIR
"""

import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

import yaml

# Loader: the C one when built (fast), else the pure-Python one; both are safe loaders.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TESTED_API = "1.45"  # src/docker/api_version.hpp: newest_tested_api_version


class Spec:
    """One Engine API document: resolves $ref, merges allOf, finds operation schemas."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.load(f, Loader=LOADER)
        self.version = self.doc["info"]["version"]
        self.definitions = self.doc["definitions"]

    def resolve(self, schema):
        while "$ref" in schema:
            schema = self.definitions[schema["$ref"].split("/")[-1]]
        return schema

    def merged(self, schema):
        """The schema with allOf folded in: properties and required of every part."""
        schema = self.resolve(schema)
        if "allOf" not in schema:
            return schema
        result = {k: v for k, v in schema.items() if k != "allOf"}
        properties = dict(result.get("properties", {}))
        required = list(result.get("required", []))
        for part in schema["allOf"]:
            part = self.merged(part)
            properties.update(part.get("properties", {}))
            required += part.get("required", [])
            for key in ("type", "enum", "additionalProperties", "items", "x-nullable"):
                if key in part:
                    result.setdefault(key, part[key])
        if properties:
            result["properties"] = properties
            result.setdefault("type", "object")
        result["required"] = required
        return result

    def response(self, path, method, status):
        responses = self.doc["paths"][path][method]["responses"]
        return (responses.get(status) or responses[int(status)])["schema"]

    def body(self, path, method):
        for parameter in self.doc["paths"][path][method]["parameters"]:
            if parameter["in"] == "body":
                return parameter["schema"]
        raise KeyError(f"{method} {path} has no body")


# ---------------------------------------------------------------------------------------------
# Validation (the subset of JSON Schema the Engine API documents use)

TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def validate(spec, schema, value, where, errors):
    """Appends "where: problem" for each way `value` breaks `schema`. Strict: a member the
    schema does not define is an error unless additionalProperties allows it."""
    schema = spec.merged(schema)
    if value is None:
        if not schema.get("x-nullable"):
            errors.append(f"{where}: null, but the field is not nullable")
        return
    kind = schema.get("type")
    if kind is None and "properties" in schema:
        kind = "object"
    if kind in TYPES and not TYPES[kind](value):
        errors.append(f"{where}: expected {kind}, got {json.dumps(value)[:60]}")
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {json.dumps(value)} is not one of {schema['enum']}")
    if kind == "integer":
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} is above the maximum {schema['maximum']}")
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            validate(spec, schema["items"], item, f"{where}[{i}]", errors)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, member in value.items():
            if key in properties:
                validate(spec, properties[key], member, f"{where}.{key}", errors)
            elif isinstance(extra, dict):
                validate(spec, extra, member, f"{where}.{key}", errors)
            elif extra is not True:
                errors.append(f"{where}.{key}: not defined in API {spec.version}")


# ---------------------------------------------------------------------------------------------
# Answers built from a schema

def build(spec, schema, mode, path="$", overrides=None, depth=0):
    """A value of `schema`. mode "full": every property; "required": only required ones;
    "nulls": every property, null where nullable. `overrides` maps JSON paths ("$[0].State")
    to fixed values: the ones dockerup must read back."""
    overrides = overrides or {}
    if path in overrides:
        return copy.deepcopy(overrides[path])
    schema = spec.merged(schema)
    overridden_below = any(key.startswith((path + ".", path + "[")) for key in overrides)
    if mode == "nulls" and schema.get("x-nullable") and depth > 0 and not overridden_below:
        return None
    kind = schema.get("type") or ("object" if "properties" in schema else "string")
    if depth > 12:
        return {} if kind == "object" else [] if kind == "array" else None
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        result = {}
        required = set(schema.get("required", []))
        for key, member in schema.get("properties", {}).items():
            if mode == "required" and key not in required and f"{path}.{key}" not in overrides:
                continue
            result[key] = build(spec, member, mode, f"{path}.{key}", overrides, depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and not result and mode != "required":
            result["key"] = build(spec, extra, mode, f"{path}.key", overrides, depth + 1)
        return result
    if kind == "array":
        if mode == "required":
            return []
        return [build(spec, schema.get("items", {}), mode, f"{path}[0]", overrides, depth + 1)]
    return {"string": "text", "integer": 7, "number": 1.5, "boolean": True}.get(kind, "text")


HEX = "0123456789abcdef" * 4
ID = HEX
IMAGE_ID = "sha256:" + "b" * 64
DIGEST = "sha256:" + "c" * 64
VOLUME = "d" * 64
LABELS = {"io.dockerup.managed": "true", "io.dockerup.name": "web"}


NETWORK_OWNER = "e" * 64


def container_list_case():
    # What a container depends on, as the list shows it: HostConfig.NetworkMode "container:X",
    # and a legacy link as an extra name "/USER/ALIAS" of its target (here web links to itself,
    # as the generated list has one container).
    overrides = {
        "$[0].Id": ID, "$[0].Names": ["/web", "/web/self"], "$[0].Image": "registry.local:5000/web:1",
        "$[0].ImageID": IMAGE_ID, "$[0].Labels": LABELS, "$[0].State": "exited",
        "$[0].Status": "Exited (137) 5 seconds ago", "$[0].Created": 1700000000,
        "$[0].HostConfig.NetworkMode": "container:" + NETWORK_OWNER,
    }
    expected = [{
        "id": ID, "name": "web", "image": "registry.local:5000/web:1", "image_id": IMAGE_ID,
        "labels": LABELS, "state": "exited", "status": "Exited (137) 5 seconds ago",
        "exit_code": 137, "created": 1700000000, "uses": [NETWORK_OWNER, ID],
    }]
    return ("/containers/json", "get", "200"), "containers", overrides, expected


def inspect_case():
    overrides = {
        "$.Id": ID, "$.Name": "/web", "$.Image": IMAGE_ID, "$.RestartCount": 2,
        "$.State.Running": True, "$.State.Restarting": False, "$.State.ExitCode": 0,
        "$.State.StartedAt": "2026-01-02T03:04:05.123456789Z", "$.State.Error": "",
        "$.State.Health": {"Status": "healthy", "FailingStreak": 0, "Log": []},
        "$.State.Status": "running", "$.Config.Labels": LABELS,
        "$.Mounts": [{"Type": "volume", "Name": VOLUME, "Source": "/v", "Destination": "/cache",
                      "Driver": "local", "Mode": "", "RW": True, "Propagation": ""}],
    }
    expected = {
        "id": ID, "name": "web", "image_id": IMAGE_ID, "running": True, "restarting": False,
        "exit_code": 0, "restart_count": 2, "health": "healthy",
        "started_at": "2026-01-02T03:04:05.123456789Z", "error": "", "labels": LABELS,
        "anonymous_volumes": [VOLUME],
    }
    return ("/containers/{id}/json", "get", "200"), "inspect", overrides, expected


def images_case():
    overrides = {
        "$[0].Id": IMAGE_ID, "$[0].RepoTags": ["registry.local:5000/web:1"],
        "$[0].RepoDigests": ["registry.local:5000/web@" + DIGEST], "$[0].Size": 4321,
        "$[0].Created": 1700000000, "$[0].Labels": {"org.example": "yes"},
    }
    expected = [{
        "id": IMAGE_ID, "tags": ["registry.local:5000/web:1"],
        "digests": ["registry.local:5000/web@" + DIGEST], "size": 4321, "created": 1700000000,
        "labels": {"org.example": "yes"},
    }]
    return ("/images/json", "get", "200"), "images", overrides, expected


def distribution_case():
    overrides = {"$.Descriptor.digest": DIGEST}
    return (("/distribution/{name}/json", "get", "200"), "distribution", overrides,
            {"digest": DIGEST})


MIN_API = {"1.41": "1.12", "1.45": "1.24", "1.52": "1.44"}


def version_case(spec):
    api = spec.version
    overrides = {"$.ApiVersion": api, "$.MinAPIVersion": MIN_API.get(api, "1.24"),
                 "$.Version": "engine-" + api, "$.Components": [
                     {"Name": "Engine", "Version": "engine-" + api, "Details": {}}]}
    negotiated = api if float(api) < float(TESTED_API) else TESTED_API
    expected = {"version": "engine-" + api, "api_version": api,
                "min_api_version": MIN_API.get(api, "1.24"), "podman": False,
                "negotiated": negotiated}
    return ("/version", "get", "200"), "version", overrides, expected


def created_case():
    return (("/containers/create", "post", "201"), "created",
            {"$.Id": ID, "$.Warnings": []}, {"id": ID})


# ---------------------------------------------------------------------------------------------
# Runner

class Cases:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for problem in problems[:20]:
                print(f"    {problem}")
        else:
            self.passed += 1
            print(f"ok   {name}")


def run_tool(tool, args, stdin=None):
    result = subprocess.run([tool] + args, input=stdin, capture_output=True, text=True,
                            timeout=60, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"contract_tool {' '.join(args)}: exit {result.returncode}: "
                           f"{result.stderr.strip()}")
    return result.stdout


def parse_with_dockerup(tool, kind, answer):
    return json.loads(run_tool(tool, ["parse", kind], json.dumps(answer)))


def differences(expected, actual, where="$"):
    if isinstance(expected, dict) and isinstance(actual, dict):
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: not read")
            else:
                problems += differences(value, actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        problems = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            problems += differences(e, a, f"{where}[{i}]")
        return problems
    return [] if expected == actual else [f"{where}: expected {expected!r}, read {actual!r}"]


def defined(spec, schema, path):
    """Whether the JSON path ("$[0].State.Health") names a member the schema defines."""
    import re
    for part in re.findall(r"\.([A-Za-z]+)|\[\d+\]", path):
        schema = spec.merged(schema)
        if part == "":  # an array index
            schema = schema.get("items")
        else:
            schema = schema.get("properties", {}).get(part)
        if schema is None:
            return False
    return True


def check_read_fields_defined(cases, spec, make):
    """Every member dockerup reads is defined by this version: none was dropped under it."""
    (path, method, status), kind, overrides, _ = make()
    schema = spec.response(path, method, status)
    missing = [key for key in overrides if not defined(spec, schema, key)]
    cases.check(f"API {spec.version}: every member dockerup reads from {method.upper()} {path} "
                f"is defined", [f"{key} is not in API {spec.version}" for key in missing])


def check_responses(cases, spec, tool):
    for make in (container_list_case, inspect_case, images_case, distribution_case,
                 lambda: version_case(spec), created_case):
        (path, method, status), kind, overrides, expected = make()
        schema = spec.response(path, method, status)
        check_read_fields_defined(cases, spec, make)
        for mode in ("full", "nulls", "required"):
            answer = build(spec, schema, mode, overrides=overrides if mode != "required" else {})
            name = f"API {spec.version}: {method.upper()} {path} answer ({mode} fields) is read"
            problems = []
            if mode != "required":
                validate(spec, schema, answer, "answer", problems)  # the test's own answer is valid
            result = parse_with_dockerup(tool, kind, answer)
            if mode == "required":
                # Only what the version guarantees: dockerup reads it without failing, except
                # where it needs a member the version makes optional (then it must say so).
                if "parse_failure" in result and kind not in ("created", "version"):
                    problems.append(f"dockerup failed on a minimal answer: {result['parse_failure']}")
            elif "parse_failure" in result:
                problems.append(f"dockerup failed: {result['parse_failure']}")
            else:
                problems += differences(expected, result)
            cases.check(name, problems)


def pull_stream_lines(spec):
    """Progress and error lines built from CreateImageInfo (what /images/create streams)."""
    info = spec.definitions.get("CreateImageInfo")
    if info is None:
        return None
    progress = build(spec, info, "full", overrides={
        "$.status": "Downloading", "$.id": "abc", "$.progress": "[==>   ] 1MB/3MB",
        "$.progressDetail": {"current": 1, "total": 3}})
    progress.pop("error", None)
    progress.pop("errorDetail", None)
    failure = build(spec, info, "full", overrides={
        "$.errorDetail": {"code": 1, "message": "manifest for web:9 not found"},
        "$.error": "manifest for web:9 not found"})
    for key in ("status", "progress", "progressDetail", "id"):
        failure.pop(key, None)
    return progress, failure


# The error answers of the calls dockerup makes: their message is what it reports (and what
# decides "the registry refused" or "already gone").
ERROR_ANSWERS = [
    ("/containers/create", "post", "409"), ("/containers/create", "post", "404"),
    ("/containers/{id}/start", "post", "500"), ("/distribution/{name}/json", "get", "401"),
    ("/images/create", "post", "404"), ("/images/{name}", "delete", "409"),
]


def check_error_answers(cases, spec, tool):
    problems = []
    message = "conflict: the name \"/web\" is already in use"
    for path, method, status in ERROR_ANSWERS:
        schema = spec.response(path, method, status)
        for mode in ("full", "required"):
            answer = build(spec, schema, mode, overrides={"$.message": message})
            result = parse_with_dockerup(tool, "error", answer)
            if result.get("message") != message:
                problems.append(f"{method.upper()} {path} {status} ({mode}): read {result}")
    cases.check(f"API {spec.version}: error answers (ErrorResponse) give their message", problems)


def check_pull_stream(cases, spec, tool):
    lines = pull_stream_lines(spec)
    name = f"API {spec.version}: POST /images/create stream with progressDetail and errorDetail"
    if lines is None:
        cases.check(name, [f"API {spec.version} has no CreateImageInfo definition"])
        return
    progress, failure = lines
    problems = []
    for line in (progress, failure):
        validate(spec, spec.definitions["CreateImageInfo"], line, "line", problems)
    stream_ok = "\n".join(json.dumps(progress) for _ in range(3)) + "\n"
    stream_bad = stream_ok + json.dumps(failure) + "\n"
    ok = json.loads(run_tool(tool, ["parse", "pull-stream"], stream_ok))
    bad = json.loads(run_tool(tool, ["parse", "pull-stream"], stream_bad))
    if ok.get("stream_error"):
        problems.append(f"progress lines read as an error: {ok}")
    if bad.get("stream_error") != "manifest for web:9 not found":
        problems.append(f"errorDetail not read: {bad}")
    # Only errorDetail, as newer engines may send it (the top-level "error" is deprecated).
    detail_only = {k: v for k, v in failure.items() if k != "error"}
    alone = json.loads(run_tool(tool, ["parse", "pull-stream"], json.dumps(detail_only)))
    if alone.get("stream_error") != "manifest for web:9 not found":
        problems.append(f"errorDetail without error not read: {alone}")
    cases.check(name, problems)


# Every field of a container file (src/spec/spec_object.cpp), and container files holding every
# value form of each, beside the examples: each value dockerup turns into a create body member
# is checked against every version (restart "no" and "unless-stopped" are enum values too).
SPEC_FIELDS = [
    "type", "name", "image", "cpu", "memory", "entrypoint", "command", "privileged", "network",
    "volumes", "portMappings", "env", "restart", "update", "links", "signal", "labels",
]
VARIANTS = {
    "everything": {
        "cpu": 256, "memory": "512m", "entrypoint": "/bin/sh -c", "command": ["run", "--fast"],
        "privileged": True, "env": {"MODE": "all", "EMPTY": ""}, "restart": "unless-stopped",
        "update": {"pull": False, "eager": True, "rolling": True}, "links": {"db": "database"},
        "signal": "SIGTERM", "labels": {"com.example.team": "ops"},
        "volumes": [{"containerPath": "/a", "hostPath": "/srv/a", "mode": "ro"},
                    {"containerPath": "/b", "hostPath": "/srv/b", "mode": "rw"},
                    {"containerPath": "/c"}, {"from": "cache"}],
        "portMappings": [{"containerPort": 80},
                         {"containerPort": 53, "hostPort": 5353, "protocol": "udp",
                          "hostIp": "127.0.0.1"},
                         {"containerPort": 443, "hostPort": 8443, "protocol": "tcp"}],
    },
    **{f"restart-{value}": {"restart": value}
       for value in ("always", "on-failure", "no", "never", "unless-stopped")},
    **{f"network-{i}": {"network": value}
       for i, value in enumerate(("bridge", "none", "host", "container:db", "backend"))},
}


def write_variants(directory):
    """Writes each VARIANTS entry as a container file; returns their paths."""
    paths = []
    for name, fields in VARIANTS.items():
        path = os.path.join(directory, f"{name}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"type": "docker", "name": name, "image": "example/app:1", **fields}, f)
        paths.append(path)
    return paths


def check_spec_fields_covered(cases, bodies):
    used = set()
    for entry in bodies:
        used |= set(entry.get("fields", []))
    cases.check("the container files checked set every container-file field",
                [f"no file sets {field}" for field in SPEC_FIELDS if field not in used])


# Every member make_create_body can write (src/docker/create_body.cpp); the examples together
# must use all of them, so each one is checked against every version.
CREATE_FIELDS = [
    "Image", "Entrypoint", "Cmd", "Env", "Labels", "ExposedPorts", "StopSignal", "Volumes",
    "HostConfig.CpuShares", "HostConfig.Memory", "HostConfig.Privileged",
    "HostConfig.NetworkMode", "HostConfig.Binds", "HostConfig.VolumesFrom",
    "HostConfig.PortBindings", "HostConfig.RestartPolicy", "HostConfig.Links",
]


def used_fields(body):
    fields = set()
    for key, value in body.items():
        if value in ({}, []) and key not in ("Labels",):
            continue  # an empty member says nothing about the field's format
        fields.add(key)
        if key == "HostConfig":
            fields |= {f"HostConfig.{k}" for k, v in value.items() if v not in ({}, [])}
    return fields


def check_requests(cases, spec, tool, bodies):
    schema = spec.body("/containers/create", "post")
    covered = set()
    for entry in bodies:
        source = os.path.relpath(entry["source"])
        if source.startswith(".."):
            source = "generated " + os.path.basename(entry["source"])
        problems = []
        if "body" not in entry:
            problems.append(f"the example does not parse: {entry.get('errors')}")
        else:
            validate(spec, schema, entry["body"], "body", problems)
            covered |= used_fields(entry["body"])
        cases.check(f"API {spec.version}: create body of {source} is valid", problems)
    # The checker itself must catch mistakes, or every case above passes for nothing.
    if bodies and "body" in bodies[0]:
        wrong = copy.deepcopy(bodies[0]["body"])
        wrong["Bogus"] = 1
        wrong.setdefault("HostConfig", {})["RestartPolicy"] = {"Name": "sometimes"}
        wrong["Env"] = "A=1"
        problems = []
        validate(spec, schema, wrong, "body", problems)
        expected = ["body.Bogus: not defined", "body.HostConfig.RestartPolicy.Name:",
                    "body.Env: expected array"]
        cases.check(f"API {spec.version}: a wrong create body is caught",
                    [f"not caught: {e}" for e in expected
                     if not any(p.startswith(e) for p in problems)])
    missing = [field for field in CREATE_FIELDS if field not in covered]
    cases.check(f"API {spec.version}: the examples use every create field dockerup sends",
                [f"no example sets {field}" for field in missing])


def decode_auth(value):
    import base64
    value = value.strip()
    problems = [] if all(c not in value for c in "+/") else ["not base64url: has + or /"]
    payload = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    return payload, problems


def check_registry_auth(cases, spec, tool):
    """X-Registry-Auth: a base64url-encoded AuthConfig, or {"identitytoken": ...} as the
    Authentication section of the document describes it (AuthConfig does not list it)."""
    schema = {"$ref": "#/definitions/AuthConfig"}
    problems = []
    plain, encoding = decode_auth(run_tool(tool, ["registry-auth", "deploy", "s3cr+t/?", "",
                                                  "registry.local:5000", ""]))
    problems += encoding
    validate(spec, schema, plain, "auth", problems)
    if plain != {"username": "deploy", "password": "s3cr+t/?", "serveraddress": "registry.local:5000"}:
        problems.append(f"unexpected payload {plain}")
    token, encoding = decode_auth(run_tool(tool, ["registry-auth", "", "", "", "registry.local:5000",
                                                  "tok"]))
    problems += encoding
    if token != {"identitytoken": "tok", "serveraddress": "registry.local:5000"}:
        problems.append(f"unexpected token payload {token}")
    if "identitytoken" not in spec.doc["info"]["description"]:
        problems.append("the Authentication section does not document identitytoken")
    cases.check(f"API {spec.version}: X-Registry-Auth payloads are valid", problems)
    # email: AuthConfig dropped it in 1.52; dockerup sends it only when configured, and never
    # speaks a version above the newest tested one, where it is still defined.
    with_email, _ = decode_auth(run_tool(tool, ["registry-auth", "deploy", "pw", "ops@example.com",
                                                "registry.local:5000", ""]))
    problems = []
    validate(spec, schema, with_email, "auth", problems)
    if float(spec.version) > float(TESTED_API):
        problems = [] if problems else [f"API {spec.version} defines email again: drop this case"]
    cases.check(f"API {spec.version}: X-Registry-Auth with email is valid where dockerup may "
                f"speak it", problems)


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    tool, specs_dir, examples_dir = sys.argv[1:]
    files = sorted(glob.glob(os.path.join(examples_dir, "*.json")) +
                   glob.glob(os.path.join(examples_dir, "demo", "*.json")))
    with tempfile.TemporaryDirectory() as variants_dir:
        files += write_variants(variants_dir)
        bodies = [json.loads(line)
                  for line in run_tool(tool, ["create-bodies"] + files).splitlines()]
        for body, path in zip(bodies, files):
            with open(path, encoding="utf-8") as f:
                body["fields"] = sorted(json.load(f))
    cases = Cases()
    specs = sorted(glob.glob(os.path.join(specs_dir, "v*.yaml")))
    cases.check("the three Engine API documents are present",
                [] if len(specs) >= 3 else [f"found {specs}"])
    check_spec_fields_covered(cases, bodies)
    for path in specs:
        spec = Spec(path)
        check_requests(cases, spec, tool, bodies)
        check_responses(cases, spec, tool)
        check_pull_stream(cases, spec, tool)
        check_error_answers(cases, spec, tool)
        check_registry_auth(cases, spec, tool)
    total = cases.passed + cases.failed
    print(f"[contract] test cases: {total} | {cases.passed} passed | {cases.failed} failed | "
          f"0 skipped")
    return 0 if cases.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Times Lambda cold starts against a fake Lambda Runtime API (tests/cold-start.sh runs it).

For each function: a loopback HTTP server implements the runtime API's `next`, `response` and
`error` routes; the function's bootstrap is spawned with the environment Lambda and the template
give it (the AWS endpoints pointed at the emulators), and the script records, on one monotonic
clock, the spawn, the first `GET /2018-06-01/runtime/invocation/next`, and the response to the one
invocation handed out, then kills the process. One unmeasured start first (it creates the table,
and brings the binary into the page cache), one under `strace -f -e trace=connect` (what the
function connects to before its first poll), then the measured starts. Writes a Markdown section.

Runs in the moto venv's Python (tests/emulators/install.sh): boto3 to store the JWT secret in
moto's SSM, PyYAML to read the template.
"""

import argparse
import base64
import copy
import hashlib
import hmac
import http.server
import json
import math
import os
import pathlib
import re
import signal
import statistics
import subprocess
import threading
import time
import uuid

import boto3
import yaml

WORKSPACE = "ws_demo"
ISSUER, AUDIENCE = "analytics-cold-start", "analytics-api"
SECRET = "cold-start-secret-of-at-least-32-bytes!"
TABLE = "analytics-cold-start"
REGION = "us-east-1"
WHY = {
    "SSM": "SSM `GetParameter` of `JWT_SECRET_PARAMETER`, the token secret, read once at start",
    "DynamoDB": "DynamoDB (none of the functions should reach the table before its first request)",
}


class Invocations:
    """The runtime API's state for one start: the event to hand out and the instants seen."""

    def __init__(self, event):
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.release = threading.Event()
        self.event = event
        self.request_id = str(uuid.uuid4())
        self.first_poll = None
        self.response = None
        self.response_body = None
        self.error = None
        self.handed_out = False

    def finish(self, **fields):
        with self.lock:
            for name, value in fields.items():
                setattr(self, name, value)
        self.done.set()


def runtime_api(state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass


        def reply(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self):
            now = time.perf_counter_ns()
            if self.path != "/2018-06-01/runtime/invocation/next":
                return self.reply(404)
            with state.lock:
                if state.first_poll is None:
                    state.first_poll = now
                first = not state.handed_out
                state.handed_out = True
                release = state.release
            if not first:
                release.wait()  # as Lambda freezes the process until the next invocation
                return
            deadline = int(time.time() * 1000) + 10_000
            self.reply(200, json.dumps(state.event).encode(), [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", state.request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:cold-start"),
                ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
            ])

        def do_POST(self):
            now = time.perf_counter_ns()
            body = self.body()
            self.reply(202, b'{"status":"OK"}', [("Content-Type", "application/json")])
            if self.path.endswith("/response"):
                state.finish(response=now, response_body=body)
            else:  # /invocation/{id}/error or /init/error
                state.finish(error=f"{self.path}: {body.decode(errors='replace')}")

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # a killed process's connection breaks mid-request: that is how each start ends

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def template_functions(template_path):
    """Each function of the template by its crate's folder name: its resource and its events."""

    def tagged(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return {suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node, deep=True)}
        return {suffix: loader.construct_mapping(node, deep=True)}

    yaml.SafeLoader.add_multi_constructor("!", tagged)
    template = yaml.safe_load(pathlib.Path(template_path).read_text())
    functions = {}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            functions[pathlib.Path(resource["Properties"]["CodeUri"]).name] = resource["Properties"]
    return template, functions


def environment(template, properties):
    """The template's variables for a function, each reference resolved as a deployment would."""
    defaults = {"JwtIssuer": ISSUER, "JwtAudience": AUDIENCE, "AnalyticsTable": TABLE}
    for name, parameter in template["Parameters"].items():
        if "Default" in parameter:
            defaults.setdefault(name, str(parameter["Default"]))
    globals_ = template["Globals"]["Function"]
    variables = dict(globals_["Environment"]["Variables"])
    variables.update(properties.get("Environment", {}).get("Variables", {}))
    # What Lambda itself sets from the function's configuration.
    variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = properties.get("MemorySize", globals_["MemorySize"])
    resolved = {}
    for name, value in variables.items():
        if isinstance(value, dict):
            reference = value.get("Ref")
            if reference not in defaults:
                raise SystemExit(f"cold start: no stand-in for {name}: {value}")
            value = defaults[reference]
        resolved[name] = str(value)
    return resolved


def token(role):
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"sub": "cold-start", "ws": WORKSPACE, "role": role, "iss": ISSUER, "aud": AUDIENCE,
              "exp": int(time.time()) + 3600}
    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}"
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def payload(events_dir, properties):
    """A sample payload of events/ that fits the function's first trigger in the template."""
    trigger = next(iter(properties["Events"].values()))
    if trigger["Type"] == "HttpApi":
        route = f"{trigger['Properties']['Method']} {trigger['Properties']['Path']}"
        for path in sorted(pathlib.Path(events_dir, "http").glob("*.json")):
            event = json.loads(path.read_text())
            if event.get("routeKey") == route:
                return path, event
        raise SystemExit(f"cold start: no payload in {events_dir}/http with routeKey {route}")
    if trigger["Type"] == "Schedule":
        path = sorted(pathlib.Path(events_dir, "schedule").glob("*.json"))[0]
        return path, json.loads(path.read_text())
    raise SystemExit(f"cold start: no sample payload for a {trigger['Type']} trigger")


def fresh(event, start):
    """The event for one start: a valid token, and ingested events that are new and recent."""
    event = copy.deepcopy(event)
    if "headers" in event:
        event["headers"]["authorization"] = f"Bearer {token('admin')}"
    body = event.get("body")
    if body and '"events"' in body:
        batch = json.loads(body)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5))
        for item in batch["events"]:
            item["id"] = f"{item['id']}-{start}"
            item["occurred_at"] = now
        event["body"] = json.dumps(batch)
        event["headers"]["content-length"] = str(len(event["body"]))
    return event


class Starter:
    def __init__(self, logs):
        self.logs = logs
        self.port = None  # the last start's runtime API

    def start(self, name, binary, env, event, wrapper=()):
        """Spawns the bootstrap; returns (ms to first poll, ms to response, response). Each start
        has a runtime API of its own: a request the previous process sent just before it was killed
        cannot take this one's invocation."""
        state = Invocations(event)
        server = runtime_api(state)
        self.port = server.server_address[1]
        lambda_env = {
            "PATH": "/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(pathlib.Path(binary).parent), "_HANDLER": "bootstrap",
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{self.port}",
            "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}", "AWS_LAMBDA_LOG_STREAM_NAME": "cold-start",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "test",
            # Lambda gives region and credentials in the environment, so the SDK never asks the
            # instance metadata service; this keeps a regression from sending traffic off the machine.
            "AWS_EC2_METADATA_DISABLED": "true",
            **env,
        }
        with open(self.logs / f"{name}.log", "ab") as log:
            spawned = time.perf_counter_ns()
            # Its own process group, so that a kill reaches the bootstrap under strace too.
            process = subprocess.Popen([*wrapper, binary], env=lambda_env, stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=log, start_new_session=True)
            deadline = time.monotonic() + 30
            while not state.done.wait(0.05) and process.poll() is None and time.monotonic() < deadline:
                pass
            exited = process.poll()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # already gone
            state.release.set()
            process.wait()
        server.shutdown()
        server.server_close()
        if not state.done.is_set():
            why = f"exited with {exited}" if exited is not None else "gave no response within 30 s"
            raise SystemExit(f"cold start: {name} {why} (see {self.logs}/{name}.log)")
        if state.error:
            raise SystemExit(f"cold start: {name} reported an error: {state.error}")
        response = json.loads(state.response_body or b"null")
        return ((state.first_poll - spawned) / 1e6, (state.response - spawned) / 1e6, response)


def connections(trace, ports):
    """The connect() calls of a strace log before the first one to the runtime API, by name."""
    seen = []
    for line in pathlib.Path(trace).read_text().splitlines():
        if "connect(" not in line:
            continue
        port = re.search(r"htons\((\d+)\)", line)
        where = ports.get(int(port.group(1)), f"port {port.group(1)}") if port else line.split("connect(", 1)[1][:80]
        if where == "runtime API":
            return seen
        seen.append(where)
    return seen


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def outcome(response):
    if isinstance(response, dict) and "statusCode" in response:
        return f"HTTP {response['statusCode']}"
    if isinstance(response, dict):
        return "returned " + ", ".join(f"{key} {json.dumps(value)}" for key, value in response.items())
    return f"returned {json.dumps(response)}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--template", default="infra/template.yaml")
    parser.add_argument("--events", default="events")
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--logs", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("functions", nargs="+")
    args = parser.parse_args()

    dynamodb, moto = os.environ["DYNAMODB_ENDPOINT"], os.environ["MOTO_ENDPOINT"]
    logs = pathlib.Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    template, resources = template_functions(args.template)
    starter = Starter(logs)
    ports = {int(dynamodb.rsplit(":", 1)[1]): "DynamoDB", int(moto.rsplit(":", 1)[1]): "SSM"}
    endpoints = {"AWS_ENDPOINT_URL_DYNAMODB": dynamodb, "AWS_ENDPOINT_URL_SSM": moto}

    plans = []
    for name in args.functions:
        if name not in resources:
            raise SystemExit(f"cold start: functions/{name} has no function in {args.template}")
        env = {**environment(template, resources[name]), **endpoints}
        if "JWT_SECRET_PARAMETER" in env:
            boto3.client("ssm", endpoint_url=moto, region_name=REGION, aws_access_key_id="test",
                         aws_secret_access_key="test").put_parameter(
                Name=env["JWT_SECRET_PARAMETER"], Value=SECRET, Type="SecureString", Overwrite=True)
        event_path, event = payload(args.events, resources[name])
        binary = str(pathlib.Path(args.bin_dir, name))
        plans.append((name, binary, env, event_path, event))

    # Unmeasured first starts, every function before any is measured: the table is created, the
    # stats function finds the campaign the ingest function stored, each binary is in the page cache.
    for name, binary, env, _, event in plans:
        starter.start(name, binary, {**env, "DYNAMODB_CREATE_TABLE": "1"}, fresh(event, "warm-up"))

    rows, before_poll = [], []
    for name, binary, env, event_path, event in plans:
        trace = logs / f"{name}.strace"
        starter.start(name, binary, env, fresh(event, "strace"),
                      ["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace)])
        before_poll.append((name, connections(trace, {**ports, starter.port: "runtime API"})))
        variants = [("as deployed", env)]
        if "SSM" in before_poll[-1][1]:
            inline = {key: value for key, value in env.items() if key != "JWT_SECRET_PARAMETER"}
            variants.append(("secret inline, no SSM read", {**inline, "JWT_SECRET": SECRET}))
        for variant, variant_env in variants:
            polls, responses, outcomes = [], [], set()
            for start in range(args.starts):
                poll, response, answer = starter.start(name, binary, variant_env, fresh(event, f"{variant[:2]}{start}"))
                polls.append(poll)
                responses.append(response)
                outcomes.add(outcome(answer))
            rows.append((name, variant, os.path.getsize(binary), event_path, polls, responses, sorted(outcomes)))

    with open(args.out, "w") as out:
        out.write("| function | start | bootstrap (bytes) | first poll p50 | p90 | first response p50 | p90 | "
                  "invocation (payload: answer) | target: poll ≤ 30 ms |\n")
        out.write("|---|---|---|---|---|---|---|---|---|\n")
        for name, variant, size, event_path, polls, responses, outcomes in rows:
            p50 = statistics.median(polls)
            out.write(f"| {name} | {variant} | {size} | {p50:.1f} ms | {percentile(polls, 0.9):.1f} ms | "
                      f"{statistics.median(responses):.1f} ms | {percentile(responses, 0.9):.1f} ms | "
                      f"`{event_path}`: {', '.join(outcomes)} | {'met' if p50 <= 30 else 'MISSED'} |\n")
        out.write("\nConnections each function opens before its first poll (`strace -f -e trace=connect`, "
                  "as deployed):\n\n")
        for name, seen in before_poll:
            counted = {where: seen.count(where) for where in seen}
            listed = "; ".join(f"{WHY.get(where, where)} ({count} connection{'s' * (count > 1)})"
                               for where, count in counted.items())
            out.write(f"- {name}: {listed or 'none'}\n")


if __name__ == "__main__":
    main()

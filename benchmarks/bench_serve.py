"""Requests per second and latency of `iamtwin serve`, driven from a separate load process on loopback.

    python benchmarks/bench_serve.py [--db URL] [--workers 2] [--load wrk|python] [--connections 16]
                                     [--seconds 5] [--max-requests 200000] [--batch 20]

Sets up scenario 11 in the world (a `pet-veterinarian` policy, an authorizer whose OIDC issuer runs
in this process), starts `iamtwin serve --workers N` as a child process, then drives it from a load
process bounded in time (`--seconds`) and in count (`--max-requests`): `POST /v1/authorize` with a
bearer token, then `sts:GetCallerIdentity` with a SigV4 signature made once (a signature stays valid
for 15 minutes, so replaying it is what a busy client costs the server), then, as a second figure,
`POST /v1/authorize/batch` with `--batch` calls per request. Prints requests/s, p50 and p99 latency
per endpoint, against the goal of 5,000 authorize decisions/s with p99 under 10 ms, and how many
audit events the server wrote per second meanwhile (each authorize decision is one event at the
default `--audit-allow-sampling 1`; the figure counts until the trail stops growing after the load). PostgreSQL is
the backend for several workers (`--db postgresql://…` naming an EMPTY database); SQLite runs one
worker.

The load process is `wrk` (a compiled HTTP benchmarking tool; Debian/Ubuntu: `apt-get install wrk`)
when it is on PATH, with a Lua script that sets the method, headers and body, stops each thread
after its share of `--max-requests` and prints the figures as JSON. Without wrk (or with `--load
python`) it is `--clients` Python processes with keep-alive httpx clients, which cost more CPU than
the server they measure on a small machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from iamtwin.api.bootstrap import bootstrap_credentials
from iamtwin.audit.store import AuditStore
from iamtwin.world.stored import World

ACCOUNT = "123456789012"
GOAL_RPS, GOAL_P99_MS = 5000, 10.0
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:*:*:*/*/*/petstore/v1/*",
            "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}},
        }
    ],
}


def _issuer(public_jwk: dict[str, Any]) -> tuple[str, ThreadingHTTPServer]:
    holder: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                body = {"issuer": holder["issuer"], "jwks_uri": holder["issuer"] + "/keys"}
            else:
                body = {"keys": [public_jwk]}
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["issuer"] = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return holder["issuer"], server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _load(url: str, kind: str, headers: dict[str, str], body: bytes, seconds: float, budget: int, out: Any) -> None:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    with httpx.Client(timeout=10) as client:
        while time.perf_counter() < deadline and len(latencies) < budget:
            started = time.perf_counter()
            response = client.post(url, content=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200
    out.put((kind, latencies, errors))


def _python_load(
    kind: str, url: str, headers: dict[str, str], body: bytes, clients: int, seconds: float, budget: int
) -> tuple[int, float, float, float, int]:
    queue: Any = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_load, args=(url, kind, headers, body, seconds, budget // clients, queue))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for _, values, _ in results for x in values)
    count = len(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(count * 0.99) - 1] * 1000
    return count, elapsed, p50, p99, sum(e for _, _, e in results)


# Each wrk thread stops after its share of the request budget and notes when (wrk itself runs on to
# the end of `-d`, and reports that as the duration); done() prints the figures as JSON.
_WRK_SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local function seconds()
  local t = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, t)  -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end
wrk.method = "POST"
wrk.body = %(body)s
wrk.headers = {%(headers)s}
local budget = %(budget)d
local count = 0
started = nil
stopped = nil
function init(args)
  started = seconds()
end
function response(status, headers, body)
  count = count + 1
  if count >= budget then
    stopped = seconds() - started
    wrk.thread:stop()
  end
end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local duration = 0
  for _, thread in ipairs(threads) do
    local stopped = thread:get("stopped")
    if stopped == nil then duration = summary.duration / 1e6 break end
    if stopped > duration then duration = stopped end
  end
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "seconds": %%f, "p50_us": %%d, "p99_us": %%d, "errors": %%d}\\n',
    summary.requests, duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for these ASCII values


def _wrk_load(
    wrk: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    connections: int,
    threads: int,
    seconds: float,
    budget: int,
) -> tuple[int, float, float, float, int]:
    script = _WRK_SCRIPT % {
        "body": _lua(body.decode("ascii")),
        "headers": ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in headers.items()),
        "budget": max(1, budget // threads),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        run = subprocess.run(
            [
                wrk,
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds:.0f}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        os.unlink(handle.name)
    out = run.stdout
    if run.returncode != 0 or "{" not in out:
        raise SystemExit(f"wrk failed ({run.returncode}): {run.stderr or out}")
    figures = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    return (
        figures["requests"],
        figures["seconds"],
        figures["p50_us"] / 1000,
        figures["p99_us"] / 1000,
        figures["errors"],
    )


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and its descendants (Linux /proc), or None elsewhere."""
    total, pending = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            if current == pid:
                return None
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        pending.extend(int(child) for child in children)
    return total


def _drained(store: AuditStore, before: int, expected: int | None) -> tuple[int, float]:
    """Events the trail gained since `before` once the server has written them all, and how long that took.

    With every decision recorded, `expected` events are awaited; with sampling, the trail is done
    when it has not grown for a second.
    """
    started = time.perf_counter()
    last, quiet_since = store.count(), started
    while time.perf_counter() - started < 120:
        if expected is not None and last - before >= expected:
            return last - before, time.perf_counter() - started
        time.sleep(0.02)
        current = store.count()
        if current != last:
            last, quiet_since = current, time.perf_counter()
        elif expected is None and time.perf_counter() - quiet_since >= 1.0:
            return last - before, quiet_since - started
    return last - before, time.perf_counter() - started


def _drive(
    kind: str, url: str, headers: dict[str, str], body: bytes, args: argparse.Namespace, per_request: int = 1
) -> None:
    recorded_before = args.audit.count()
    cpu_before = _cpu_seconds(args.server_pid)
    if args.load == "wrk":
        count, elapsed, p50, p99, errors = _wrk_load(
            args.wrk, url, headers, body, args.connections, args.threads, args.seconds, args.max_requests
        )
    else:
        count, elapsed, p50, p99, errors = _python_load(
            kind, url, headers, body, args.clients, args.seconds, args.max_requests
        )
    rate = count / elapsed
    cpu_after = _cpu_seconds(args.server_pid)
    every_event = float(args.audit_allow_sampling) >= 1.0 or kind.startswith("sts")
    recorded, drain = _drained(args.audit, recorded_before, count * per_request if every_event else None)
    # Server CPU per request depends far less on what else the machine runs than requests/s do.
    cpu = f"  server CPU {(cpu_after - cpu_before) / count * 1e6:5.0f} us/request" if cpu_before and cpu_after else ""
    print(
        f"{kind:34} {count:>8,} requests {rate:>9,.0f}/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  errors {errors}" + cpu
    )
    # The trail is written while the load runs; what is still buffered when it ends is drained after.
    print(
        f"{'':34} audit trail {recorded:>8,} events {recorded / (elapsed + drain):>9,.0f} events/s written"
        f" (drained {drain:.2f} s after the load)"
    )
    if per_request > 1:
        print(f"{'':34} {count * per_request:>8,} decisions {rate * per_request:>8,.0f}/s")
    elif kind.startswith("authorize"):
        met = rate >= GOAL_RPS and p99 < GOAL_P99_MS and errors == 0
        print(f"{'':34} goal {GOAL_RPS:,}/s with p99 < {GOAL_P99_MS:.0f} ms: {'met' if met else 'NOT met'}")


def main() -> int:
    """Set up, serve, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--load",
        choices=["wrk", "python"],
        default=None,
        help="the load process (default: wrk when it is on PATH, else Python)",
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk: keep-alive connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk: threads")
    parser.add_argument("--clients", type=int, default=8, help="python: load processes")
    parser.add_argument("--batch", type=int, default=20, help="calls per /v1/authorize/batch request (0: skip)")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument(
        "--audit-allow-sampling",
        default="1",
        help="the server's share of /v1/authorize allows recorded in the audit trail (denials always are)",
    )
    args = parser.parse_args()
    args.wrk = shutil.which("wrk")
    if args.load is None:
        args.load = "wrk" if args.wrk else "python"
        if not args.wrk:
            print("wrk is not on PATH (Debian/Ubuntu: apt-get install wrk): using Python load processes")
    elif args.load == "wrk" and not args.wrk:
        parser.error("wrk is not on PATH (Debian/Ubuntu: apt-get install wrk)")
    folder = Path(tempfile.mkdtemp(prefix="iamtwin-serve-"))
    db = args.db or f"sqlite:///{folder / 'world.db'}"
    workers = args.workers if db.startswith("postgres") else 1
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "k1", "alg": "RS256", "use": "sig"})
    issuer, issuer_server = _issuer(public)
    world = World.open(db)
    with world.changes() as iam:
        iam.create_account(ACCOUNT, "bench")
        iam.create_policy(ACCOUNT, "pet-veterinarian", POLICY)
    access_key, secret, _ = bootstrap_credentials(world)
    world.close()
    config = folder / "authorizer.yaml"
    config.write_text(
        json.dumps(
            {
                "issuer": issuer,
                "audiences": ["petstore-app"],
                "account": ACCOUNT,
                "groups": {"pet-veterinarian": [f"arn:aws:iam::{ACCOUNT}:policy/pet-veterinarian"]},
            }
        )
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "iamtwin",
            "serve",
            "--db",
            db,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--authorizer",
            str(config),
            "--audit-allow-sampling",
            args.audit_allow_sampling,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    args.server_pid = server.pid
    audit_world = World.open(db)
    args.audit = AuditStore(audit_world.engine)
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        now = int(time.time())
        token = jwt.encode(
            {
                "iss": issuer,
                "aud": "petstore-app",
                "sub": "bench",
                "exp": now + 3600,
                "cognito:groups": ["pet-veterinarian"],
            },
            pem,
            algorithm="RS256",
            headers={"kid": "k1"},
        )
        call = json.dumps(
            {
                "method": "GET",
                "path": "/petstore/v1/pets",
                "stage": "prod",
                "api_id": "a1b2c3",
                "source_ip": "192.0.2.15",
            }
        ).encode()
        load = (
            f"wrk, {args.threads} thread(s), {args.connections} connections"
            if args.load == "wrk"
            else f"{args.clients} Python load processes"
        )
        print(
            f"server: {workers} worker(s) on {db.split('://')[0]}; load: {load}; "
            f"{args.seconds:.0f} s or {args.max_requests:,} requests per endpoint"
        )
        bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        _drive("authorize (bearer JWT)", base + "/v1/authorize", bearer, call, args)
        signed = AWSRequest(
            method="POST",
            url=base + "/",
            data=b"Action=GetCallerIdentity&Version=2011-06-15",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        SigV4Auth(Credentials(access_key, secret), "sts", "us-east-1").add_auth(signed)
        _drive("sts:GetCallerIdentity (SigV4)", base + "/", dict(signed.headers.items()), signed.body, args)
        if args.batch > 0:
            batch = json.dumps({"requests": [json.loads(call)] * args.batch}).encode()
            _drive(
                f"authorize/batch ({args.batch} per request)",
                base + "/v1/authorize/batch",
                bearer,
                batch,
                args,
                per_request=args.batch,
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
        issuer_server.shutdown()
        audit_world.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Requests per second and latency of `iamtwin serve`, driven from separate load processes on loopback.

    python benchmarks/bench_serve.py [--db URL] [--workers 2] [--clients 8] [--seconds 5] [--max-requests 200000]

Sets up scenario 11 in the world (a `pet-veterinarian` policy, an authorizer whose OIDC issuer runs
in this process), starts `iamtwin serve --workers N` as a child process, then runs load processes
(separate from the server, bounded in time and in count), each a keep-alive HTTP client calling
`POST /v1/authorize` with a bearer token, and then `sts:GetCallerIdentity` with a SigV4 signature
made once (a signature stays valid for 15 minutes, so replaying it is what a busy client costs the
server). Prints requests/s, p50 and p99 latency per endpoint, against the goal of 5,000 authorize
decisions/s with p99 under 10 ms. PostgreSQL is the backend for several workers (`--db
postgresql://…` naming an EMPTY database); SQLite runs one worker.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
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
from iamtwin.world.stored import World

ACCOUNT = "123456789012"
GOAL_RPS, GOAL_P99_MS = 5000, 10.0
POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/*/petstore/v1/*",
    "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}},
}]}


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


def _load(url: str, kind: str, headers: dict[str, str], body: bytes, seconds: float, budget: int,
          out: Any) -> None:
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


def _drive(kind: str, url: str, headers: dict[str, str], body: bytes, clients: int, seconds: float,
           budget: int) -> None:
    queue: Any = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_load, args=(url, kind, headers, body, seconds, budget // clients, queue))
             for _ in range(clients)]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for _, values, _ in results for x in values)
    errors = sum(e for _, _, e in results)
    count = len(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(count * 0.99) - 1] * 1000
    print(f"{kind:28} {count:>8,} requests {count / elapsed:>9,.0f}/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"
          f"  errors {errors}")
    if kind.startswith("authorize"):
        met = count / elapsed >= GOAL_RPS and p99 < GOAL_P99_MS
        print(f"{'':28} goal {GOAL_RPS:,}/s with p99 < {GOAL_P99_MS:.0f} ms: {'met' if met else 'NOT met'}")


def main() -> int:
    """Set up, serve, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    args = parser.parse_args()
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
    config.write_text(json.dumps({"issuer": issuer, "audiences": ["petstore-app"], "account": ACCOUNT,
                                  "groups": {"pet-veterinarian": [f"arn:aws:iam::{ACCOUNT}:policy/pet-veterinarian"]}}))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "iamtwin", "serve", "--db", db, "--port", str(port), "--workers",
         str(workers), "--authorizer", str(config)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        now = int(time.time())
        token = jwt.encode({"iss": issuer, "aud": "petstore-app", "sub": "bench", "exp": now + 3600,
                            "cognito:groups": ["pet-veterinarian"]}, pem, algorithm="RS256", headers={"kid": "k1"})
        call = json.dumps({"method": "GET", "path": "/petstore/v1/pets", "stage": "prod", "api_id": "a1b2c3",
                           "source_ip": "192.0.2.15"}).encode()
        print(f"server: {workers} worker(s) on {db.split('://')[0]}, {args.clients} load processes, "
              f"{args.seconds:.0f} s or {args.max_requests:,} requests per endpoint")
        _drive("authorize (bearer JWT)", base + "/v1/authorize",
               {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, call,
               args.clients, args.seconds, args.max_requests)
        signed = AWSRequest(method="POST", url=base + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15",
                            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(Credentials(access_key, secret), "sts", "us-east-1").add_auth(signed)
        _drive("sts:GetCallerIdentity (SigV4)", base + "/", dict(signed.headers.items()), signed.body,
               args.clients, args.seconds, args.max_requests)
    finally:
        server.terminate()
        server.wait(timeout=20)
        issuer_server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

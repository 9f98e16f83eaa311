"""Error reporting, proven against a real HTTP endpoint that receives what the Sentry SDK sends.

A small Sentry stand-in (http.server on 127.0.0.1) accepts the SDK's envelopes, so the tests see exactly
what would leave the platform: the region tag, the exception, and none of the personal data. Failing
requests go through Django's WSGIHandler, as under gunicorn, and failing tasks through a real worker.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from mitra.celery_app import app
from mitra.observability import REGION_TAG, init_sentry
from tenants.tasks import RegionRequiredError
from tests.fixtures.processes import celery_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

BOOM_URLCONF = "tests.integration.urls_boom"
PUBLIC_KEY = "publickey"
# Personal data that must never reach Sentry; each is sent with the failing request.
NIK = "3329010101900001"
BEARER = "Bearer rahasia-token-uji"
CLIENT_IP = "203.0.113.7"  # TEST-NET addresses: they cannot be confused with 127.0.0.1
FORWARDED_IP = "198.51.100.9"


# --- The Sentry stand-in --------------------------------------------------------------------------------
class SentryInbox:
    """What a Sentry server would have received: the decoded bodies and the error events in them."""

    def __init__(self) -> None:
        self.port = 0
        self.bodies: list[bytes] = []
        self.item_types: list[str] = []
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @property
    def dsn(self) -> str:
        return f"http://{PUBLIC_KEY}@127.0.0.1:{self.port}/1"

    def receive(self, endpoint: str, body: bytes) -> None:
        items = parse_envelope(body) if endpoint == "envelope" else [("event", body)]
        with self._lock:
            self.bodies.append(body)
            for item_type, payload in items:
                self.item_types.append(item_type)
                if item_type == "event":
                    self.events.append(json.loads(payload))

    def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> dict[str, Any]:
        """The first event that matches; a worker in another process sends on its own schedule."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [event for event in self.events if match(event)]
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"no matching event after {timeout}s; received {self.events!r}")


def parse_envelope(body: bytes) -> list[tuple[str, bytes]]:
    """The (type, payload) items of an envelope: an envelope header line, then items of header line, payload.

    An item header may give the payload's length in bytes; without one the payload runs to the newline.
    """
    lines = body.split(b"\n", 1)
    json.loads(lines[0])  # the envelope header (event_id, dsn, sent_at): it must at least be JSON
    rest = lines[1] if len(lines) > 1 else b""
    items = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] :].removeprefix(b"\n")
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header.get("type", ""), payload))
    return items


def decode_body(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        # The SDK only compresses with brotli when the brotli package is installed, so is this.
        import brotli

        return brotli.decompress(body)
    return body


class _SentryHandler(BaseHTTPRequestHandler):
    server: _SentryServer

    def do_POST(self) -> None:
        match = re.fullmatch(r"/api/\d+/(envelope|store)/", urlsplit(self.path).path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if match is None:
            self.send_error(404)
            return
        body = decode_body(body, self.headers.get("Content-Encoding", "").strip().lower())
        self.server.inbox.receive(match.group(1), body)
        reply = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        pass  # the SDK's posts would only clutter the test output


class _SentryServer(HTTPServer):
    inbox: SentryInbox


@contextmanager
def sentry_server() -> Iterator[SentryInbox]:
    server = _SentryServer(("127.0.0.1", 0), _SentryHandler)
    server.inbox = SentryInbox()
    server.inbox.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="sentry-inbox", daemon=True)
    thread.start()
    try:
        yield server.inbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- Driving the platform -------------------------------------------------------------------------------
@contextmanager
def _keeping_the_test_connection() -> Iterator[None]:
    # WSGIHandler closes "obsolete" connections around each request, and inside the test's transaction the
    # connection counts as obsolete; django.test.Client disconnects the same receiver for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_request(hostname: str, path: str, *, body: str = "", **meta: str) -> tuple[int, str]:
    """One request through WSGIHandler, what `mitra.wsgi.application` is and gunicorn serves.

    Not django.test.Client: it skips WSGIHandler.__call__, which is where the SDK gives each request its own
    scope and attaches the request's URL, headers and client address, the very things under test here.
    """
    path_info, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST" if body else "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "HTTP_HOST": hostname,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body.encode())),
        "wsgi.input": io.BytesIO(body.encode()),
        **meta,
    }
    setup_testing_defaults(environ)
    statuses: list[str] = []

    def start_response(status: str, _headers: list[tuple[str, str]], _exc_info: Any = None) -> None:
        statuses.append(status)

    with _keeping_the_test_connection():
        response = WSGIHandler()(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()
    return int(statuses[0].split()[0]), content.decode()


def exception_types(event: dict[str, Any]) -> list[str]:
    return [value.get("type") for value in event.get("exception", {}).get("values", [])]


def is_boom(event: dict[str, Any]) -> bool:
    return "BoomError" in exception_types(event)


# --- Fixtures ---------------------------------------------------------------------------------------------
@pytest.fixture
def inbox() -> Iterator[SentryInbox]:
    with sentry_server() as received:
        yield received


@pytest.fixture
def sentry(inbox: SentryInbox) -> Iterator[SentryInbox]:
    """The SDK reporting to the stand-in for one test, and shut down afterwards.

    Every transaction is sampled so that transactions, which carry request data too, are checked as well.
    The scope is forked so that nothing set during the test outlives it, and the client is closed and
    replaced so that the rest of the suite reports nothing.
    """
    with override_settings(SENTRY_TRACES_SAMPLE_RATE=1.0), sentry_sdk.isolation_scope() as scope:
        # Earlier tests' django.test.Client requests ran in this process's scope (the test client gives a
        # request no scope of its own) and left their region tags in it; begin as a fresh process would.
        scope.clear()
        sentry_sdk.get_current_scope().clear()
        assert init_sentry(dsn=inbox.dsn)
        try:
            yield inbox
        finally:
            sentry_sdk.get_client().close()
            sentry_sdk.get_global_scope().set_client(None)
    assert not sentry_sdk.get_client().is_active()


# --- Web requests ---------------------------------------------------------------------------------------
@override_settings(ROOT_URLCONF=BOOM_URLCONF)
def test_bug_in_a_region_is_reported_with_its_region_and_no_personal_data(sentry, seed):
    # Logged in through the region's login page (Client.login() would look for the account in the public
    # schema), so that the failing request has a user the report must not name.
    client = Client(HTTP_HOST="brebes.localhost")
    client.get("/masuk/")
    assert client.post("/masuk/", {"username": "staf", "password": seed.password}).status_code == 302
    session_key = client.cookies["sessionid"].value
    csrf_token = client.cookies["csrftoken"].value  # WSGIHandler, unlike the test client, checks CSRF

    status, page = wsgi_request(
        "brebes.localhost",
        f"/boom/?nik={NIK}",
        body=f"nik={NIK}",
        HTTP_COOKIE=f"sessionid={session_key}; csrftoken={csrf_token}",
        HTTP_X_CSRFTOKEN=csrf_token,
        HTTP_AUTHORIZATION=BEARER,
        REMOTE_ADDR=CLIENT_IP,
        HTTP_X_FORWARDED_FOR=FORWARDED_IP,
    )
    sentry_sdk.flush()

    assert status == 500
    assert "Terjadi kesalahan" in page
    assert "Traceback" not in page
    assert "BoomError" not in page

    [event] = [event for event in sentry.events if is_boom(event)]
    assert event["tags"][REGION_TAG] == "brebes"
    assert "user" not in event
    request = event["request"]
    assert request["url"] == "http://brebes.localhost/boom/"
    assert request["method"] == "POST"
    assert not {"cookies", "data", "env", "query_string"} & request.keys()
    assert request["headers"]["Host"] == "brebes.localhost"
    sent_headers = {name.lower() for name in request["headers"]}
    assert not {"cookie", "authorization", "x-csrftoken", "x-forwarded-for"} & sent_headers
    assert all("vars" not in frame for frame in event["exception"]["values"][0]["stacktrace"]["frames"])
    # Whatever path the SDK might take (breadcrumbs, frame variables, transactions, extra), none leaves;
    # the username is looked for as a JSON string, since "staf" alone is part of ordinary words.
    assert any(item_type == "transaction" for item_type in sentry.item_types)
    everything_sent = b"\n".join(sentry.bodies).decode()
    for personal in (NIK, BEARER, session_key, csrf_token, CLIENT_IP, FORWARDED_IP, '"staf"', seed.password):
        assert personal not in everything_sent


@override_settings(ROOT_URLCONF=BOOM_URLCONF)
def test_each_request_is_tagged_with_its_own_region_only(sentry, seed):
    for hostname in ("brebes.localhost", "tegal.localhost"):
        assert wsgi_request(hostname, "/boom/")[0] == 500
    # Outside any request nothing is tagged: the regions' tags stayed in their requests' scopes.
    sentry_sdk.capture_message("after the requests")
    sentry_sdk.flush()

    assert [event["tags"][REGION_TAG] for event in sentry.events if is_boom(event)] == ["brebes", "tegal"]
    [after] = [event for event in sentry.events if event.get("message") == "after the requests"]
    assert REGION_TAG not in after.get("tags", {})


@override_settings(ROOT_URLCONF=BOOM_URLCONF, SENTRY_DSN="")
def test_without_a_dsn_nothing_is_started_and_nothing_is_sent(inbox, seed):
    assert init_sentry() is False
    assert not sentry_sdk.get_client().is_active()

    assert wsgi_request("brebes.localhost", "/boom/")[0] == 500
    sentry_sdk.flush()
    assert inbox.bodies == []


# --- Celery ---------------------------------------------------------------------------------------------
QUEUE = f"mitra-sentry-{os.getpid()}"  # our own queue: no other worker on this machine takes these tasks
# mitra.settings.production calls init_sentry() as settings load, in the worker as in the web process; the
# test settings do not, so this worker calls the same function before it starts.
WORKER_WITH_SENTRY = """
import sys
from mitra.celery_app import app
from mitra.observability import init_sentry
assert init_sentry(), "SENTRY_DSN is not set"
app.worker_main(["worker", *sys.argv[1:]])
"""


@pytest.fixture(scope="module")
def worker_inbox(django_db_setup, tmp_path_factory) -> Iterator[SentryInbox]:
    """A real worker process (solo pool: tasks run in the process that initialised Sentry) and its inbox."""
    log_path = tmp_path_factory.mktemp("sentry-worker") / "worker.log"
    with (
        sentry_server() as received,
        celery_worker(
            QUEUE,
            launcher=[sys.executable, "-c", WORKER_WITH_SENTRY],
            env={"SENTRY_DSN": received.dsn},
            log_path=log_path,
            route_here=False,
        ),
    ):
        yield received


def test_failing_task_is_reported_with_the_region_it_ran_in(worker_inbox):
    # An unexpected argument makes the task fail inside RegionTask.__call__, after it tagged the region.
    sent = {}
    for region in ("brebes", "tegal"):
        with schema_context(region):
            sent[region] = app.send_task("tenants.region_self_check", args=["unexpected"], queue=QUEUE)
    # Sent from the public schema, this one fails before any tagging: earlier tasks must not lend it theirs.
    stray = app.send_task("tenants.region_self_check", queue=QUEUE)
    for result in sent.values():
        with pytest.raises(TypeError):
            result.get(timeout=30)
    with pytest.raises(RegionRequiredError):
        stray.get(timeout=30)

    def event_of(task_id: str) -> dict[str, Any]:
        return worker_inbox.wait_for(lambda event: event.get("tags", {}).get("celery_task_id") == task_id)

    for region, result in sent.items():
        event = event_of(result.id)
        assert exception_types(event) == ["TypeError"]
        assert event["tags"][REGION_TAG] == region
    stray_event = event_of(stray.id)
    assert exception_types(stray_event) == ["RegionRequiredError"]
    assert REGION_TAG not in stray_event["tags"]

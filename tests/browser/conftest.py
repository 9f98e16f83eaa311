"""A real server process (gunicorn, the production entry point) on the test database, and Debian's
Chromium driven by Playwright. Chromium resolves *.localhost to loopback, so region hosts just work."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.processes import (
    ARTIFACTS,
    REPO_ROOT,
    bin_path,
    celery_worker,
    free_port,
    process_env,
    wait_for_port,
)

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@dataclass(frozen=True)
class LivePlatform:
    port: int
    # What the server runs with beyond process_env(); a worker serving its tasks needs the same.
    env: dict[str, str]

    def url(self, host: str = "localhost", path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="session")
def task_queue() -> str:
    """The Celery queue the server sends its tasks to: this run's own, so that no other worker on the machine
    (the demo's, another run's) takes them. A test that needs its tasks run starts `task_worker`."""
    return f"mitra-browser-{os.getpid()}"


@pytest.fixture(scope="session")
def live_platform(django_db_setup, task_queue, tmp_path_factory) -> Iterator[LivePlatform]:
    port = free_port()
    log = ARTIFACTS / "gunicorn.log"
    ARTIFACTS.mkdir(exist_ok=True)
    env = {
        "MITRA_PUBLIC_PORT": str(port),
        "CELERY_TASK_DEFAULT_QUEUE": task_queue,
        # Uploads (agreement scans) go to a scratch folder, not the developer's var/media.
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                bin_path("gunicorn"),
                "mitra.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "2",
                "--graceful-timeout",
                "5",
            ],
            cwd=REPO_ROOT,
            env=process_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(port, timeout=30, proc=proc)
            yield LivePlatform(port, env)
        finally:
            # The whole process group: workers must be gone before the test database is dropped.
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@pytest.fixture(scope="module")
def task_worker(live_platform, task_queue) -> Iterator[subprocess.Popen]:
    """A real Celery worker for the server's tasks (provisioning), with the server's settings: the links it
    builds (the first admin's setup link) must name the server's port."""
    with celery_worker(
        task_queue, env=live_platform.env, log_path=ARTIFACTS / "celery-worker.log", route_here=False
    ) as proc:
        yield proc


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (the browser tests never download one)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request) -> Iterator:
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report

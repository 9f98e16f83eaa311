"""`platform/` is a source root, never a package: `import platform` must stay the standard library."""

from __future__ import annotations

import platform
import subprocess
import sysconfig
from pathlib import Path

import pytest

from tests.fixtures.processes import REPO_ROOT, bin_path

pytestmark = pytest.mark.unit

STDLIB = str(Path(sysconfig.get_paths()["stdlib"]).resolve())
PROBE = "import platform; print('PLATFORM=' + platform.__file__); print('SYSTEM=' + platform.system())"


def test_platform_source_root_has_no_init_file():
    assert not (REPO_ROOT / "platform" / "__init__.py").exists()


def test_platform_is_stdlib_under_pytest():
    assert str(Path(platform.__file__).resolve()).startswith(STDLIB)


def _probe(out: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in out.splitlines() if line.startswith(("PLATFORM=", "SYSTEM=")))
    return dict(pairs)


def _run(args: list[str]) -> str:
    env = {
        "PATH": str(Path(bin_path("python")).parent) + ":/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "mitra.settings.test",
    }
    proc = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_platform_is_stdlib_under_manage_py():
    probe = _probe(_run([bin_path("python"), "manage.py", "shell", "-c", PROBE]))
    assert probe["PLATFORM"].startswith(STDLIB)
    assert probe["SYSTEM"] == "Linux"


def test_platform_is_stdlib_under_the_mitra_console_script():
    assert _probe(_run([bin_path("mitra"), "shell", "-c", PROBE]))["PLATFORM"].startswith(STDLIB)


def test_platform_is_stdlib_under_the_celery_app():
    code = "from mitra import celery_app; celery_app.loader.import_default_modules(); " + PROBE
    assert _probe(_run([bin_path("python"), "-c", code]))["PLATFORM"].startswith(STDLIB)


def test_system_check_guards_the_stdlib_platform_module():
    out = _run([bin_path("mitra"), "check"])
    assert "no issues" in out

"""Settings come from the environment and fail loudly on bad values; production refuses defaults."""

from __future__ import annotations

import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured

from mitra.env import env_bool, env_int, env_list, env_str
from tests.fixtures.processes import REPO_ROOT, bin_path

pytestmark = pytest.mark.unit

PROD_ENV = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_SETTINGS_MODULE": "mitra.settings.production",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-check-deploy-test-0123456789",
    "MITRA_DOMAIN": "mitra.example.go.id",
    "ALLOWED_HOSTS": "mitra.example.go.id,.mitra.example.go.id",
}


def test_bad_integer_is_an_improper_configuration(monkeypatch):
    monkeypatch.setenv("MITRA_TEST_INT", "dua")
    with pytest.raises(ImproperlyConfigured, match="MITRA_TEST_INT"):
        env_int("MITRA_TEST_INT", 1)


def test_bad_boolean_is_an_improper_configuration(monkeypatch):
    monkeypatch.setenv("MITRA_TEST_BOOL", "mungkin")
    with pytest.raises(ImproperlyConfigured, match="MITRA_TEST_BOOL"):
        env_bool("MITRA_TEST_BOOL", False)


def test_missing_required_value_is_an_improper_configuration(monkeypatch):
    monkeypatch.delenv("MITRA_TEST_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured):
        env_str("MITRA_TEST_REQUIRED")


def test_secret_can_come_from_a_mounted_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file")
    monkeypatch.delenv("MITRA_TEST_SECRET", raising=False)
    monkeypatch.setenv("MITRA_TEST_SECRET_FILE", str(secret))
    assert env_str("MITRA_TEST_SECRET") == "from-a-file"


def test_lists_are_split_and_trimmed(monkeypatch):
    monkeypatch.setenv("MITRA_TEST_LIST", " a.go.id, .b.go.id ,")
    assert env_list("MITRA_TEST_LIST") == ["a.go.id", ".b.go.id"]


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [bin_path("mitra"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PROD_ENV.items() if k != "SECRET_KEY"}
    proc = _check_deploy(env)
    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {k: v for k, v in PROD_ENV.items() if k != "ALLOWED_HOSTS"}
    proc = _check_deploy(env)
    assert proc.returncode != 0
    assert "ALLOWED_HOSTS" in proc.stderr


def test_production_check_deploy_is_clean():
    proc = _check_deploy(PROD_ENV)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout

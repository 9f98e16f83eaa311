"""Typed readers for settings that come from the environment.

Every value may also come from a file named by `<NAME>_FILE` (mounted secrets). A value that is present
but malformed raises ImproperlyConfigured at start-up instead of silently falling back to a default.
"""

from __future__ import annotations

from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.FileAwareEnv()
_MISSING: Any = environ.Env.NOTSET


def _read(kind: str, name: str, default: Any) -> Any:
    try:
        return getattr(_env, kind)(name, default=default)
    except ImproperlyConfigured:
        raise
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} has an invalid {kind} value: {exc}") from exc


def env_str(name: str, default: str | None = _MISSING) -> str:
    return _read("str", name, default)


def env_bool(name: str, default: bool = _MISSING) -> bool:
    raw = _env.str(name, default=None)
    if raw is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"Set the {name} environment variable")
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int = _MISSING) -> int:
    return _read("int", name, default)


def env_float(name: str, default: float = _MISSING) -> float:
    return _read("float", name, default)


def env_list(name: str, default: list[str] | None = _MISSING) -> list[str]:
    return [item.strip() for item in _read("list", name, default) if item.strip()]


def env_db(name: str, default: str) -> dict[str, Any]:
    try:
        return _env.db_url(name, default=default)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is not a database URL: {exc}") from exc


def env_is_set(name: str) -> bool:
    return bool(_env.str(name, default="") or _env.str(f"{name}_FILE", default=""))

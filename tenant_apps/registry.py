"""The registry of region modules, collected from the installed apps' ModuleAppConfig declarations."""

from __future__ import annotations

from functools import cache

from django.apps import apps

from tenant_apps.base import ModuleAppConfig, ModuleSpec


class UnknownModuleError(LookupError):
    code = "unknown_module"


@cache
def _modules() -> dict[str, ModuleSpec]:
    found: dict[str, ModuleSpec] = {}
    for config in apps.get_app_configs():
        if isinstance(config, ModuleAppConfig):
            spec = config.spec
            if spec.code in found:
                raise RuntimeError(f"Two apps declare module code {spec.code!r}")
            found[spec.code] = spec
    for spec in found.values():
        missing = [dep for dep in spec.depends_on if dep not in found]
        if missing:
            raise RuntimeError(f"Module {spec.code!r} depends on unknown module(s) {missing}")
    return found


def all_modules() -> list[ModuleSpec]:
    return sorted(_modules().values(), key=lambda spec: spec.code)


def module_codes() -> frozenset[str]:
    return frozenset(_modules())


def get_module(code: str) -> ModuleSpec:
    try:
        return _modules()[code]
    except KeyError:
        raise UnknownModuleError(code) from None


def module_for_path(path: str) -> ModuleSpec | None:
    """The module that serves a request path on a region host (its pages or its API), if any."""
    for spec in _modules().values():
        if path.startswith((f"/{spec.url_prefix}", f"/api/v1/{spec.code}/")):
            return spec
    return None


def with_dependencies(codes: set[str] | frozenset[str]) -> frozenset[str]:
    """The given modules plus everything they depend on, transitively."""
    result: set[str] = set()
    stack = list(codes)
    while stack:
        code = stack.pop()
        if code not in result:
            result.add(code)
            stack.extend(get_module(code).depends_on)
    return frozenset(result)

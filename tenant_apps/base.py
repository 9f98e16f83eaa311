"""What a region module declares about itself. Licensing, the menu, the URLconf and the control-plane
catalogue all read these declarations; adding a module is one new app plus one line in settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import AppConfig


@dataclass(frozen=True)
class MenuEntry:
    label: str  # Indonesian, translated through gettext_lazy
    url_name: str  # a URL name inside the module's namespace, e.g. "inbox"


@dataclass(frozen=True)
class Metric:
    """One adoption figure a module reports for a day (shared_apps.reports collects them).

    The module's metrics file (ModuleSpec.metrics, e.g. "tenant_apps.eoffice.metrics") defines
    `METRICS: tuple[Metric, ...]` and `collect(*, day: date) -> dict[str, float | None]`, which runs inside the
    region's schema and returns a value for every code in METRICS (None: nothing to measure that day).
    Optionally `collect_by_unit(*, day)` -> {OPD code: (OPD name, {metric: value})} for the region's report
    per OPD, or `collect_with_units(*, day)` giving both at once when the same queries produce them."""

    code: str  # stable, namespaced by module: "eoffice.letters_signed"
    label: str  # Indonesian, through gettext_lazy
    unit: str = "count"  # count | hours | percent


@dataclass(frozen=True)
class ModuleSpec:
    code: str  # stable, used in licences and API error payloads: "eoffice"
    name: str
    description: str
    version: str
    url_prefix: str  # path prefix on the region's host: "eoffice/"
    urls: str  # dotted path of the module's URLconf (pages)
    api_urls: str | None = None  # dotted path of the module's API URLconf, mounted at /api/v1/<code>/
    depends_on: tuple[str, ...] = ()
    menu: tuple[MenuEntry, ...] = field(default_factory=tuple)
    metrics: str | None = None  # dotted path of the module's metrics file (see Metric)


class ModuleAppConfig(AppConfig):
    """An AppConfig that carries its module's spec."""

    spec: ModuleSpec  # not `module`: Django sets AppConfig.module to the Python package

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


class ModuleAppConfig(AppConfig):
    """An AppConfig that carries its module's spec."""

    spec: ModuleSpec  # not `module`: Django sets AppConfig.module to the Python package

"""System checks for mistakes that break Mitra in ways Django would not notice by itself."""

from __future__ import annotations

import platform
import sysconfig
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def check_platform_is_stdlib(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """`platform/` is a source root; an __init__.py there would shadow the standard library."""
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    module_path = Path(platform.__file__ or "").resolve()
    if stdlib not in module_path.parents:
        return [
            Error(
                f"'import platform' resolves to {module_path}, not the standard library",
                hint="Remove platform/__init__.py: platform/ is a source root, not a package.",
                id="mitra.E001",
            )
        ]
    return []


@register(Tags.security)
def check_tenant_apps_are_region_only(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Module apps must live only in region schemas (no cross-schema foreign keys, DESIGN.md)."""
    leaked = [app for app in settings.SHARED_APPS if app.startswith("tenant_apps.")]
    return [Error(f"{app} is a region module and must not be in SHARED_APPS", id="mitra.E002") for app in leaked]

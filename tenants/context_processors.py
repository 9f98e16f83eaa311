from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def region(request: HttpRequest) -> dict[str, Any]:
    """The region being served (None on the control plane), for the page header."""
    return {"region": getattr(request, "region", None)}

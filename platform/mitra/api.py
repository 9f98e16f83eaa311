"""API conventions shared by every endpoint: one error shape with stable codes, never a 500 for bad input.

{"error": {"code": "invalid", "message": "…", "fields": {"name": [{"code": "required", "message": "…"}]}}}
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mitra.errors import DomainError

logger = logging.getLogger(__name__)


def _django_fields(exc: DjangoValidationError) -> dict[str, list[dict[str, str]]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [{"code": e.code or "invalid", "message": " ".join(e.messages)} for e in errors]
            for field, errors in exc.error_dict.items()
        }
    return {
        "non_field_errors": [{"code": e.code or "invalid", "message": " ".join(e.messages)} for e in exc.error_list]
    }


def _drf_fields(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {
            field: _drf_fields(value) if isinstance(value, dict) else _drf_list(value)
            for field, value in detail.items()
        }
    return {"non_field_errors": _drf_list(detail)}


def _drf_list(value: Any) -> list[dict[str, str]]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append({"code": "invalid", "message": str(item)})
        else:
            out.append({"code": getattr(item, "code", "invalid"), "message": str(item)})
    return out


def error_response(code: str, message: str, http_status: int, fields: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return Response({"error": body}, status=http_status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        fields = {f: [{"code": exc.code, "message": m} for m in msgs] for f, msgs in exc.fields.items()}
        return error_response(exc.code, exc.message, exc.status, fields)
    if isinstance(exc, DjangoValidationError):
        return error_response("invalid", _("Data tidak valid."), status.HTTP_400_BAD_REQUEST, _django_fields(exc))
    if isinstance(exc, exceptions.ValidationError):
        return error_response("invalid", _("Data tidak valid."), status.HTTP_400_BAD_REQUEST, _drf_fields(exc.detail))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and Sentry report it
    detail = getattr(exc, "detail", "")
    code = detail.code if hasattr(detail, "code") else getattr(exc, "default_code", "error")
    response.data = {"error": {"code": code, "message": str(detail)}}
    return response


class AutoSchema(SpectacularAutoSchema):
    """Names components after the view that nests them (`LicenceIssueApi.Input` → `LicenceIssueApiInput`).

    STYLE.md asks for small `Input`/`Output` serializers nested in each API view; without this every one of them
    would be called "Input" and drf-spectacular would merge unrelated shapes into one component.
    """

    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        cls = serializer if isinstance(serializer, type) else type(serializer)
        return (
            cls.__qualname__.replace(".", "")
            if "." in cls.__qualname__
            else super().get_serializer_name(serializer, direction)
        )

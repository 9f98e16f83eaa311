"""`POST /api/v1/auth/token/` on every host: the control plane gives operator tokens, a region's host gives
that region's staff tokens. Tokens live in the schema of the host that issued them, so a token is valid
only on that host.

Failed attempts count against the same per-username and per-address lock as the login page
(mitra.login): guessing through the API does not get five more tries than guessing through the form."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from mitra.api import error_response
from mitra.errors import DomainError
from mitra.login import LoginLockedError, authenticate_throttled


class LoginThrottle(AnonRateThrottle):
    """A request rate per client (DRF's `login` rate), on top of the failure lock of mitra.login."""

    scope = "login"


class TokenObtainApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    class Input(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        request=Input, responses=inline_serializer("Token", {"token": serializers.CharField()}), tags=["auth"]
    )
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = authenticate_throttled(
                request._request, username=data.validated_data["username"], password=data.validated_data["password"]
            )
        except LoginLockedError as exc:
            response = error_response(exc.code, exc.message, 429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        if user is None:
            raise DomainError("invalid_credentials", str(_("Nama pengguna atau kata sandi salah.")), status=400)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

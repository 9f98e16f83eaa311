"""Bahasa Indonesia unless the person chose English in the header.

Django's LocaleMiddleware follows the browser's Accept-Language, and many office browsers in Indonesia are
set to English: staff would get English pages they never asked for. Only the language cookie, set by the
header's language switch (/i18n/setlang/), changes the language here.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

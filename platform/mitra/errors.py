"""Domain errors: a stable code for the API and an Indonesian message for people."""

from __future__ import annotations


class DomainError(Exception):
    """Raised by services and selectors when a request cannot be carried out.

    `code` is stable (clients switch on it); `message` is shown to people (translated); `status` is the HTTP
    status the API answers with; `fields` optionally maps input fields to messages.
    """

    status = 400

    def __init__(
        self, code: str, message: str, *, status: int | None = None, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        if status is not None:
            self.status = status
        self.fields = fields or {}


class NotFoundError(DomainError):
    status = 404


class ForbiddenError(DomainError):
    status = 403


class ConflictError(DomainError):
    status = 409

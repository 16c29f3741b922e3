"""Errors that reach a person: a code, an HTTP status, and parameters for the message."""

from __future__ import annotations

from typing import Any

from thidua_shared.i18n import Language, translate


class AppError(Exception):
    status = 400

    def __init__(self, message_code: str, /, details: Any = None, **params: object) -> None:
        # Positional-only, so that a message parameter may itself be called `code`.
        super().__init__(translate(message_code, "en", **params))
        self.code, self.params, self.details = message_code, params, details

    def message(self, language: Language) -> str:
        return translate(self.code, language, **self.params)

    def body(self, language: Language) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message(language),
            "message_vi": self.message("vi"),
            "message_en": self.message("en"),
        }
        if self.details is not None:
            body["details"] = self.details
        return body


class Invalid(AppError):
    status = 422


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    status = 409


class Unauthorized(AppError):
    status = 401


class Forbidden(AppError):
    status = 403


class PayloadTooLarge(AppError):
    status = 413


class ServiceUnavailable(AppError):
    status = 503

"""Error answers in the shape of Movidesk's ASP.NET Web API: ``{"Message": ...}``,
with a ``ModelState`` of field errors when a body is invalid."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An error answer: status, message, optional field errors and headers."""

    def __init__(self, status: int, message: str,
                 model_state: Mapping[str, list[str]] | None = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.model_state = dict(model_state or {})
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        """The JSON answer for this error."""
        body: dict[str, object] = {"Message": self.message}
        if self.model_state:
            body["ModelState"] = self.model_state
        return JSONResponse(body, status_code=self.status, headers=self.headers)


class Problems:
    """Collects field errors of one request body; ``raise_if_any`` answers 400."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        """Record one problem with ``field``."""
        self.errors.setdefault(f"{self.prefix}.{field}", []).append(message)

    def raise_if_any(self) -> None:
        """Raise a 400 ``ApiError`` listing every problem recorded."""
        if self.errors:
            raise ApiError(400, "The request is invalid.", self.errors)


def not_found(what: str) -> ApiError:
    """A 404 for a record that does not exist."""
    return ApiError(404, f"{what} not found.")

"""Typed application errors, rendered once as {"error": ..., "detail": ...}."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException


class ErrorBody(BaseModel):
    """The one shape every error response has."""

    error: str
    detail: Any = None


class AppError(Exception):
    status_code = 400
    error = "Bad request"

    def __init__(self, detail: Any = None, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extra = extra


class NotFound(AppError):
    status_code = 404
    error = "Not found"


class Unauthorized(AppError):
    status_code = 401
    error = "Not authenticated"


class Forbidden(AppError):
    status_code = 403
    error = "Forbidden"


class Conflict(AppError):
    status_code = 409
    error = "Conflict"


class Invalid(AppError):
    status_code = 422
    error = "Invalid input"


class TooMany(AppError):
    status_code = 429
    error = "Too many requests"


class PayloadTooLarge(AppError):
    status_code = 413
    error = "Payload too large"


class UnsupportedMediaType(AppError):
    status_code = 415
    error = "Unsupported media type"


class RangeNotSatisfiable(AppError):
    status_code = 416
    error = "Range not satisfiable"


class Unavailable(AppError):
    status_code = 503
    error = "Service unavailable"


def field_errors(errors: list[dict]) -> list[dict]:
    """Pydantic errors reduced to what a client can show next to a field."""
    out = []
    for err in errors:
        loc = [part for part in err.get("loc", ()) if part != "body"]
        out.append({"loc": loc, "msg": err.get("msg", "invalid"), "type": err.get("type", "value_error")})
    return out


def field_error(loc: str | list, msg: str, type: str = "value_error") -> dict:
    """One field-level message, in the shape of a 422 detail entry; `loc` is a field name or a path."""
    return {"loc": [loc] if isinstance(loc, str) else list(loc), "msg": msg, "type": type}


def error_response(status: int, error: str, detail: Any = None, headers=None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail, **extra}, status_code=status, headers=headers)


_UNREADABLE = {
    UnicodeDecodeError: "The body is not valid JSON: it must be UTF-8 text",
    RecursionError: "The body is not valid JSON: it is nested too deeply",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return error_response(exc.status_code, exc.error, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "Invalid input", field_errors(exc.errors()))

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # Never log the error itself: PostgreSQL's message quotes the whole failing row (e-mail, password
        # hash, notes). Its kind and constraint name say enough.
        orig = exc.orig
        constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
        logging.getLogger("undercover").error("database refused a write: %s %s", type(orig).__name__,
                                              constraint or "")
        if getattr(orig, "sqlstate", None) == "23505" or getattr(orig, "sqlite_errorname", "") in (
                "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
            return error_response(409, "Conflict", "Another request changed the same record; reload and retry")
        return error_response(500, "Internal server error", "The database refused the change")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:
            # FastAPI's bare 400 when the body cannot be read at all: the same 422 as any other bad JSON,
            # with a reason a client can show.
            return error_response(422, "Invalid input", [
                {"loc": [], "msg": _UNREADABLE.get(type(exc.__cause__), "The body is not valid JSON"),
                 "type": "json_invalid"}])
        return error_response(exc.status_code, str(exc.detail), None, getattr(exc, "headers", None))


# Documented on routes: `responses=error_responses(401, 403, 404)`.
_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, expired or revoked token",
    403: "The caller's role or ownership does not allow this",
    404: "No such resource",
    409: "Stale version: the body carries the server copy",
    413: "Request body too large",
    415: "Unsupported file type, or the file's content does not match its declared type",
    416: "The requested byte range lies outside the file",
    422: "Invalid input, with field-level messages",
    429: "Too many attempts; retry after the Retry-After header",
    503: "The database is unavailable",
}


def error_responses(*codes: int) -> dict[int, dict]:
    return {code: {"model": ErrorBody, "description": _DESCRIPTIONS[code]} for code in codes}

"""Every error as {"error": {"code", "message", "fields"}}: domain errors, bad input, the rest.

When the database cannot be reached the answer is 503 with Retry-After, in the same shape, and
one log line (no traceback): the request was not carried out, the client may simply try again,
and the kept-alive connection stays open (only the catch-all for real surprises makes the server
close it).

Nothing here echoes what the client sent (it may be a worker's words), and an unexpected failure
is logged with the method, the path and the traceback only: no body, no exception message (a
database error's message can quote the values it was given).
"""

import logging
import traceback
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from admin_api.schemas import ErrorBody, ErrorField, ErrorRead
from sathi import errors

log = logging.getLogger(__name__)

# Most specific first: the first matching class decides status and code.
_DOMAIN: tuple[tuple[type[errors.SathiError], int, str], ...] = (
    (errors.NotAuthenticated, 401, "not_authenticated"),
    (errors.NotAllowed, 403, "forbidden"),
    (errors.NotFound, 404, "not_found"),
    (errors.InvalidTransition, 409, "invalid_transition"),
    (errors.Conflict, 409, "conflict"),
    (errors.Invalid, 422, "invalid"),
)

_HEADERS_401 = {"WWW-Authenticate": "Bearer"}
RETRY_AFTER_SECONDS = 5
# The database is away: refused or broken connections, timeouts, SQLite unable to open or lock.
DATABASE_AWAY: tuple[type[Exception], ...] = (
    OperationalError, InterfaceError, ConnectionError, TimeoutError,
)

# Documented on every route, so clients and schemathesis know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorRead, "description": HTTPStatus(status).phrase}
    for status in (401, 403, 404, 409, 422, 503)
}


def error_response(
    status: int, code: str, message: str, fields: list[ErrorField] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The one error shape."""
    body = ErrorRead(error=ErrorBody(code=code, message=message, fields=fields or []))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    for cls, status, code in _DOMAIN:
        if isinstance(exc, cls):
            fields = []
            if isinstance(exc, errors.Invalid) and exc.field:
                fields = [ErrorField(location=exc.location, field=exc.field, message=str(exc))]
            headers = _HEADERS_401 if status == 401 else None
            return error_response(status, code, str(exc), fields, headers)
    return await _unexpected(request, exc)


def _field_error(error: dict) -> ErrorField:
    location, *path = error.get("loc") or ("body",)
    return ErrorField(
        location=str(location), field=".".join(str(part) for part in path),
        message=str(error.get("msg", "invalid value")),
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [_field_error(error) for error in exc.errors()]
    names = ", ".join(sorted({f.field or f.location for f in fields}))
    return error_response(422, "validation_error", f"invalid input: {names}", fields)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI's answer to a body it cannot even decode (not UTF-8, a broken form): bad input
        # like any other, so a 422 in the same shape.
        field = ErrorField(location="body", field="", message="cannot be read as UTF-8 JSON")
        return error_response(422, "validation_error", "invalid input: body", [field])
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = "error"
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    message = exc.detail if isinstance(exc.detail, str) else phrase
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _lost_race(request: Request, exc: Exception) -> JSONResponse:
    # Services turn this into Conflict themselves; this catches a race noticed at commit.
    return error_response(409, "conflict", "the data was changed by someone else at the same "
                          "moment; reload it and retry")


async def _database_away(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError | InterfaceError):
        if not exc.connection_invalidated:  # a real error in a statement, not an outage
            return await _unexpected(request, exc)
    log.warning("database unavailable (%s) in %s %s: answered 503", type(exc).__qualname__,
                request.method, request.url.path)
    return error_response(
        503, "database_unavailable",
        "The database cannot be reached right now; nothing was changed. Try again shortly.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "unhandled %s in %s %s\n%s", type(exc).__qualname__, request.method, request.url.path,
        "".join(traceback.format_tb(exc.__traceback__)),
    )
    return error_response(500, "internal_error", "Something went wrong on our side; it is logged.")


def install(app: FastAPI) -> None:
    """Registers the handlers on the app."""
    app.add_exception_handler(errors.SathiError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(StaleDataError, _lost_race)
    for cls in (*DATABASE_AWAY, DBAPIError):
        app.add_exception_handler(cls, _database_away)
    app.add_exception_handler(Exception, _unexpected)

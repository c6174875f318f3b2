"""RFC 9457 problem+json for every error, each with a stable ``code``.

Services raise :class:`AppError` subclasses; the handlers here turn them,
Litestar's own HTTP errors and storage errors into the same shape, with the
title in the caller's language. Unexpected errors become a 500 that names the
request id and reveals nothing else.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import msgspec
from advanced_alchemy.exceptions import DuplicateKeyError, NotFoundError
from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    SerializationException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from workhub.kernel.context import current_context
from workhub.kernel.i18n import negotiate, translate
from workhub.kernel.middleware import REQUEST_ID_HEADER, safe_request_id

if TYPE_CHECKING:
    from litestar.types import ExceptionHandlersMap

__all__ = (
    "PROBLEM_MEDIA_TYPE",
    "AppError",
    "Conflict",
    "FieldError",
    "Forbidden",
    "NotFound",
    "Problem",
    "RateLimited",
    "Unauthorized",
    "ValidationFailed",
    "exception_handlers",
    "problem_response",
    "send_problem",
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("workhub.errors")


class FieldError(msgspec.Struct):
    """One invalid field of a request."""

    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """The problem+json body (RFC 9457) with WorkHub's stable ``code``."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None
    current: Any | None = None
    """For a version conflict: the resource as it is now."""


class AppError(Exception):
    """An error a client can act on; ``code`` is stable, the title translated."""

    status: int = 400
    code: str = "bad_request"
    message_key: str = "error.validation"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        current: Any | None = None,
        headers: dict[str, str] | None = None,
        message_key: str | None = None,
    ) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        if code:
            self.code = code
        if message_key:
            self.message_key = message_key
        self.errors = errors
        self.current = current
        self.headers = headers or {}


class ValidationFailed(AppError):
    """The request is well-formed but a field is not acceptable."""

    status = 422
    code = "validation_error"
    message_key = "error.validation"

    @classmethod
    def field(cls, field: str, message: str, *, code: str = "validation_error") -> ValidationFailed:
        """An error about one field."""
        return cls(message, code=code, errors=[FieldError(field=field, message=message)])


class Unauthorized(AppError):
    """No valid credentials."""

    status = 401
    code = "unauthorized"
    message_key = "error.unauthorized"


class Forbidden(AppError):
    """Authenticated and allowed to see the object, but not to do this."""

    status = 403
    code = "forbidden"
    message_key = "error.forbidden"


class NotFound(AppError):
    """Absent, or invisible to the caller (which must look the same)."""

    status = 404
    code = "not_found"
    message_key = "error.not_found"


class Conflict(AppError):
    """The request conflicts with the current state (duplicate, stale version)."""

    status = 409
    code = "conflict"
    message_key = "error.conflict"


class RateLimited(AppError):
    """Too many requests; ``Retry-After`` says when to come back."""

    status = 429
    code = "rate_limited"
    message_key = "error.rate_limited"


async def send_problem(
    send: Any,
    scope: Any,
    *,
    status: int,
    code: str,
    message_key: str,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
) -> None:
    """Answer with problem+json straight on the ASGI ``send`` (for middleware that answers before any route)."""
    ctx = current_context()
    body = msgspec.json.encode(
        Problem(
            type=f"https://workhub.dev/problems/{code}",
            title=translate(message_key, ctx.locale),
            status=status,
            code=code,
            detail=detail,
            instance=scope["path"],
            request_id=ctx.request_id,
            errors=errors,
        )
    )
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def problem_response(
    request: Request[Any, Any, Any],
    *,
    status: int,
    code: str,
    message_key: str,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    current: Any | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    """Build the problem+json response in the caller's language.

    Errors raised before any route matched (unknown path, wrong method) never
    passed the request-context middleware, so the request id and language
    are worked out here from the headers; the id is also sent back in
    ``X-Request-ID`` so every error can be quoted to support.
    """
    state = request.scope.setdefault("state", {})  # type: ignore[typeddict-item]
    request_id = state.get("request_id")
    if request_id:
        locale = current_context().locale
    else:
        request_id = safe_request_id(request.headers.get(REQUEST_ID_HEADER))
        state["request_id"] = request_id
        locale = negotiate(request.headers.get("accept-language"))
    body = Problem(
        type=f"https://workhub.dev/problems/{code}",
        title=translate(message_key, locale),
        status=status,
        code=code,
        detail=detail,
        instance=request.url.path,
        request_id=request_id,
        errors=errors,
        current=current,
    )
    return Response(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**(headers or {}), REQUEST_ID_HEADER: request_id},
    )


def _app_error(request: Request[Any, Any, Any], exc: AppError) -> Response[Problem]:
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        message_key=exc.message_key,
        detail=exc.detail,
        errors=exc.errors,
        current=exc.current,
        headers=exc.headers,
    )


_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")
_WHOLE_BODY = {"", "data", "body", "$"}


def _field_name(key: object, message: str) -> str:
    """The dotted name of the offending field (``items[0].title``), or ``body``.

    msgspec reports a missing field at the path of the object that lacks it
    (the body itself is ``data``), so the name comes from the message.
    """
    path = str(key or "").removeprefix("$.").removeprefix("$")
    path = "" if path in _WHOLE_BODY else path
    missing = _MISSING_FIELD.search(message)
    if missing:
        return f"{path}.{missing.group(1)}" if path else missing.group(1)
    return path or "body"


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    errors: list[FieldError] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if isinstance(item, dict):
            message = str(item.get("message", ""))
            errors.append(FieldError(field=_field_name(item.get("key"), message), message=message))
    detail = exc.detail if exc.detail else None
    if not errors and detail:
        errors.append(FieldError(field="body", message=detail))
    return problem_response(
        request,
        status=422,
        code="validation_error",
        message_key="error.validation",
        detail=detail,
        errors=errors,
    )


_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "error.validation"),
    401: ("unauthorized", "error.unauthorized"),
    403: ("forbidden", "error.forbidden"),
    404: ("not_found", "error.not_found"),
    405: ("method_not_allowed", "error.method_not_allowed"),
    409: ("conflict", "error.conflict"),
    413: ("payload_too_large", "error.payload_too_large"),
    429: ("rate_limited", "error.rate_limited"),
    503: ("service_unavailable", "error.service_unavailable"),
}


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    if exc.status_code >= 500:
        return _internal(request, exc)
    if isinstance(exc, NotFoundException) and isinstance(exc.__cause__, ValueError):
        bad = _unparsable_path_parameter(request)
        if bad is not None:
            return problem_response(
                request,
                status=422,
                code="validation_error",
                message_key="error.validation",
                detail=f"The path parameter {bad[0]!r} is not a valid {bad[1]}.",
                errors=[FieldError(field=bad[0], message=f"Expected a {bad[1]}")],
            )
    if isinstance(exc, ClientException) and isinstance(exc.__cause__, SerializationException):
        return problem_response(
            request,
            status=400,
            code="malformed_json",
            message_key="error.malformed_json",
            detail=exc.detail,
            errors=[FieldError(field="body", message=exc.detail)],
        )
    code, key = _HTTP_CODES.get(exc.status_code, ("bad_request", "error.validation"))
    return problem_response(
        request,
        status=exc.status_code,
        code=code,
        message_key=key,
        detail=exc.detail if exc.detail and exc.detail != code else None,
        headers=dict(exc.headers or {}),
    )


def _unparsable_path_parameter(request: Request[Any, Any, Any]) -> tuple[str, str] | None:
    """The name and type of a path parameter that did not parse (``/projects/not-a-uuid``).

    The router reports such a path as not found; finding the route whose
    shape matches lets the client learn which parameter was wrong instead.
    """
    parts = [p for p in request.url.path.split("/") if p]
    for route in request.app.routes:
        components = route.path_components
        if len(components) != len(parts):
            continue
        failed: tuple[str, str] | None = None
        for component, value in zip(components, parts, strict=True):
            if isinstance(component, str):
                if component != value:
                    break
                continue
            if component.parser is None:
                continue
            try:
                component.parser(value)
            except ValueError:
                failed = failed or (component.name, component.type.__name__)
        else:
            if failed is not None:
                return failed
    return None


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    return problem_response(request, status=404, code="not_found", message_key="error.not_found")


def _duplicate(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    return problem_response(
        request,
        status=409,
        code="duplicate",
        message_key="error.conflict",
        detail="The object already exists.",
    )


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, status=HTTP_500_INTERNAL_SERVER_ERROR, code="internal_error", message_key="error.internal"
    )


def exception_handlers() -> ExceptionHandlersMap:
    """The handlers the app installs; every error leaves as problem+json."""
    return {
        AppError: _app_error,
        ValidationException: _validation,
        NotAuthorizedException: _http,
        PermissionDeniedException: _http,
        NotFoundException: _http,
        MethodNotAllowedException: _http,
        HTTPException: _http,
        NotFoundError: _not_found,
        DuplicateKeyError: _duplicate,
        Exception: _internal,
    }

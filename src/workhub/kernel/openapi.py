"""Error responses in the OpenAPI document, derived from what each route can answer.

Every route gets the problem+json responses that apply to it: 401 unless
public, 403/404 for routes behind a project guard (404 also for any path
object), 403 for administrators' routes and those an organisation role
guards (creating a project), 409 for writes, 422 when it takes parameters
or a body, 400 for a body or parameters that cannot be read,
429 everywhere (rate limits). Deriving them from the
guards keeps the document true without annotating every handler by hand.
What a handler answers beyond that (a 401 for a wrong password, a 404 for a
project named in the body, a 410) it declares with :func:`problems`, so each
status it can answer is in the document (``tests/integration/test_api_fuzz.py``
fails on any that is not).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from workhub.kernel.errors import PROBLEM_MEDIA_TYPE, Problem
from workhub.kernel.guards import ProjectGuard, SystemGuard, admin_only

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ("document_problem_responses", "problems", "raw_body")

_DESCRIPTIONS = {
    400: "The request cannot be read (malformed JSON, a parameter of the wrong type).",
    401: "Not signed in, or the access token is expired or revoked (`code` says which).",
    403: "Signed in, but the caller's role does not allow this.",
    404: "Absent, or inside a project the caller is not a member of.",
    409: "Conflicts with the current state (stale `version`, archived project, duplicate, idempotency key in use).",
    422: "A parameter or the body is not valid; `errors` names each field.",
    429: "Rate limit reached; retry after `Retry-After` seconds.",
}


def _spec(status: int, description: str | None = None) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=description or _DESCRIPTIONS.get(status) or HTTPStatus(status).phrase,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
    )


def problems(*statuses: int, **descriptions: str) -> dict[int, ResponseSpec]:
    """Problem responses a handler answers beyond those its guards imply, for its ``responses=``.

    ``problems(404, 410, d410="Expired")``: each status gets the shared
    description unless a ``d<status>`` keyword says what it means here.
    """
    return {status: _spec(status, descriptions.get(f"d{status}")) for status in statuses}


def raw_body(media_type: str, description: str) -> type[Operation]:
    """An ``operation_class`` for a handler that streams its request body itself (Litestar sees no body).

    The document then says what to send: a non-empty body of ``media_type``.
    """

    class RawBodyOperation(Operation):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.request_body = RequestBody(
                content={media_type: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, min_length=1))},
                description=description,
                required=True,
            )

    return RawBodyOperation


def document_problem_responses(app: Litestar) -> None:
    """Add the applicable problem responses to every HTTP route handler of ``app``."""
    for route in app.routes:
        if route.path.startswith("/schema"):
            continue
        for handler in getattr(route, "route_handlers", []):
            methods: set[str] = set(getattr(handler, "http_methods", ()))
            if not methods or methods == {"OPTIONS"}:
                continue
            statuses: set[int] = {429}
            guards: list[Any] = list(handler.resolve_guards())
            if handler.opt.get("public"):
                handler.security = [{}]  # anonymous allowed (the document's default asks for a bearer token)
            else:
                statuses.add(401)
            if any(isinstance(g, ProjectGuard) for g in guards):
                statuses |= {403, 404}
            if admin_only in guards or any(isinstance(g, SystemGuard) for g in guards):
                statuses.add(403)
            if "{" in route.path:
                statuses |= {400, 404, 422}
            if methods & {"POST", "PATCH", "PUT", "DELETE"}:
                statuses |= {400, 409, 422}
            if handler.parsed_fn_signature.parameters and methods & {"GET"}:
                statuses |= {400, 422}
            existing = dict(handler.responses or {})
            # No body: Litestar would document a JSON null for a `Response[None]`.
            if handler.status_code == 204:
                existing.setdefault(204, ResponseSpec(data_container=None, description="Done; no content."))
            for status in sorted(statuses):
                existing.setdefault(status, _spec(status))
            if 400 not in existing:  # Litestar would document its own JSON 400; ours is problem+json
                existing[400] = _spec(400)
            handler.responses = existing

"""Signing in through an identity provider a plugin offers (``registry.add_identity_provider``).

The browser goes to ``start``, which sends it to the provider with a fresh
``state``; the provider sends it back to ``callback`` with a code. The state
is kept in Redis for ten minutes and in a cookie only this path receives
(SameSite=Lax, so it comes back with the provider's redirect), and must
match both: a callback someone else started (login CSRF) or replayed is
refused. The code is traded for the identity; the account with its verified
email signs in (or is made), and the browser gets the same httpOnly refresh
cookie as a password sign-in, then lands on the page it came from.
Failures land on the sign-in page with ``?error=<code>``: a browser is
never shown JSON in the middle of a sign-in.
"""

from __future__ import annotations

import logging
import secrets
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.accounts import schemas
from workhub.accounts.controllers import _auth, _refresh_cookie
from workhub.kernel.errors import AppError, NotFound
from workhub.kernel.extensions import IdentityProvider
from workhub.kernel.openapi import problems
from workhub.settings import Settings

__all__ = ("ExternalSignInController",)

logger = logging.getLogger("workhub.accounts")
STATE_COOKIE = "workhub_signin_state"
_PATH = "/api/v1/auth/providers"
_STATE_TTL = 600
ProviderName = Annotated[str, QueryParameter(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]
NextPath = Annotated[
    str, QueryParameter(max_length=500, description="Where to land after signing in: a path of this site")
]


class _Started(msgspec.Struct):
    provider: str
    next: str


def _safe_next(value: str) -> str:
    """A path of this site only: anything else (another host, ``//host``, a scheme) lands on the home page."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value or "\x00" in value:
        return "/"
    return value


def _provider(request: Request[Any, Any, Any], name: str) -> IdentityProvider:
    found = request.app.state.registry.identity_providers.get(name)
    if found is None:
        raise NotFound("No such sign-in provider.", code="unknown_provider")
    return found


def _callback_url(settings: Settings, name: str) -> str:
    return f"{settings.base_url}{_PATH}/{name}/callback"


def _state_cookie(value: str | None) -> Cookie:
    return Cookie(
        key=STATE_COOKIE,
        value=value or "",
        path=_PATH,
        httponly=True,
        samesite="lax",
        max_age=_STATE_TTL if value else 0,
    )


def _failed(code: str) -> Redirect:
    return Redirect(f"/sign-in?error={code}", status_code=HTTP_302_FOUND, cookies=[_state_cookie(None)])


class ExternalSignInController(Controller):
    """Sign-in providers (from plugins) and the two legs of their browser flow."""

    path = _PATH
    tags = ["auth"]

    @get(
        "",
        operation_id="ListSignInProviders",
        opt={"public": True},
        summary="Ways to sign in besides a password",
    )
    async def list_providers(self, request: Request[Any, Any, Any]) -> list[schemas.SignInProvider]:
        """The providers installed plugins offer, by name (the sign-in page shows a button for each)."""
        return [
            schemas.SignInProvider(name=name)
            for name in sorted(request.app.state.registry.identity_providers)
        ]

    @get(
        "/{provider:str}/start",
        operation_id="StartExternalSignIn",
        opt={"public": True},
        status_code=HTTP_302_FOUND,
        summary="Go to a provider to sign in",
        responses=problems(404, d404="No installed plugin offers this provider (`unknown_provider`)."),
    )
    async def start(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        provider: FromPath[str],
        next: NextPath = "/",
    ) -> Redirect:
        """302 to the provider's sign-in page; 404 ``unknown_provider``."""
        found = _provider(request, provider)
        state = secrets.token_urlsafe(32)
        started = msgspec.json.encode(_Started(provider=provider, next=_safe_next(next)))
        await request.app.state.redis.set(f"wh:signin:state:{state}", started, ex=_STATE_TTL)
        url = found.authorize_url(state, _callback_url(settings, provider))
        return Redirect(url, status_code=HTTP_302_FOUND, cookies=[_state_cookie(state)])

    @get(
        "/{provider:str}/callback",
        operation_id="FinishExternalSignIn",
        opt={"public": True, "keep_replay": False},
        status_code=HTTP_302_FOUND,
        summary="Come back from a provider",
        responses=problems(404, d404="No installed plugin offers this provider (`unknown_provider`)."),
    )
    async def callback(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        provider: FromPath[str],
        code: Annotated[str, QueryParameter(max_length=2000)] = "",
        returned_state: Annotated[str, QueryParameter(name="state", max_length=200)] = "",
    ) -> Redirect:
        """Signed in: the refresh cookie is set and the browser goes back where it started.

        Otherwise the browser lands on ``/sign-in?error=`` with
        ``signin_state_invalid`` (a state this browser did not start, or one
        used already), ``signin_refused`` (the provider said no, or its code
        did not work), ``external_email_missing`` or ``invalid_credentials``
        (a deactivated account).
        """
        found = _provider(request, provider)
        state = returned_state
        kept = await request.app.state.redis.getdel(f"wh:signin:state:{state}") if state else None
        if (
            not state
            or kept is None
            or not secrets.compare_digest(request.cookies.get(STATE_COOKIE, ""), state)
        ):
            return _failed("signin_state_invalid")
        started = msgspec.json.decode(kept, type=_Started)
        if started.provider != provider or not code:
            return _failed("signin_refused")
        try:
            identity = await found.exchange(code, _callback_url(settings, provider))
        except Exception:  # the provider's own failure: the user can only start again
            logger.warning("sign-in through %s failed at the code exchange", provider, exc_info=True)
            return _failed("signin_refused")
        registry = request.app.state.registry
        role = await registry.signup_role(db_session, (identity.email or "").strip().lower()) or "lead"
        try:
            pair = await _auth(request, db_session, settings).sign_in_external(identity, new_role=role)
        except AppError as exc:
            await db_session.rollback()
            return _failed(exc.code)
        # A redirect is not a 2xx, which the session's autocommit would keep: the sign-in commits here.
        await db_session.commit()
        refresh = _refresh_cookie(request, settings, pair.refresh_token)
        return Redirect(started.next, status_code=HTTP_302_FOUND, cookies=[refresh, _state_cookie(None)])

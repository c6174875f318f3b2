"""Routes of accounts: sign-up and sign-in, the caller's profile, user administration."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.accounts import schemas
from workhub.accounts.services import AuthService, UserService, normalise_email
from workhub.kernel.context import current_context
from workhub.kernel.errors import Unauthorized
from workhub.kernel.guards import admin_only
from workhub.kernel.openapi import problems
from workhub.kernel.pagination import MAX_LIMIT
from workhub.kernel.ratelimit import RateLimiter
from workhub.kernel.security import CurrentUser
from workhub.settings import Settings

__all__ = ("AdminUserController", "AuthController", "MeController")


def _limiter(request: Request[Any, Any, Any]) -> RateLimiter:
    return RateLimiter(request.app.state.redis)


def _auth(request: Request[Any, Any, Any], db_session: AsyncSession, settings: Settings) -> AuthService:
    return AuthService(db_session, settings, request.app.state.tokens)


REFRESH_COOKIE = "workhub_refresh"
"""The browser's refresh token: httpOnly (no script reads it), sent only to the auth routes."""
_COOKIE_PATH = "/api/v1/auth"


def _refresh_cookie(request: Request[Any, Any, Any], settings: Settings, value: str | None) -> Cookie:
    """The refresh cookie carrying ``value`` (None: the cookie that deletes it)."""
    secure = request.url.scheme == "https" or settings.base_url.startswith("https://")
    return Cookie(
        key=REFRESH_COOKIE,
        value=value or "",
        path=_COOKIE_PATH,
        httponly=True,
        secure=secure,
        samesite="strict",
        max_age=settings.refresh_token_ttl if value else 0,
    )


def _answer(
    request: Request[Any, Any, Any], settings: Settings, pair: schemas.TokenPair, mode: schemas.RefreshMode
) -> Response[schemas.TokenPair]:
    """The pair as asked: the refresh token in the body, or in the cookie and nulled in the body."""
    if mode == "body":
        return Response(pair)
    cookie = _refresh_cookie(request, settings, pair.refresh_token)
    return Response(msgspec.structs.replace(pair, refresh_token=None), cookies=[cookie])


class AuthController(Controller):
    """Sign-up, sign-in, token refresh and sign-out."""

    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/register", operation_id="Register", opt={"public": True}, summary="Create an account")
    async def register(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        data: JSONBody[schemas.RegisterRequest],
    ) -> schemas.User:
        """201 with the new user; rate-limited per address and per email.

        Someone signing up on their own starts a team: a ``lead``. Someone with
        a pending invitation joins a lead's project: a ``manager``.
        """
        limiter = _limiter(request)
        await limiter.hit(f"register:ip:{current_context().ip}", limit=settings.register_rate)
        await limiter.hit(f"register:acct:{normalise_email(data.email)}", limit=settings.register_rate)
        registry = request.app.state.registry
        role = await registry.signup_role(db_session, normalise_email(data.email)) or "lead"
        user = await UserService(session=db_session).register(data, role=role)
        return UserService.as_schema(user)

    @post(
        "/login",
        operation_id="Login",
        opt={"public": True, "keep_replay": False},  # tokens are never kept for an Idempotency-Key replay
        status_code=HTTP_200_OK,
        summary="Sign in",
        responses=problems(
            401, d401="Wrong email or password, or a deactivated account (`invalid_credentials`)."
        ),
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        data: JSONBody[schemas.LoginRequest],
    ) -> Response[schemas.TokenPair]:
        """Tokens for a right password; the same 401 for a wrong password and an unknown email.

        Rate-limited per address and per email. Wrong passwords lock out the
        address that tried them, not the account's owner (accounts/lockout.py
        and docs/api.md), whether or not an account has the email, so a lock
        reveals nothing either. With
        ``"refresh": "cookie"`` the refresh token is set as an httpOnly,
        SameSite=Strict cookie and is null in the body.
        """
        limiter = _limiter(request)
        email = normalise_email(data.email)
        auth = _auth(request, db_session, settings)
        await limiter.hit(f"login:ip:{current_context().ip}", limit=settings.login_rate)
        lockout = auth.lockout(email)
        if not await lockout.check():  # the owner's known addresses are not held back by others' attempts
            await limiter.hit(f"login:acct:{email}", limit=settings.login_rate)
        return _answer(request, settings, await auth.login(email, data.password, lockout), data.refresh)

    @post(
        "/refresh",
        operation_id="Refresh",
        opt={"public": True, "keep_replay": False},  # tokens are never kept; a repeat uses the grace window
        status_code=HTTP_200_OK,
        summary="Rotate tokens",
        responses=problems(
            401,
            d401="No refresh token, or an unknown, expired or reused one (`refresh_invalid`, `refresh_reused`).",
        ),
    )
    async def refresh(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        data: JSONBody[schemas.RefreshRequest | None] = None,
    ) -> Response[schemas.TokenPair]:
        """A new pair; the presented refresh token can never be used again.

        The token comes from the body, else from the refresh cookie; one that
        came from the cookie goes back into it (and is null in the body).
        """
        await _limiter(request).hit(f"refresh:ip:{current_context().ip}", limit=settings.login_rate * 6)
        raw = data.refresh_token if data else None
        mode: schemas.RefreshMode = "body" if raw else "cookie"
        raw = raw or request.cookies.get(REFRESH_COOKIE)
        if not raw:
            raise Unauthorized("Send a refresh token or the refresh cookie.", code="refresh_invalid")
        return _answer(request, settings, await _auth(request, db_session, settings).refresh(raw), mode)

    @post("/logout", operation_id="Logout", status_code=HTTP_204_NO_CONTENT, summary="Sign out")
    async def logout(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        data: JSONBody[schemas.LogoutRequest | None] = None,
    ) -> Response[None]:
        """End this login (its refresh tokens, and its access tokens until they expire), or every login.

        The refresh cookie, if any, is cleared.
        """
        auth = _auth(request, db_session, settings)
        if data is not None and data.everywhere:
            await auth.end_sessions(request.user.id)
            await request.app.state.tokens.deny(request.user)
        else:
            raw = (data.refresh_token if data else None) or request.cookies.get(REFRESH_COOKIE)
            await auth.logout(raw, request.user)
        cookies = [_refresh_cookie(request, settings, None)] if REFRESH_COOKIE in request.cookies else []
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=cookies)


class MeController(Controller):
    """The signed-in user's own account."""

    path = "/api/v1/me"
    tags = ["me"]

    @get("", operation_id="GetMe", summary="Who am I")
    async def get_me(
        self, request: Request[CurrentUser, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> schemas.User:
        """The caller's profile."""
        return UserService.as_schema(await UserService(session=db_session).get(request.user.id))

    @patch("", operation_id="UpdateMe", summary="Change my profile")
    async def update_me(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[schemas.UserUpdate],
    ) -> schemas.User:
        """Name, language, time zone, reminder offsets (minutes before a deadline), digest hour and opt-out.

        A new language applies to the next request already (the access token still names the old one).
        """
        user = await UserService(session=db_session).update_profile(request.user.id, data)
        if user.locale != request.user.locale:
            await request.app.state.tokens.language_changed(user.id, user.locale)
        return UserService.as_schema(user)

    @post(
        "/password",
        operation_id="ChangePassword",
        status_code=HTTP_204_NO_CONTENT,
        summary="Change my password",
    )
    async def change_password(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        data: JSONBody[schemas.PasswordChange],
    ) -> None:
        """Every other session ends (refresh tokens revoked, access tokens denied); this one goes on."""
        await UserService(session=db_session).change_password(request.user.id, data)
        await _auth(request, db_session, settings).end_sessions(request.user.id, keep=request.user)


class AdminUserController(Controller):
    """User administration for system administrators."""

    path = "/api/v1/admin/users"
    tags = ["admin"]
    guards = [admin_only]

    @get("", operation_id="AdminListUsers", summary="List users")
    async def list_users(
        self,
        db_session: NamedDependency[AsyncSession],
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        role: Annotated[str | None, QueryParameter(pattern="^(admin|lead|manager)$")] = None,
        active: FromQuery[bool | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
        cursor: Annotated[str | None, QueryParameter(max_length=1000)] = None,
    ) -> schemas.UserPage:
        """Filter by text (name or email), role and active flag; ordered by email."""
        return await UserService(session=db_session).page(
            q=q, role=role, active=active, limit=limit, cursor=cursor
        )

    @patch("/{user_id:uuid}", operation_id="AdminUpdateUser", summary="Change a user's role or active flag")
    async def update_user(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        user_id: FromPath[UUID],
        data: JSONBody[schemas.AdminUserUpdate],
    ) -> schemas.User:
        """The last active administrator can be neither demoted nor deactivated (409 ``last_admin``).

        A role change denies the user's access tokens so the next ones carry
        the new role; deactivation ends every session of the user.
        """
        change = await UserService(session=db_session).admin_update(user_id, data)
        auth = _auth(request, db_session, settings)
        if change.deactivated:
            await auth.end_sessions(change.user.id)
        elif change.role_changed:
            await auth.end_sessions(change.user.id, refresh=False)
        return UserService.as_schema(change.user)

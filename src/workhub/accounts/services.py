"""Accounts: registration, sign-in with rotating refresh tokens, profiles, administration."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import func, or_, select, update

from workhub.accounts import schemas
from workhub.accounts.events import (
    UserLoggedIn,
    UserPasswordChanged,
    UserRegistered,
    UserRoleChanged,
    UserUpdated,
)
from workhub.accounts.models import RefreshToken, User
from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, current_context, set_context
from workhub.kernel.db import new_id
from workhub.kernel.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.kernel.security import hash_password, hash_token, new_token, verify_password

if TYPE_CHECKING:
    from workhub.kernel.security import TokenService
    from workhub.settings import Settings

__all__ = ("AuthService", "UserService", "normalise_email")

MIN_PASSWORD = 10


def normalise_email(email: str) -> str:
    """Trim and lower-case an email so one address is one account."""
    return email.strip().lower()


def check_password(password: str, email: str, field: str = "password") -> None:
    """Refuse a password shorter than 10 characters or equal to the email."""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed.field(
            field, f"The password needs at least {MIN_PASSWORD} characters.", code="weak_password"
        )
    if password.strip().lower() == normalise_email(email):
        raise ValidationFailed.field(field, "The password must not be the email.", code="weak_password")


def check_timezone(name: str) -> None:
    """Refuse a time zone that is not an IANA name."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed.field(
            "timezone", "Unknown time zone (use an IANA name such as Europe/Moscow)."
        ) from exc


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


class UserService(SQLAlchemyAsyncRepositoryService[User]):
    """Users: the only code that reads or writes ``user_account``."""

    class Repo(SQLAlchemyAsyncRepository[User]):
        """User rows."""

        model_type = User

    repository_type = Repo

    @staticmethod
    def as_schema(user: User) -> schemas.User:
        """The API form of a user."""
        return schemas.User(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,  # type: ignore[arg-type]
            is_active=user.is_active,
            locale=user.locale,  # type: ignore[arg-type]
            timezone=user.timezone,
            reminder_offsets=list(user.reminder_offsets or []),
            created_at=user.created_at,
        )

    async def by_email(self, email: str) -> User | None:
        """The user with this (normalised) email, if any."""
        return await self.repository.get_one_or_none(email=normalise_email(email))

    async def register(self, data: schemas.RegisterRequest, *, role: str = "member") -> User:
        """Create an account; the new user is the actor of its own creation."""
        email = normalise_email(data.email)
        check_password(data.password, email)
        if await self.by_email(email) is not None:
            raise Conflict("This email cannot be used for a new account.", code="email_unavailable")
        user = User(
            id=new_id(),
            email=email,
            name=data.name.strip(),
            password_hash=hash_password(data.password),
            role=role,
            locale=data.locale or current_context().locale,
        )
        session = self.repository.session
        session.add(user)
        ctx = current_context()
        if ctx.actor.kind == "system" and ctx.actor.name == "anonymous":
            set_context(msgspec.structs.replace(ctx, actor=Actor(kind="user", id=user.id, name=user.name)))
        await publish(
            session, UserRegistered(entity_id=user.id, email=email, changes={"email": [None, email]})
        )
        await session.flush()
        return user

    async def update_profile(self, user_id: UUID, data: schemas.UserUpdate) -> User:
        """Change the caller's own profile fields."""
        user = await self.get(user_id)
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if "timezone" in values:
            check_timezone(values["timezone"])
        if "reminder_offsets" in values:
            values["reminder_offsets"] = sorted(set(values["reminder_offsets"]), reverse=True)
        before = {k: getattr(user, k) for k in values}
        changes = _diff(before, values)
        for key, value in values.items():
            setattr(user, key, value)
        if changes:
            await publish(self.repository.session, UserUpdated(entity_id=user.id, changes=changes))
        await self.repository.session.flush()
        return user

    async def change_password(self, user_id: UUID, data: schemas.PasswordChange) -> User:
        """Check the current password, set the new one; the caller re-authenticates everywhere."""
        user = await self.get(user_id)
        if not verify_password(user.password_hash, data.current_password):
            raise ValidationFailed.field(
                "current_password", "The current password is wrong.", code="wrong_password"
            )
        check_password(data.new_password, user.email, "new_password")
        user.password_hash = hash_password(data.new_password)
        await publish(self.repository.session, UserPasswordChanged(entity_id=user.id))
        await self.repository.session.flush()
        return user

    async def admin_update(self, user_id: UUID, data: schemas.AdminUserUpdate) -> tuple[User, bool]:
        """Change role or active flag; returns the user and whether access must be cut."""
        user = await self.repository.get_one_or_none(id=user_id)
        if user is None:
            raise NotFound
        session = self.repository.session
        demoting = data.role is not msgspec.UNSET and data.role != "admin" and user.role == "admin"
        deactivating = data.is_active is False and user.is_active
        if (demoting or deactivating) and user.role == "admin" and user.is_active:
            others = await session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == "admin", User.is_active.is_(True), User.id != user.id)
                .with_for_update()
            )
            if not others:
                raise Conflict(
                    "The last active administrator cannot be demoted or deactivated.", code="last_admin"
                )
        cut = False
        if data.role is not msgspec.UNSET and data.role != user.role:
            old = user.role
            user.role = data.role
            await publish(
                session,
                UserRoleChanged(
                    entity_id=user.id, old_role=old, new_role=data.role, changes={"role": [old, data.role]}
                ),
            )
            cut = True
        if data.is_active is not msgspec.UNSET and data.is_active != user.is_active:
            changes = {"is_active": [user.is_active, data.is_active]}
            user.is_active = data.is_active
            await publish(session, UserUpdated(entity_id=user.id, changes=changes))
            cut = True
        if cut and not user.is_active:
            await AuthService.revoke_all(session, user.id)
        await session.flush()
        return user, cut

    async def page(
        self, *, q: str | None, role: str | None, active: bool | None, limit: int, cursor: str | None
    ) -> schemas.UserPage:
        """Users ordered by email, filtered by text (name or email), role and active flag."""
        stmt = select(User).order_by(User.email).limit(limit + 1)
        if q:
            pattern = f"%{q.strip().lower()}%"
            stmt = stmt.where(or_(User.email.like(pattern), func.lower(User.name).like(pattern)))
        if role:
            stmt = stmt.where(User.role == role)
        if active is not None:
            stmt = stmt.where(User.is_active.is_(active))
        if cursor:
            (last,) = decode_cursor(cursor, 1)
            stmt = stmt.where(User.email > str(last))
        rows = list((await self.repository.session.execute(stmt)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.UserPage(
            items=[self.as_schema(u) for u in rows],
            next_cursor=encode_cursor(rows[-1].email) if more and rows else None,
        )


class AuthService:
    """Sign-in, refresh-token rotation with reuse detection, and sign-out."""

    def __init__(self, session: Any, settings: Settings, tokens: TokenService) -> None:
        self.session = session
        self.settings = settings
        self.tokens = tokens

    async def login(self, email: str, password: str) -> schemas.TokenPair:
        """Check the password (same time and answer whether or not the email exists)."""
        users = UserService(session=self.session)
        user = await users.by_email(email)
        if user is None or not verify_password(user.password_hash, password) or not user.is_active:
            raise Unauthorized("Wrong email or password.", code="invalid_credentials")
        user.last_login_at = clock.now()
        set_context(msgspec.structs.replace(current_context(), actor=Actor(kind="user", id=user.id)))
        await publish(self.session, UserLoggedIn(entity_id=user.id))
        return await self._issue(user, family_id=uuid4())

    async def refresh(self, raw_token: str) -> schemas.TokenPair:
        """Rotate a refresh token; a rotated one presented again revokes its family."""
        row = await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw_token)).with_for_update()
        )
        now = clock.now()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise Unauthorized("The refresh token is not valid.", code="refresh_invalid")
        if row.rotated_at is not None:
            await self.revoke_family(self.session, row.family_id)
            await self.session.commit()
            raise Unauthorized(
                "The refresh token was already used; every session of this login ended.",
                code="refresh_reused",
            )
        user = await self.session.get(User, row.user_id)
        if user is None or not user.is_active:
            raise Unauthorized("The refresh token is not valid.", code="refresh_invalid")
        row.rotated_at = now
        return await self._issue(user, family_id=row.family_id)

    async def logout(self, raw_token: str | None, user_id: UUID) -> None:
        """Revoke the refresh family (when the token is given) of this user."""
        if raw_token:
            row = await self.session.scalar(
                select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw_token))
            )
            if row is not None and row.user_id == user_id:
                await self.revoke_family(self.session, row.family_id)

    async def _issue(self, user: User, *, family_id: UUID) -> schemas.TokenPair:
        raw = new_token()
        self.session.add(
            RefreshToken(
                user_id=user.id,
                family_id=family_id,
                token_hash=hash_token(raw),
                expires_at=clock.now() + timedelta(seconds=self.settings.refresh_token_ttl),
            )
        )
        access, ttl = self.tokens.issue(user.id, user.role, user.locale)
        await self.session.flush()
        return schemas.TokenPair(access_token=access, refresh_token=raw, expires_in=ttl)

    @staticmethod
    async def revoke_family(session: Any, family_id: UUID) -> None:
        """End every token of one login."""
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )

    @staticmethod
    async def revoke_all(session: Any, user_id: UUID) -> None:
        """End every login of a user (password change, deactivation)."""
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )

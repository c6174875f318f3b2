"""Accounts: registration, sign-in with rotating refresh tokens, profiles, administration."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID, uuid4
from zoneinfo import available_timezones

import msgspec
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import (
    ARRAY,
    Date,
    DateTime,
    Row,
    Uuid,
    any_,
    bindparam,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from workhub.accounts import schemas
from workhub.accounts.events import (
    UserLoggedIn,
    UserPasswordChanged,
    UserRegistered,
    UserRoleChanged,
    UserUpdated,
)
from workhub.accounts.grace import keep_rotated_pair, read_rotated_pair
from workhub.accounts.lockout import Lockout
from workhub.accounts.models import RefreshToken, User
from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, current_context, set_context
from workhub.kernel.db import new_id
from workhub.kernel.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.extensions import ExternalIdentity
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.kernel.security import CurrentUser, hash_password, hash_token, new_token, verify_password
from workhub.kernel.services import Service

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy import Subquery

    from workhub.kernel.security import TokenService
    from workhub.settings import Settings

__all__ = (
    "REFRESH_GRACE_SECONDS",
    "AdminChange",
    "AuthService",
    "UserService",
    "current_system_role",
    "digest_recipients",
    "normalise_email",
)

MIN_PASSWORD = 10
REFRESH_GRACE_SECONDS = 30
"""How long a just-rotated refresh token still gets the pair it was traded for, instead of counting as reuse."""


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


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    # The names of the IANA database, less the host-specific aliases it ships.
    return frozenset(available_timezones() - {"localtime", "posixrules", "Factory"})


def check_timezone(name: str) -> None:
    """Refuse a time zone that is not an IANA name.

    Checking against the list rather than opening ``ZoneInfo(name)`` also
    refuses a folder of the database (``Europe``) and path tricks.
    """
    if name not in _time_zones():
        raise ValidationFailed.field(
            "timezone", "Unknown time zone (use an IANA name such as Europe/Moscow)."
        )


async def _hash(password: str) -> str:
    # argon2 takes a good fraction of a second of CPU (and frees the GIL): off the event loop.
    return await asyncio.to_thread(hash_password, password)


async def _verify(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


def digest_recipients(now: datetime) -> Subquery:
    """Active users whose local clock has reached their digest hour at ``now``, as a Core subquery.

    Columns: ``user_id``, ``locale``, ``timezone`` and ``local_date`` (the
    user's calendar day at ``now``). The local time is worked out by
    PostgreSQL (``now AT TIME ZONE user.timezone``), so daylight-saving
    changes follow the IANA rules; the notifications module joins this to
    its record of digests already sent, without touching this module's table.
    """
    local = func.timezone(User.timezone, literal(now, DateTime(timezone=True)))
    return (
        select(
            User.id.label("user_id"),
            User.locale.label("locale"),
            User.timezone.label("timezone"),
            cast(local, Date).label("local_date"),
        )
        .where(User.is_active, User.digest_enabled, extract("hour", local) >= User.digest_hour)
        .subquery("digest_recipients")
    )


async def current_system_role(session: Any, user_id: UUID) -> str | None:
    """The user's system role as stored now; None for an unknown or deactivated user (the admin guard's source)."""
    return await session.scalar(select(User.role).where(User.id == user_id, User.is_active.is_(True)))


def _like(text: str) -> str:
    """A ``LIKE`` pattern finding ``text`` anywhere, its own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class AdminChange(NamedTuple):
    """What an administrator's change did, so the caller can end sessions to match."""

    user: User
    role_changed: bool
    deactivated: bool


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


_PROFILE_COLUMNS = (
    User.id,
    User.email,
    User.name,
    User.role,
    User.is_active,
    User.locale,
    User.timezone,
    User.reminder_offsets,
    User.created_at,
    User.digest_hour,
    User.digest_enabled,
)
"""The columns of a user's profile (:class:`~workhub.accounts.schemas.User`)."""


class UserService(Service[User]):
    """Users: the only code that reads or writes ``user_account``."""

    class Repo(SQLAlchemyAsyncRepository[User]):
        """User rows."""

        model_type = User

    repository_type = Repo

    @staticmethod
    def as_schema(user: User | Row[*tuple[Any, ...]]) -> schemas.User:
        """The API form of a user (an ORM object or a row of :data:`_PROFILE_COLUMNS`)."""
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
            digest_hour=user.digest_hour,
            digest_enabled=user.digest_enabled,
        )

    async def by_email(self, email: str) -> User | None:
        """The user with this (normalised) email, if any."""
        return await self.repository.get_one_or_none(email=normalise_email(email))

    async def register(self, data: schemas.RegisterRequest, *, role: str = "manager") -> User:
        """Create an account with system ``role``; the new user is the actor of its own creation.

        The registration route chooses lead or manager; the default is the
        least a user may be.
        """
        email = normalise_email(data.email)
        check_password(data.password, email)
        if await self.by_email(email) is not None:
            raise Conflict("This email cannot be used for a new account.", code="email_unavailable")
        user = User(
            id=new_id(),
            email=email,
            name=data.name.strip(),
            password_hash=await _hash(data.password),
            role=role,
            locale=data.locale or current_context().locale,
        )
        session = self.session
        session.add(user)
        ctx = current_context()
        if ctx.actor.kind == "system" and ctx.actor.name == "anonymous":
            set_context(msgspec.structs.replace(ctx, actor=Actor(kind="user", id=user.id, name=user.name)))
        await publish(
            session, UserRegistered(entity_id=user.id, email=email, changes={"email": [None, email]})
        )
        try:
            await session.flush()
        except IntegrityError as exc:  # a concurrent sign-up with the same address won the race
            raise Conflict("This email cannot be used for a new account.", code="email_unavailable") from exc
        return user

    async def find_profile(self, user_id: UUID) -> schemas.User | None:
        """The API form of a user, or None; what other modules may read about a user."""
        user = await self.repository.get_one_or_none(id=user_id)
        return None if user is None else self.as_schema(user)

    async def find_profiles(self, user_ids: list[UUID]) -> dict[UUID, schemas.User]:
        """:meth:`find_profile` for many users in one query (batch jobs); absent ones are left out."""
        if not user_ids:
            return {}
        # Plain rows, not ORM objects: a reminder run asks for a thousand users at once.
        rows = await self.session.execute(
            select(*_PROFILE_COLUMNS).where(User.id == any_(bindparam("ids", user_ids, type_=ARRAY(Uuid))))
        )
        return {row.id: self.as_schema(row) for row in rows}

    async def update_profile(self, user_id: UUID, data: schemas.UserUpdate) -> User:
        """Change the caller's own profile fields."""
        user = await self.get(user_id)
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if "name" in values:
            values["name"] = values["name"].strip()
            if not values["name"]:
                raise ValidationFailed.field("name", "The name must not be blank.")
        if "timezone" in values:
            check_timezone(values["timezone"])
        if "reminder_offsets" in values:
            values["reminder_offsets"] = sorted(set(values["reminder_offsets"]), reverse=True)
        before = {k: getattr(user, k) for k in values}
        changes = _diff(before, values)
        for key, value in values.items():
            setattr(user, key, value)
        if changes:
            await publish(self.session, UserUpdated(entity_id=user.id, changes=changes))
        await self.session.flush()
        return user

    async def change_password(self, user_id: UUID, data: schemas.PasswordChange) -> User:
        """Check the current password, set the new one; the caller re-authenticates everywhere."""
        user = await self.get(user_id)
        if not await _verify(user.password_hash, data.current_password):
            raise ValidationFailed.field(
                "current_password", "The current password is wrong.", code="wrong_password"
            )
        check_password(data.new_password, user.email, "new_password")
        user.password_hash = await _hash(data.new_password)
        await publish(self.session, UserPasswordChanged(entity_id=user.id))
        await self.session.flush()
        return user

    async def admin_update(self, user_id: UUID, data: schemas.AdminUserUpdate) -> AdminChange:
        """Change role or active flag; the last active administrator stays one.

        Every active administrator row is locked first, always in id order, so
        two administrators demoting each other at once are serialised and the
        second one sees that only they are left (no deadlock, no zero admins).
        """
        session = self.session
        admins = set(
            (
                await session.scalars(
                    select(User.id)
                    .where(User.role == "admin", User.is_active.is_(True))
                    .order_by(User.id)
                    .with_for_update()
                )
            ).all()
        )
        user = await session.scalar(
            select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
        )
        if user is None:
            raise NotFound
        demoting = data.role is not msgspec.UNSET and data.role != "admin"
        deactivating = data.is_active is False
        if user.id in admins and (demoting or deactivating) and not admins - {user.id}:
            raise Conflict(
                "The last active administrator cannot be demoted or deactivated.", code="last_admin"
            )
        new_role = user.role if data.role is msgspec.UNSET else data.role
        role_changed = new_role != user.role
        if role_changed:
            old = user.role
            user.role = new_role
            await publish(
                session,
                UserRoleChanged(
                    entity_id=user.id, old_role=old, new_role=new_role, changes={"role": [old, new_role]}
                ),
            )
        deactivated = False
        if data.is_active is not msgspec.UNSET and data.is_active != user.is_active:
            changes = {"is_active": [user.is_active, data.is_active]}
            user.is_active = data.is_active
            deactivated = not data.is_active
            await publish(session, UserUpdated(entity_id=user.id, changes=changes))
        await session.flush()
        return AdminChange(user, role_changed, deactivated)

    async def page(
        self, *, q: str | None, role: str | None, active: bool | None, limit: int, cursor: str | None
    ) -> schemas.UserPage:
        """Users ordered by email, filtered by text (name or email), role and active flag."""
        stmt = select(User).order_by(User.email).limit(limit + 1)
        if q and q.strip():
            pattern = _like(q.strip().lower())
            stmt = stmt.where(
                or_(User.email.like(pattern, escape="\\"), User.name.ilike(pattern, escape="\\"))
            )
        if role:
            stmt = stmt.where(User.role == role)
        if active is not None:
            stmt = stmt.where(User.is_active.is_(active))
        if cursor:
            (last,) = decode_cursor(cursor, 1)
            stmt = stmt.where(User.email > str(last))
        rows = list((await self.session.execute(stmt)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.UserPage(
            items=[self.as_schema(u) for u in rows],
            next_cursor=encode_cursor(rows[-1].email) if more and rows else None,
        )


class AuthService:
    """Sign-in with lockout, refresh-token rotation with reuse detection, ending sessions.

    A login is a family of refresh tokens; each refresh token row also names
    the access token issued with it (``access_jti``), so ending a login ends
    its access tokens too, without touching the user's other logins.
    """

    def __init__(self, session: Any, settings: Settings, tokens: TokenService) -> None:
        self.session = session
        self.settings = settings
        self.tokens = tokens

    @property
    def redis(self) -> Redis:
        """The Redis that keeps wrong-password counters (the token service's)."""
        return self.tokens.redis

    def lockout(self, email: str) -> Lockout:
        """The lockout counters of a sign-in to ``email`` from the caller's address (accounts/lockout.py)."""
        return Lockout(self.redis, self.settings, normalise_email(email), current_context().ip)

    async def login(self, email: str, password: str, lockout: Lockout | None = None) -> schemas.TokenPair:
        """Check the password (same time and answer whether or not the email exists).

        ``lockout``: counters the caller has already checked (the login route
        does, to know whether the address is known); otherwise they are checked here.
        """
        email = normalise_email(email)
        if lockout is None:
            lockout = self.lockout(email)
            await lockout.check()
        user = await UserService(session=self.session).by_email(email)
        right = await _verify(user.password_hash if user is not None else None, password)
        if user is None or not right or not user.is_active:
            await lockout.failed()
            raise Unauthorized("Wrong email or password.", code="invalid_credentials")
        await lockout.succeeded()
        user.last_login_at = clock.now()
        set_context(msgspec.structs.replace(current_context(), actor=Actor(kind="user", id=user.id)))
        await publish(self.session, UserLoggedIn(entity_id=user.id))
        return await self._issue(user, family_id=uuid4())

    async def sign_in_external(self, identity: ExternalIdentity, *, new_role: str) -> schemas.TokenPair:
        """Tokens for someone an identity provider vouched for, by the email it verified.

        The account with that email signs in; without one, an account is made
        (system role ``new_role``, a random password nobody knows: the
        provider is how they sign in until they set one). A deactivated
        account is refused like a wrong password.
        """
        if not identity.email:
            raise Unauthorized(
                "The provider did not say which email is yours.", code="external_email_missing"
            )
        email = normalise_email(identity.email)
        users = UserService(session=self.session)
        user = await users.by_email(email)
        if user is None:
            name = (identity.name or email.split("@", 1)[0]).strip()[:100] or email
            try:
                form = msgspec.convert(
                    {"email": email, "name": name, "password": new_token()}, schemas.RegisterRequest
                )
            except msgspec.ValidationError as exc:
                raise Unauthorized(
                    "The provider's account cannot be used here.", code="external_identity_invalid"
                ) from exc
            user = await users.register(form, role=new_role)
        if not user.is_active:
            raise Unauthorized("Wrong email or password.", code="invalid_credentials")
        user.last_login_at = clock.now()
        set_context(msgspec.structs.replace(current_context(), actor=Actor(kind="user", id=user.id)))
        await publish(
            self.session,
            UserLoggedIn(entity_id=user.id, changes={"provider": [None, identity.provider]}),
        )
        return await self._issue(user, family_id=uuid4())

    async def refresh(self, raw_token: str) -> schemas.TokenPair:
        """Rotate a refresh token; a rotated one presented again ends its whole login.

        Except just after its rotation: within :data:`REFRESH_GRACE_SECONDS` a
        second use (two tabs, a double submit, a retried request) gets the
        pair the first use made. That pair waits in Redis encrypted with a key
        derived from the old token itself (:mod:`workhub.accounts.grace`), so
        only a holder of that token can read it.
        """
        token_hash = hash_token(raw_token)
        row = await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        )
        now = clock.now()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise Unauthorized("The refresh token is not valid.", code="refresh_invalid")
        if row.rotated_at is not None:
            if now - row.rotated_at <= timedelta(seconds=REFRESH_GRACE_SECONDS):
                kept = await read_rotated_pair(self.redis, raw_token, token_hash)
                if kept is not None:
                    return kept
            await self.end_family(row.family_id)
            # Committed here: the error response below rolls the request's transaction back.
            await self.session.commit()
            raise Unauthorized(
                "The refresh token was already used; every session of this login ended.",
                code="refresh_reused",
            )
        user = await self.session.get(User, row.user_id)
        if user is None or not user.is_active:
            raise Unauthorized("The refresh token is not valid.", code="refresh_invalid")
        row.rotated_at = now
        pair = await self._issue(user, family_id=row.family_id)
        # Kept before the rotation commits: a parallel use waiting on the row lock finds it.
        await keep_rotated_pair(self.redis, raw_token, token_hash, pair, REFRESH_GRACE_SECONDS)
        return pair

    async def logout(self, raw_token: str | None, current: CurrentUser) -> None:
        """End the caller's login: its refresh tokens and every access token it issued.

        The login is the family of the presented refresh token (when it is the
        caller's) and the family the access token came from.
        """
        families: set[UUID] = set()
        if raw_token:
            row = await self.session.scalar(
                select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw_token))
            )
            if row is not None and row.user_id == current.id:
                families.add(row.family_id)
        own = await self._family_of(current)
        if own is not None:
            families.add(own)
        for family_id in families:
            await self.end_family(family_id)
        await self.tokens.deny(current)

    async def end_family(self, family_id: UUID) -> None:
        """End one login: revoke its refresh tokens and deny its live access tokens."""
        await self._deny_access(RefreshToken.family_id == family_id)
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )

    async def end_sessions(
        self, user_id: UUID, *, keep: CurrentUser | None = None, refresh: bool = True
    ) -> None:
        """End a user's logins (all but the one ``keep`` belongs to).

        ``refresh=False`` only denies the access tokens: the user's clients
        refresh and get tokens that carry what changed (a new role).
        """
        keep_family = await self._family_of(keep) if keep is not None else None
        where = [RefreshToken.user_id == user_id]
        if keep_family is not None:
            where.append(RefreshToken.family_id != keep_family)
        await self._deny_access(*where)
        if refresh:
            await self.session.execute(
                update(RefreshToken)
                .where(*where, RefreshToken.revoked_at.is_(None))
                .values(revoked_at=clock.now())
            )

    async def _family_of(self, user: CurrentUser) -> UUID | None:
        return await self.session.scalar(
            select(RefreshToken.family_id).where(
                RefreshToken.user_id == user.id, RefreshToken.access_jti == user.jti
            )
        )

    async def _deny_access(self, *where: Any) -> None:
        """Deny the access tokens, still live, of the refresh-token rows matching ``where``."""
        ttl = self.settings.access_token_ttl
        rows = (
            await self.session.execute(
                select(RefreshToken.user_id, RefreshToken.access_jti, RefreshToken.created_at).where(
                    *where,
                    RefreshToken.access_jti.is_not(None),
                    # Real time, like the tokens' own ``exp`` (not the shiftable clock).
                    RefreshToken.created_at > datetime.now(UTC) - timedelta(seconds=ttl + 60),
                )
            )
        ).all()
        for user_id, jti, created_at in rows:
            # The row is written just after its token is signed: its time + ttl covers the token's exp.
            exp = int(created_at.timestamp()) + ttl + 5
            await self.tokens.deny(CurrentUser(id=user_id, role="manager", jti=jti, exp=exp))

    async def _issue(self, user: User, *, family_id: UUID) -> schemas.TokenPair:
        raw = new_token()
        access, ttl = self.tokens.issue(user.id, user.role, user.locale)
        claims, _ = self.tokens.decode(access)
        self.session.add(
            RefreshToken(
                user_id=user.id,
                family_id=family_id,
                token_hash=hash_token(raw),
                expires_at=clock.now() + timedelta(seconds=self.settings.refresh_token_ttl),
                access_jti=claims.jti,
            )
        )
        await self.session.flush()
        return schemas.TokenPair(access_token=access, refresh_token=raw, expires_in=ttl)

"""Routes of the calendar: the range view and private ICS feeds."""

from __future__ import annotations

from email.utils import format_datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_304_NOT_MODIFIED
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.accounts.api import UserService
from workhub.kernel.context import current_context
from workhub.kernel.errors import FieldError, ValidationFailed
from workhub.kernel.i18n import translate
from workhub.kernel.openapi import problems
from workhub.kernel.ratelimit import RateLimiter
from workhub.kernel.security import CurrentUser, hash_token
from workhub.projects.api import ProjectService
from workhub.settings import Settings
from workhub.tasks import calendar_schemas as schemas
from workhub.tasks.calendar import MAX_RANGE, calendar_range, feed_tasks
from workhub.tasks.controllers import MOMENT_SCHEMA, request_zone
from workhub.tasks.feeds import FeedService, feed_invalid, feed_version, not_modified
from workhub.tasks.filters import parse_moment, parse_task_filters, resolve_moments
from workhub.tasks.ics import render_feed

__all__ = ("CalendarController", "CalendarFeedController")

FEED_RATE_PER_IP = 120
"""Feed fetches per minute from one address (calendar apps poll every few minutes at most)."""
FEED_RATE_PER_TOKEN = 30
"""Feed fetches per minute of one feed."""


class CalendarController(Controller):
    """The caller's tasks by deadline, for the dashboard's calendar."""

    path = "/api/v1/calendar"
    tags = ["calendar"]

    @get("", operation_id="GetCalendar", summary="Tasks with deadlines in a range")
    async def get_calendar(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        start: Annotated[
            str | None,
            QueryParameter(
                name="from",
                required=True,
                description="Deadlines at or after this time (UTC if no zone is given), "
                "or from the start of this date (`2026-12-05`) in your time zone",
                schema_extra=MOMENT_SCHEMA,
            ),
        ] = None,
        end: Annotated[
            str | None,
            QueryParameter(
                name="to",
                required=True,
                description="Deadlines before this time (UTC if no zone), or up to the end of this date "
                "(`2026-12-05`, the day included) in your time zone; at most 366 days after `from`",
                schema_extra=MOMENT_SCHEMA,
            ),
        ] = None,
        assignee: Annotated[
            str | None, QueryParameter(description="`me`, a user id, or `none` for tasks without an assignee")
        ] = None,
        creator: Annotated[str | None, QueryParameter(description="`me` or a user id")] = None,
        project: Annotated[UUID | None, QueryParameter(description="Only tasks of this project")] = None,
        status: Annotated[
            str | None,
            QueryParameter(
                description="Comma-separated: `todo`, `in_progress`, `done`, `cancelled`, `overdue`"
            ),
        ] = None,
        label: Annotated[
            list[str] | None,
            QueryParameter(description="Repeat or comma-separate; a task must carry every label given"),
        ] = None,
        priority: Annotated[
            str | None, QueryParameter(description="Comma-separated: `low`, `normal`, `high`, `urgent`")
        ] = None,
        q: Annotated[
            str | None,
            QueryParameter(max_length=200, description="Text in the title or description (case-insensitive)"),
        ] = None,
    ) -> schemas.Calendar:
        """Tasks of the caller's projects (administrators: every project) with a deadline in ``[from, to)``.

        Filters work as in ``GET /api/v1/tasks``; earliest deadline first, at
        most 2000 tasks (``truncated`` says when there were more). A range
        longer than 366 days, or one that ends before it starts, is a 422;
        its errors name ``from`` and ``to``, the parameters as sent.
        """
        errors: list[FieldError] = []
        for name, raw in (("from", start), ("to", end)):
            if raw is None:
                errors.append(FieldError(field=name, message="Required."))
        first, last = parse_moment("from", start, errors), parse_moment("to", end, errors)
        if errors:
            raise ValidationFailed("Some query parameters are not valid.", errors=errors)
        zone = request_zone(request)
        begin, finish = await resolve_moments(first, last, zone)
        assert begin is not None and finish is not None
        if finish <= begin or finish - begin > MAX_RANGE:
            message = "`to` must be after `from`, at most 366 days later."
            raise ValidationFailed(
                message, code="invalid_range", errors=[FieldError(field="to", message=message)]
            )
        filters = await parse_task_filters(
            request.user.id,
            zone,
            assignee=assignee,
            creator=creator,
            project=project,
            status=status,
            label=label,
            priority=priority,
            q=q,
        )
        user = request.user
        return await calendar_range(
            db_session, filters, start=begin, end=finish, user_id=user.id, is_admin=user.is_admin
        )


class CalendarFeedController(Controller):
    """Private ICS feed URLs: make, list and revoke them; calendar apps fetch them without signing in."""

    path = "/api/v1/calendar/feeds"
    tags = ["calendar"]

    @post(
        "",
        operation_id="CreateCalendarFeed",
        summary="Make a private calendar feed URL",
        responses=problems(
            404, d404="The project of a project feed is absent, or not one the caller may read."
        ),
    )
    async def create_feed(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        data: JSONBody[schemas.CalendarFeedCreate],
    ) -> schemas.NewCalendarFeed:
        """201 with the URL to subscribe to (shown this once); 404 for a project the caller cannot read."""
        return await FeedService(session=db_session).create_feed(
            request.user, data, base_url=settings.base_url
        )

    @get("", operation_id="ListCalendarFeeds", summary="My calendar feeds")
    async def list_feeds(
        self, request: Request[CurrentUser, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> schemas.CalendarFeedList:
        """The caller's live feeds (without their URLs, which are secret)."""
        return await FeedService(session=db_session).list_feeds(request.user.id)

    @delete("/{feed_id:uuid}", operation_id="RevokeCalendarFeed", summary="Revoke a calendar feed URL")
    async def revoke_feed(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        feed_id: FromPath[UUID],
    ) -> None:
        """The URL answers 404 from now on; another user's feed is a 404."""
        await FeedService(session=db_session).revoke_feed(request.user.id, feed_id)

    @get(
        "/{filename:str}",
        operation_id="GetCalendarFeedIcs",
        opt={"public": True},
        summary="A calendar feed (ICS)",
        media_type="text/calendar",
        responses={
            HTTP_304_NOT_MODIFIED: ResponseSpec(
                data_container=None,
                description="Unchanged since the `If-None-Match` / `If-Modified-Since` sent",
            )
        },
    )
    async def get_feed(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        filename: FromPath[str],
    ) -> Response[bytes]:
        """``{token}.ics``: the feed's tasks as iCalendar, for calendar apps; no sign-in, the token authorises.

        ``ETag`` and ``Last-Modified`` follow the content: a conditional GET of an unchanged feed is a 304.

        Access is checked at every fetch: tasks of a project the owner left
        disappear. A revoked or unknown token is a 404. Rate-limited per
        address and per feed (429 with ``Retry-After``).
        """
        token = filename.removesuffix(".ics")
        if token == filename:
            raise feed_invalid()
        limiter = RateLimiter(request.app.state.redis)
        await limiter.hit(f"ics:ip:{current_context().ip}", limit=FEED_RATE_PER_IP)
        await limiter.hit(f"ics:feed:{hash_token(token)[:32]}", limit=FEED_RATE_PER_TOKEN)
        feed = await FeedService(session=db_session).by_token(token)
        owner = await UserService(session=db_session).find_profile(feed.user_id)
        if owner is None or not owner.is_active:
            raise feed_invalid()
        tasks = await feed_tasks(
            db_session,
            user_id=owner.id,
            project_id=feed.project_id if feed.scope == "project" else None,
            assigned_only=feed.include == "assigned",
            is_admin=owner.role == "admin",
        )
        if feed.scope == "project":
            project = await ProjectService(session=db_session).get_one_or_none(id=feed.project_id)
            name = translate("calendar.feed.project", owner.locale, key=project.key if project else "")
        else:
            name = translate("calendar.feed.mine", owner.locale)
        body = render_feed(tasks, name=name, base_url=settings.base_url, locale=owner.locale)
        etag, changed = await feed_version(request.app.state.redis, feed.id, body)
        headers = {
            "Cache-Control": "private, max-age=300",
            "ETag": etag,
            "Last-Modified": format_datetime(changed, usegmt=True),
        }
        if not_modified(request.headers, etag, changed):
            return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(
            body,
            media_type="text/calendar",  # Litestar adds the charset to text types
            headers={**headers, "Content-Disposition": 'inline; filename="workhub.ics"'},
        )

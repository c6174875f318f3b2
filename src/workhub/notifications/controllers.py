"""Routes of notifications: the caller's list, unread count, marking read, channel preferences.

Every route acts on the caller's own notifications only: someone else's
notification is a 404, like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.kernel.context import current_context
from workhub.kernel.pagination import MAX_LIMIT
from workhub.kernel.security import CurrentUser
from workhub.notifications import schemas
from workhub.notifications.services import NotificationService, PreferenceService

__all__ = ("NotificationController", "NotificationPreferenceController")

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size (at most 200)")]


class NotificationController(Controller):
    """The caller's notifications."""

    path = "/api/v1/notifications"
    tags = ["notifications"]

    @get("", operation_id="ListNotifications", summary="My notifications")
    async def list_notifications(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        unread: Annotated[bool, QueryParameter(description="Only unread ones")] = False,
        limit: Limit = 50,
        cursor: Annotated[
            str | None, QueryParameter(description="`next_cursor` of the previous page")
        ] = None,
    ) -> schemas.NotificationPage:
        """Newest first; ``unread=true`` leaves out those already read."""
        return await NotificationService(session=db_session).page(
            request.user.id, unread=unread, limit=limit, cursor=cursor
        )

    @get("/unread-count", operation_id="CountUnreadNotifications", summary="How many are unread")
    async def unread_count(
        self, request: Request[CurrentUser, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> schemas.UnreadCount:
        """The number behind the bell."""
        return schemas.UnreadCount(
            count=await NotificationService(session=db_session).unread_count(request.user.id)
        )

    @post(
        "/{notification_id:uuid}/read",
        operation_id="MarkNotificationRead",
        status_code=HTTP_200_OK,
        summary="Mark a notification read",
    )
    async def mark_read(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        notification_id: FromPath[UUID],
    ) -> schemas.Notification:
        """Returns the notification; one already read stays as it was, someone else's is a 404."""
        return await NotificationService(session=db_session).mark_read(request.user.id, notification_id)

    @post(
        "/read-all", operation_id="MarkAllNotificationsRead", status_code=HTTP_200_OK, summary="Mark all read"
    )
    async def mark_all_read(
        self, request: Request[CurrentUser, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> schemas.ReadAllResult:
        """Every unread notification of the caller becomes read; ``marked`` says how many."""
        return schemas.ReadAllResult(
            marked=await NotificationService(session=db_session).mark_all_read(request.user.id)
        )


class NotificationPreferenceController(Controller):
    """Which channels each kind of notification reaches the caller on."""

    path = "/api/v1/me/notification-preferences"
    tags = ["notifications"]

    @get("", operation_id="GetNotificationPreferences", summary="My notification channels")
    async def get_preferences(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        notifications_channels: NamedDependency[list[str]],
    ) -> schemas.NotificationPreferences:
        """Every kind with the channels it goes to; ``in_app`` is always one of them."""
        return await PreferenceService(session=db_session).preferences(
            request.user.id, available=notifications_channels, locale=current_context().locale
        )

    @put("", operation_id="UpdateNotificationPreferences", summary="Choose my notification channels")
    async def put_preferences(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        notifications_channels: NamedDependency[list[str]],
        data: JSONBody[schemas.PreferencesUpdate],
    ) -> schemas.NotificationPreferences:
        """Replaces the choices: a kind left out gets in-app only.

        An unknown kind is a 422 ``unknown_notification_kind``, an unknown
        channel a 422 ``unknown_notification_channel``; ``in_app`` may be
        listed and cannot be turned off.
        """
        return await PreferenceService(session=db_session).replace(
            request.user.id, data, available=notifications_channels, locale=current_context().locale
        )

"""The dashboard's files: ``/assets/*`` (content-hashed names, immutable) and a history-mode fallback.

Vite writes the build into ``workhub/static`` (``make run``, ``make test`` and
wheels build it). Any GET of a path that is not an API, schema, health or
Socket.IO path and not a file of the build answers ``index.html``, so a
link such as ``/tasks/<id>`` or ``/invitations/<token>`` opens the
dashboard, whose router shows the screen. ``index.html`` is never cached, so
a new release is picked up on the next load.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from litestar.response import File
from litestar.static_files import create_static_files_router

from workhub.kernel.errors import NotFound

__all__ = ("STATIC_DIR", "dashboard_routes")

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
_NOT_PAGES = ("api/", "schema", "health/", "socket.io")
"""Paths that belong to the server: an unknown one there is a 404 problem, not the dashboard."""
_YEAR = CacheControlHeader(max_age=365 * 24 * 3600, public=True, immutable=True)
_HOUR = CacheControlHeader(max_age=3600, public=True)

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>WorkHub</title></head>
<body><h1>WorkHub</h1><p>The dashboard is not built. Run <code>make run</code> (or
<code>npm --prefix src/dashboard run build</code>); the API is at <a href="/schema">/schema</a>.</p></body></html>"""


def dashboard_routes(static_dir: Path) -> list[Any]:
    """The asset router (a year, immutable) and the page fallback, for the build in ``static_dir``."""
    index = static_dir / "index.html"

    def page(relative: str) -> Response[Any]:
        """A file of the build's root (the icon), else ``index.html`` for the dashboard's router."""
        if relative.startswith(_NOT_PAGES):
            raise NotFound
        if relative and "/" not in relative and relative != "index.html":
            candidate = static_dir / relative
            if candidate.is_file():
                return File(
                    candidate,
                    filename=candidate.name,
                    media_type=mimetypes.guess_type(candidate.name)[0] or "application/octet-stream",
                    content_disposition_type="inline",
                    headers={"Cache-Control": _HOUR.to_header()},
                )
        if not index.is_file():
            return Response(
                _NOT_BUILT, media_type="text/html", status_code=503, headers={"Cache-Control": "no-cache"}
            )
        return File(
            index,
            filename="index.html",
            content_disposition_type="inline",
            media_type="text/html",
            headers={"Cache-Control": "no-cache"},
        )

    @get("/", opt={"public": True}, include_in_schema=False, sync_to_thread=False, name="dashboard-home")
    def dashboard_home() -> Response[Any]:
        return page("")

    @get(
        "/{path:path}",
        opt={"public": True},
        include_in_schema=False,
        sync_to_thread=False,
        name="dashboard-page",
    )
    def dashboard_page(path: FromPath[str]) -> Response[Any]:
        return page(path.lstrip("/"))

    return [
        create_static_files_router(
            path="/assets",
            directories=[static_dir / "assets"],
            cache_control=_YEAR,
            opt={"public": True},
            name="dashboard-assets",
        ),
        dashboard_home,
        dashboard_page,
    ]

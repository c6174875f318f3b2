"""The API docs page (``/schema/scalar``) with its viewer served by WorkHub, so it works offline.

Litestar's Scalar page loads the viewer, a stylesheet and an icon from a
CDN and configures the viewer with an inline script, which the docs'
Content-Security-Policy refuses. This page loads the viewer bundled with
the dashboard's build (``/scalar-api-reference.js``) and passes its
configuration as a data attribute, with Scalar's web fonts turned off.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.openapi.plugins import ScalarRenderPlugin

if TYPE_CHECKING:
    from litestar import Request

__all__ = ("OfflineScalar",)

VIEWER = "/scalar-api-reference.js"


class OfflineScalar(ScalarRenderPlugin):
    """Scalar from WorkHub's own files, configured without inline script."""

    def __init__(self) -> None:
        super().__init__(
            js_url=VIEWER,
            # No web fonts and no Scalar agent: nothing is fetched from Scalar's servers.
            options={
                "withDefaultFonts": False,
                "hideClientButton": True,
                "agent": {"disabled": True},
                "telemetry": False,
            },
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The page: a title, the schema's URL and the configuration as attributes, the viewer's script."""
        title = html.escape(str(openapi_schema["info"]["title"]))
        url = html.escape(self.get_openapi_json_route(request), quote=True)
        config = html.escape(msgspec.json.encode(self.options).decode(), quote=True)
        return f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title}</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  </head>
  <body>
    <noscript>The API reference needs JavaScript; the schema itself is at <a href="{url}">{url}</a>.</noscript>
    <script id="api-reference" data-url="{url}" data-configuration="{config}"></script>
    <script src="{VIEWER}"></script>
  </body>
</html>
""".encode()

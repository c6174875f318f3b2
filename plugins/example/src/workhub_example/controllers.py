"""The example's HTTP route, mounted under ``/api/v1/integrations/example``."""

from __future__ import annotations

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from workhub.kernel.context import current_context
from workhub.kernel.i18n import translate
from workhub.kernel.plugins import Runtime
from workhub_example.settings import ExampleSettings
from workhub_example.subscribers import projects_created

__all__ = ("ExampleController", "Greeting")


class Greeting(msgspec.Struct):
    """What ``GET /hello`` answers (routes return Structs, never models)."""

    message: str
    projects_created: int


class ExampleController(Controller):
    """The core mounts a plugin's controllers under ``/api/v1/integrations/<name>``."""

    tags = ["example"]

    @get("/hello", operation_id="ExampleHello", summary="A greeting and a count", opt={"public": True})
    async def hello(
        self, runtime: NamedDependency[Runtime], example_settings: NamedDependency[ExampleSettings]
    ) -> Greeting:
        """Greet in the caller's language; say how many projects were created since installation.

        ``opt={"public": True}`` lets anonymous callers in; without it a valid
        access token is required, and ``request.user`` is the caller.
        """
        message = example_settings.greeting or translate("example.hello", current_context().locale)
        return Greeting(message=message, projects_created=await projects_created(runtime))

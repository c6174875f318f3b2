"""Search: full-text task search, PostgreSQL by default, through the kernel's ``SearchBackend``."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.di import Provide

from workhub.kernel.extensions import SearchBackend
from workhub.kernel.plugins import Registry
from workhub.search.backend import PostgresSearch
from workhub.search.controllers import AdminSearchController, SearchController

__all__ = ("SearchPlugin", "plugin")


class SearchPlugin:
    """Sets the PostgreSQL backend (a plugin installed later may replace it) and adds the search routes."""

    name = "search"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Set the default backend; the routes ask the registry for the current one on each request."""

        def current_backend() -> SearchBackend:
            backend = registry.search_backend
            if backend is None:
                raise RuntimeError("no search backend is set")
            return backend

        registry.set_search_backend(PostgresSearch(registry))
        registry.add_dependency("search_backend", Provide(current_backend, sync_to_thread=False))
        registry.add_routes(AdminSearchController, SearchController)


plugin = SearchPlugin()

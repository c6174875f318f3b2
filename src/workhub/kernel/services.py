"""The base of every domain service: an advanced-alchemy service with its session at hand."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from advanced_alchemy.base import ModelProtocol
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("Service",)

ModelT = TypeVar("ModelT", bound=ModelProtocol)


class Service(SQLAlchemyAsyncRepositoryService[ModelT]):
    """Business rules of one module over its own tables (the repository is nested in the subclass)."""

    @property
    def session(self) -> AsyncSession:
        """The session of this service's transaction (shared with the route or job that made it)."""
        return self.repository.session

"""The API form of task search results."""

from __future__ import annotations

import msgspec

from workhub.tasks.schemas import Task

__all__ = ("SearchItem", "SearchPage")


class SearchItem(msgspec.Struct, frozen=True, kw_only=True):
    """A task that matched, and where."""

    task: Task
    highlight: str
    """The task's text, HTML-escaped, with the matched words in ``<mark>…</mark>``; its title when
    the search had no words (or matched only a typo or a comment)."""


class SearchPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of results, best first; ``total`` counts every match the caller may see."""

    items: list[SearchItem]
    total: int
    next_cursor: str | None = None

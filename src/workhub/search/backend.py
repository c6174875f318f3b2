"""The default search backend: PostgreSQL full-text search over ``search_task``.

``search_task`` is kept current by triggers in the database (see
:mod:`workhub.search.models`), so :meth:`PostgresSearch.index` and
:meth:`PostgresSearch.remove` have nothing to do. A query's words match
the stemmed document (``websearch_to_tsquery``: word forms in Russian and
English, ``"quoted phrases"``, ``-excluded`` words, ``or``) or, through
pg_trgm's word similarity, the title and labels (a typo, the start of a
word). Rank is the document's cover density (title above labels above
description above comments) plus that similarity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from workhub.kernel.db import driver_connection, session_scope
from workhub.kernel.extensions import SearchHit, SearchQuery, SearchResults

if TYPE_CHECKING:
    from workhub.kernel.plugins import Registry

__all__ = ("PostgresSearch", "highlight_html")

_START, _STOP = "\ue000", "\ue001"
"""Private-use characters ``ts_headline`` marks a match with; the text is escaped before they become tags."""
_HEADLINE_OPTIONS = (
    f'StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)
_TSQUERY = "websearch_to_tsquery('russian', $1)"
_WORDS = "translate(lower($1), 'ё', 'е')"


def _escaped_sql(text: str) -> str:
    """SQL for ``text`` HTML-escaped (``ts_headline`` keeps the entities as they are, and would drop a tag)."""
    return f"replace(replace(replace({text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


def highlight_html(headline: str) -> str:
    """A headline of escaped text with its marked matches as ``<mark>`` tags."""
    return headline.replace(_START, "<mark>").replace(_STOP, "</mark>")


class _Statement:
    """One search statement with numbered asyncpg parameters."""

    def __init__(self, query: SearchQuery) -> None:
        self.params: list[Any] = [query.text] if query.text else []
        where = ["t.deleted_at IS NULL"]
        if query.text:
            where.append(f"(d.document @@ {_TSQUERY} OR {_WORDS} <% d.words)")
        for column, values, cast in (
            ("t.project_id", query.project_ids, "uuid[]"),
            ("t.assignee_id", query.assignee_ids, "uuid[]"),
            ("t.creator_id", query.creator_ids, "uuid[]"),
            ("t.status", query.statuses, "varchar[]"),
        ):
            if values is not None:
                where.append(f"{column} = ANY({self.bind(list(values))}::{cast})")
        if query.deadline_from is not None:
            where.append(f"t.deadline >= {self.bind(query.deadline_from)}")
        if query.deadline_to is not None:
            where.append(f"t.deadline < {self.bind(query.deadline_to)}")
        self.source = f" FROM search_task AS d JOIN task AS t ON t.id = d.task_id WHERE {' AND '.join(where)}"
        self.source_params = len(self.params)
        """How many parameters :attr:`source` uses (the first ones); :meth:`page` binds more."""

    def bind(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def page(self, query: SearchQuery) -> str:
        if query.text:
            score = f"ts_rank_cd(d.document, {_TSQUERY}) + word_similarity({_WORDS}, d.words)"
            text = _escaped_sql("t.title || E'\\n' || left(t.description, 10000)")
            headline = f"ts_headline('russian', {text}, {_TSQUERY}, {self.bind(_HEADLINE_OPTIONS)})"
            order = "score DESC, t.id"
        else:
            score, headline, order = "0", _escaped_sql("t.title"), "t.updated_at DESC, t.id"
        return (
            f"SELECT t.id, {score} AS score, {headline} AS headline, count(*) OVER () AS total{self.source}"
            f" ORDER BY {order} LIMIT {self.bind(query.limit)} OFFSET {self.bind(query.offset)}"
        )

    def count(self) -> str:
        return f"SELECT count(*){self.source}"


class PostgresSearch:
    """Full-text task search in PostgreSQL: what WorkHub uses unless a plugin sets another backend."""

    name = "postgresql"

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    async def index(self, task_id: UUID, document: Mapping[str, Any]) -> None:
        """Nothing to do: the database's triggers index a task in the transaction that writes it."""

    async def remove(self, task_id: UUID) -> None:
        """Nothing to do: a task's index row goes with the task."""

    async def search(self, query: SearchQuery) -> SearchResults:
        """One page of hits and the total (counted again only when the page is past the end)."""
        if query.project_ids == [] or query.assignee_ids == [] or query.creator_ids == []:
            return SearchResults(hits=[], total=0)
        statement = _Statement(query)
        page_sql = statement.page(query)
        async with session_scope(self._registry.runtime.db) as session:
            connection = await driver_connection(session)
            rows = await connection.fetch(page_sql, *statement.params)
            if rows:
                total = int(rows[0]["total"])
            elif query.offset > 0:
                count_params = statement.params[: statement.source_params]
                total = int(await connection.fetchval(statement.count(), *count_params))
            else:
                total = 0
        hits = [
            SearchHit(task_id=row["id"], score=float(row["score"]), highlight=highlight_html(row["headline"]))
            for row in rows
        ]
        return SearchResults(hits=hits, total=total)

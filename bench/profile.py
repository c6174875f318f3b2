"""Where a request's time goes: a summary of py-spy's collapsed stacks.

``python -m bench.profile FILE [--top 25]`` reads a ``py-spy record --format
raw`` file (what ``python -m bench.run --profile list`` writes) and prints
the share of samples spent inside each stage of the request path (a stage
counts a sample when any frame of its stack matches), then the functions
that use the most time themselves. Samples where the worker's event loop
waits for I/O are counted apart (``idle``), so the shares are of busy time.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

__all__ = ("LAYERS", "STAGES", "Profile", "main")

STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("outbox relay (background task)", ("OutboxRelay.",)),
    ("response: before_send (commit/rollback, session close)", ("before_send_handler", "autocommit_handler")),
    ("response: encoding and sending", ("Response.to_asgi_response", "ASGIResponse.", "encode_json")),
    ("handler: row -> Struct", ("row_to_task", "as_schema")),
    ("handler: publish (outbox + audit rows)", ("publish (workhub/kernel/events.py",)),
    ("handler: service", ("TaskService.", "ProjectService.")),
    ("handler: list filters dependency", ("provide_task_filters",)),
    ("handler: session/DI", ("provide_session", "SQLAlchemyAsyncConfig.provide_session")),
    ("guard: access query", ("ProjectGuard.__call__",)),
    ("auth middleware: JWT decode", ("TokenService.decode",)),
    ("auth middleware: Redis pipeline", ("TokenService.authenticate",)),
    ("auth middleware: other", ("AuthMiddleware.", "AbstractAuthenticationMiddleware.")),
    ("idempotency middleware", ("IdempotencyMiddleware.",)),
    ("compression middleware", ("CompressionMiddleware.", "compression")),
    ("request-context middleware", ("RequestContextMiddleware.",)),
)
"""Steps of the request path. A sample belongs to the innermost step on its stack (so a middleware's
share is its own work, not the app it wraps); samples on no step are routing, DI and the server."""

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("asyncpg (protocol, Cython)", ("asyncpg/",)),
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("advanced-alchemy", ("advanced_alchemy/",)),
    ("Litestar", ("litestar/",)),
    ("redis-py", ("redis/",)),
    ("PyJWT", ("jwt/",)),
    ("msgspec", ("msgspec",)),
    ("WorkHub code", ("workhub/",)),
    ("asyncio / granian / event loop", ("asyncio/", "granian/", "uvloop", "anyio/")),
)
"""Which code is running: the library of the innermost (leaf) frame."""


_IDLE = ("select (selectors.py", "EpollSelector.select")
"""Leaf frames of a worker waiting for I/O (py-spy drops most idle samples itself)."""


class Profile:
    """Collapsed stacks with sample counts."""

    def __init__(self, stacks: Counter[tuple[str, ...]]) -> None:
        self.stacks = stacks

    @classmethod
    def read(cls, path: Path) -> Profile:
        """Parse ``frame;frame;... count`` lines."""
        stacks: Counter[tuple[str, ...]] = Counter()
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                stacks[tuple(stack.split(";"))] += int(count)
        return cls(stacks)

    @staticmethod
    def _idle(stack: tuple[str, ...]) -> bool:
        return any(marker in stack[-1] for marker in _IDLE)

    @property
    def busy(self) -> int:
        """Samples in which the worker ran Python code (not waiting in the event loop's select)."""
        return sum(n for stack, n in self.stacks.items() if not self._idle(stack))

    def by_stage(self) -> list[tuple[str, float]]:
        """Busy samples per request step (innermost step on the stack wins), largest first."""
        counts: Counter[str] = Counter()
        for stack, n in self.stacks.items():
            if self._idle(stack):
                continue
            counts[_innermost(stack, STAGES) or "routing, DI, ASGI server, event loop"] += n
        total = self.busy or 1
        return [(name, n / total) for name, n in counts.most_common()]

    def by_layer(self) -> list[tuple[str, float]]:
        """Busy samples per library of the leaf frame, largest first."""
        counts: Counter[str] = Counter()
        for stack, n in self.stacks.items():
            if self._idle(stack):
                continue
            counts[_innermost(stack[-1:], LAYERS) or "other (stdlib, uuid, ...)"] += n
        total = self.busy or 1
        return [(name, n / total) for name, n in counts.most_common()]

    def top_self(self, count: int) -> list[tuple[str, float]]:
        """The functions that were on top of the stack most often (share of busy samples)."""
        leaves: Counter[str] = Counter()
        for stack, n in self.stacks.items():
            if not self._idle(stack):
                leaves[stack[-1]] += n
        total = self.busy or 1
        return [(frame, n / total) for frame, n in leaves.most_common(count)]

    def report(self, top: int = 25) -> str:
        """Stages, then the top functions by own time."""
        total = sum(self.stacks.values()) or 1
        lines = [
            f"samples: {total}, busy: {self.busy} ({100 * self.busy / total:.0f}%)",
            "",
            "by request step:",
        ]
        lines += [f"  {100 * share:5.1f}%  {name}" for name, share in self.by_stage()]
        lines += ["", "by library (leaf frame):"]
        lines += [f"  {100 * share:5.1f}%  {name}" for name, share in self.by_layer()]
        lines += ["", f"top {top} functions by own time:"]
        lines += [f"  {100 * share:5.1f}%  {frame}" for frame, share in self.top_self(top)]
        return "\n".join(lines)


def _innermost(stack: tuple[str, ...], groups: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The name of the group whose needle matches the deepest frame of ``stack``."""
    for frame in reversed(stack):
        for name, needles in groups:
            if any(needle in frame for needle in needles):
                return name
    return None


def main(argv: list[str] | None = None) -> int:
    """Print the summary of one or more profiles."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description="Summarise py-spy raw profiles."
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    ns = parser.parse_args(argv)
    for path in ns.files:
        print(f"== {path}")
        print(Profile.read(path).report(ns.top))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Load benchmarks of WorkHub: a seeded data generator, a bench-only plugin and a wrk runner.

``python -m bench.run`` (``make bench``) starts embedded PostgreSQL and Redis
in a temporary directory, fills a database with generated users, projects and
tasks, serves the app with granian and measures it with wrk. See
``docs/performance.md``.
"""

from __future__ import annotations

__all__: tuple[str, ...] = ()

"""Keep the garbage collector off what a process builds at start-up.

Importing the app and building its registry leaves some 150,000 objects that
live as long as the process. Every full collection walks all of them (about
100 ms on the 2-core machine of ``docs/performance.md``), and such a
collection lands, now and then, in the middle of a request or a job: the
long tail of latencies. :func:`gc.freeze` moves them out of the collector's
sight; objects made afterwards are collected as usual.
"""

from __future__ import annotations

import gc

__all__ = ("freeze_startup_objects",)


def freeze_startup_objects() -> None:
    """Collect once, then exempt every surviving object from future collections."""
    gc.collect()
    gc.freeze()

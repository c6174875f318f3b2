"""Run as a separate process: create a project through the service, commit, then hang without relaying.

Usage: ``python commit_and_hang.py <database_url> <redis_url> <owner_id> <key>``. It prints
the new project's id once the transaction has committed; the test then kills
it with SIGKILL, as a crash between commit and relay would.
"""

from __future__ import annotations

import asyncio
import sys
from uuid import UUID

from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.process import build_registry, process_db_config
from workhub.projects.schemas import ProjectCreate
from workhub.projects.services import ProjectService
from workhub.settings import Settings


async def main(database_url: str, redis_url: str, owner_id: UUID, key: str) -> None:
    settings = Settings(env="test", database_url=database_url, redis_url=redis_url, plugins="")
    registry = build_registry(settings, plugins=[])
    config = process_db_config(settings, registry, pool_size=1)
    with acting_as(Actor(kind="user", id=owner_id), request_id="doomed-process"):
        async with session_scope(config) as session:
            project = await ProjectService(session=session).create_project(
                ProjectCreate(key=key, name="Committed, never relayed"), owner_id
            )
    print(project.id, flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], UUID(sys.argv[3]), sys.argv[4]))

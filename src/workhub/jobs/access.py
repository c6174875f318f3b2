"""Who may see a job: its owner, and nobody else (administrators included).

A job is in no project, so the project roles of the permission table do not
apply to it. :func:`job_owned_by` is the rule itself, for the realtime side
(joining the ``job:<id>`` room) and anything else that is not a route. The
``job`` access scope (:func:`resolve_job_access`) states the same rule in
the shape the guards and room joins expect: for the owner it answers the
least role that can read (``viewer``), with the job's own id standing in for
a project; for anyone else it answers None, which is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workhub.jobs.services import JobService
from workhub.kernel.guards import Access

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("job_owned_by", "resolve_job_access")


async def job_owned_by(session: AsyncSession, job_id: UUID, user_id: UUID) -> bool:
    """True when ``user_id`` started the job ``job_id``."""
    return await JobService(session=session).owner_of(job_id) == user_id


async def resolve_job_access(session: AsyncSession, job_id: UUID, user_id: UUID) -> Access | None:
    """The ``job`` scope: read access for the job's owner, nothing for anyone else."""
    if not await job_owned_by(session, job_id, user_id):
        return None
    return Access(project_id=job_id, role="viewer")

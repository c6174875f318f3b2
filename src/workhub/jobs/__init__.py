"""User jobs: exports, statistics and imports with live progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from workhub.kernel.plugins import Registry

__all__ = ("JobsPlugin", "plugin")


class JobsPlugin:
    """Registers job routes, the ``job`` access scope and ``job:`` rooms, the runner, the clean-up cron and texts."""

    name = "jobs"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes, the job runner and its subscriber, broadcasts, the clean-up cron and texts."""
        from workhub.jobs.access import resolve_job_access
        from workhub.jobs.controllers import AdminJobController, JobController
        from workhub.jobs.events import JobCancelled, JobFinished
        from workhub.jobs.runner import RUN_JOB, clean_up, enqueue_job, run_job
        from workhub.kernel.permissions import Action

        registry.add_messages(Path(__file__).with_name("locales"))
        registry.add_routes(JobController, AdminJobController)
        registry.add_access_scope("job", resolve_job_access)
        # The job's resolver gives its owner a role and everyone else None.
        registry.add_room_kind("job", "job", Action.PROJECT_READ)
        registry.add_job(run_job, name=RUN_JOB)
        registry.subscribe("job.created", handler=enqueue_job, name="enqueue_job")
        registry.add_cron(clean_up, "17 * * * *")
        for event in (JobFinished, JobCancelled):
            registry.add_broadcast(event, rooms=lambda e: [f"job:{e.entity_id}", f"user:{e.job.user_id}"])


plugin = JobsPlugin()

"""Events the jobs module publishes (recorded against the job, ``entity_type`` ``job``)."""

from __future__ import annotations

from typing import ClassVar

from workhub.jobs.schemas import Job
from workhub.kernel.events import DomainEvent

__all__ = ("JobCancelled", "JobCreated", "JobFinished", "JobRetried")


class _JobEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "job"
    job: Job


class JobCreated(_JobEvent, frozen=True, kw_only=True, tag="job.created"):
    """A user started a job; its subscriber puts it on the queue."""


class JobCancelled(_JobEvent, frozen=True, kw_only=True, tag="job.cancelled"):
    """The owner cancelled a queued or running job."""


class JobFinished(_JobEvent, frozen=True, kw_only=True, tag="job.finished"):
    """A job completed or failed (``job.status`` says which); its owner is notified."""


class JobRetried(DomainEvent, frozen=True, kw_only=True, tag="job.retried"):
    """An administrator ran a failed background job again (``changes`` names its key and function)."""

    entity_type: ClassVar[str] = "job"

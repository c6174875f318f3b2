"""Where job results and uploads live on disk, and how a result appears there whole or not at all.

Results: ``<jobs_dir>/results/<job id>.<attempt>.csv``. A run writes to a
temporary file next to it and renames it into place at the very end (an
atomic rename on one file system), so a job killed half-way never leaves
half a file as a result; the run that completes the job removes what earlier
runs left, and the clean-up cron removes temporary files older than a day. Uploads:
``<jobs_dir>/uploads/<user id>/<upload id>.csv`` — the owner is part of the
path, so a user can only ever import their own upload.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from workhub.settings import Settings

__all__ = (
    "UPLOAD_MAX_BYTES",
    "UPLOAD_TTL_SECONDS",
    "jobs_dir",
    "other_runs",
    "publish_file",
    "remove_quietly",
    "result_path",
    "temp_path",
    "upload_path",
)

UPLOAD_MAX_BYTES = 64 * 2**20
"""The largest upload: room for an import of 100,000 rows with long descriptions."""
UPLOAD_TTL_SECONDS = 24 * 3600
"""An upload that no import used is deleted after a day."""


def jobs_dir(settings: Settings) -> Path:
    """The jobs directory (``jobs_dir``, or ``<data_dir>/jobs``)."""
    return Path(settings.jobs_dir or os.path.join(settings.data_dir, "jobs")).resolve()


def result_path(settings: Settings, job_id: UUID, attempt: int) -> Path:
    """Where run ``attempt`` of a job keeps its result (each run its own, so two never collide)."""
    return jobs_dir(settings) / "results" / f"{job_id}.{attempt}.csv"


def temp_path(settings: Settings, job_id: UUID, attempt: int) -> Path:
    """The file run ``attempt`` writes before its result is complete (the same directory, for the rename)."""
    path = jobs_dir(settings) / "results" / f"{job_id}.{attempt}.part"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def other_runs(settings: Settings, job_id: UUID, attempt: int) -> list[Path]:
    """Files left by the job's other runs (a crashed run's temporary file)."""
    folder = jobs_dir(settings) / "results"
    keep = {temp_path(settings, job_id, attempt).name, result_path(settings, job_id, attempt).name}
    return [p for p in folder.glob(f"{job_id}.*") if p.name not in keep]


def upload_path(settings: Settings, user_id: UUID, upload_id: UUID) -> Path:
    """Where an upload of ``user_id`` is kept."""
    return jobs_dir(settings) / "uploads" / str(user_id) / f"{upload_id}.csv"


def publish_file(temp: Path, final: Path) -> int:
    """Make ``temp`` the result at ``final`` in one step (flushed to disk first); returns its size."""
    with temp.open("rb+") as handle:
        os.fsync(handle.fileno())
    temp.replace(final)
    return final.stat().st_size


def remove_quietly(path: Path | None) -> None:
    """Delete ``path`` if it exists."""
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

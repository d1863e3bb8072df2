"""Result files of jobs: private (0600, under MEDIA_ROOT, never served by nginx), written
whole or not at all, removed when the job expires."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings


def results_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write_result(job_id, data: bytes, suffix: str) -> str:
    """Write to a temporary name, flush to disk, then rename: a worker killed half-way
    leaves only a ``.part`` file (removed by ``prune``), never a truncated result."""
    directory = results_dir()
    name = f"{job_id}{suffix}"
    part = directory / f".{name}.{secrets.token_hex(6)}.part"
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, directory / name)
    finally:
        part.unlink(missing_ok=True)
    return name


def result_path(name: str) -> Path | None:
    # Only names this module wrote (no separators) may become a path.
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    return results_dir() / name


def remove(name: str) -> None:
    path = result_path(name)
    if path is not None:
        path.unlink(missing_ok=True)


def remove_partials(job_id) -> None:
    for part in results_dir().glob(f".{job_id}*.part"):
        part.unlink(missing_ok=True)

"""Result files of jobs: private (0600, under MEDIA_ROOT, never served by nginx), written
whole or not at all, removed when the job expires."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from core.files import write_whole


def results_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write_result(job_id, data: bytes, suffix: str) -> str:
    """Write the result whole or not at all (core.files.write_whole): a worker killed
    half-way leaves only a ``.part`` file (removed by ``prune``), never a truncated result."""
    name = f"{job_id}{suffix}"
    write_whole(results_dir() / name, data)
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

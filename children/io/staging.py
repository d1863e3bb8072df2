"""Uploaded ledgers kept between the preview and the confirmation.

The confirmation must import exactly the file that was previewed and check again what may
have changed since (children.io.previewed says what is taken over), so the bytes stay on
the server under a random token (held in the user's session), never in
hidden form fields. Files are private (0600, outside any served path) and removed after
the import or when they are older than ``MAX_AGE``.

Beside a staged file may lie what a job derived from it (``keep_beside``: the preview's
checked rows, children.io.previewed); it goes with the file.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from core.files import write_whole

MAX_AGE_SECONDS = 6 * 60 * 60
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_SUFFIX = re.compile(r"\.[a-z]{1,16}")


def staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "import_staging"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _path(token: str, suffix: str = ".xlsx") -> Path | None:
    # The token comes back from the browser: only our own format may become a path.
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    if not _SUFFIX.fullmatch(suffix):
        raise ValueError(suffix)
    return staging_dir() / f"{token}{suffix}"


def _cleanup(directory: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    # Staged files and what lies beside them (every file here is ours).
    for stale in directory.iterdir():
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except FileNotFoundError:
            pass


def stage(data: bytes) -> str:
    """Keep ``data`` and return the token that finds it again."""
    directory = staging_dir()
    _cleanup(directory)
    token = secrets.token_urlsafe(32)
    path = directory / f"{token}.xlsx"
    path.touch(mode=0o600)
    path.write_bytes(data)
    return token


def peek(token: str) -> bytes | None:
    """The staged file, left in place (a preview, or a write that may be run again after its
    worker was stopped); ``None`` when absent or expired."""
    path = _path(token)
    if path is None:
        return None
    try:
        if path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
            return None
        return path.read_bytes()
    except FileNotFoundError:
        return None


def discard(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
        for beside in path.parent.glob(f"{token}.*"):
            # Only what keep_beside wrote ({token}.<suffix>), nothing else that matches.
            if _SUFFIX.fullmatch(beside.name[len(token) :]):
                beside.unlink(missing_ok=True)


def keep_beside(token: str, suffix: str, data: bytes) -> bool:
    """Keep ``data`` beside the staged file of ``token`` (written whole or not at all, so a
    worker stopped half-way leaves nothing to read); False when that file is gone."""
    path = _path(token, suffix)
    if path is None or not path.with_suffix(".xlsx").exists():
        return False
    write_whole(path, data)
    return True


def peek_beside(token: str, suffix: str) -> bytes | None:
    """What ``keep_beside`` kept, while the staged file is there and not expired."""
    path = _path(token, suffix)
    if path is None or peek_age(token) is None:
        return None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def peek_age(token: str) -> float | None:
    """Seconds since the file of ``token`` was staged; None when absent or expired."""
    path = _path(token)
    if path is None:
        return None
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    return None if age > MAX_AGE_SECONDS else age


def discard_beside(token: str, suffix: str) -> None:
    path = _path(token, suffix)
    if path is not None:
        path.unlink(missing_ok=True)

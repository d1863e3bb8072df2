"""Uploaded ledgers kept between the preview and the confirmation.

The confirmation must import exactly the file that was previewed and check it again, so
the bytes stay on the server under a random token (held in the user's session), never in
hidden form fields. Files are private (0600, outside any served path) and removed after
the import or when they are older than ``MAX_AGE``.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings

MAX_AGE_SECONDS = 6 * 60 * 60
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "import_staging"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _path(token: str) -> Path | None:
    # The token comes back from the browser: only our own format may become a path.
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    return staging_dir() / f"{token}.xlsx"


def _cleanup(directory: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for stale in directory.glob("*.xlsx"):
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


def take(token: str) -> bytes | None:
    """Load and remove the file in one step: of two confirmations of the same preview (a
    double click), only the first gets the file; the rename is atomic."""
    path = _path(token)
    if path is None:
        return None
    taken = path.with_name(f"{path.stem}.{secrets.token_hex(8)}.taken")
    try:
        path.rename(taken)
    except FileNotFoundError:
        return None
    try:
        if taken.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
            return None
        return taken.read_bytes()
    finally:
        taken.unlink(missing_ok=True)


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

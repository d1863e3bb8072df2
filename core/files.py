"""Files written whole or not at all."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_whole(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` (private, 0600) through a temporary name in the same
    folder, flushed to disk, then renamed: a process killed half-way leaves only a hidden
    ``.part`` file, never a truncated ``target``."""
    part = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)

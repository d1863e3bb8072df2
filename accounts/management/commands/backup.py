"""Back up the database to one file.

PostgreSQL: ``pg_dump -Fc`` (custom format, compressed; restore with ``manage.py restore``).
SQLite: ``VACUUM INTO`` (a consistent, compacted copy taken while the site runs).

The file holds minors' personal data: it is written with mode 0600, first under a temporary
name and renamed when complete and verified, so a half-written backup never looks finished.
"""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


def pg_env(settings_dict: dict) -> dict[str, str]:
    """libpq environment for a Django database settings dict (no password on a command line)."""
    env = os.environ.copy()
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = settings_dict.get(key)
        if value not in (None, ""):
            env[var] = str(value)
        else:
            env.pop(var, None)
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} not found: install the PostgreSQL client (postgresql-client).")
    return path


def default_output(vendor: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if vendor == "postgresql" else "sqlite3"
    return Path(settings.BACKUP_DIR) / f"longsheng-{stamp}.{suffix}"


class Command(BaseCommand):
    help = "备份数据库（PostgreSQL 使用 pg_dump -Fc；SQLite 使用 VACUUM INTO）。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="备份文件路径（默认 BACKUP_DIR 下按时间命名）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output=None, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        vendor = connection.vendor
        if vendor not in ("postgresql", "sqlite"):
            raise CommandError(f"Backups of {vendor} databases are not supported.")
        target = Path(output) if output else default_output(vendor)
        if target.exists():
            raise CommandError(f"{target} already exists; refusing to overwrite a backup.")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        # Create it private before any data goes in.
        partial.touch(mode=0o600)
        try:
            if vendor == "postgresql":
                self._pg_dump(connection.settings_dict, partial)
            else:
                # VACUUM INTO accepts an existing file only if it is empty, as ours is.
                self._sqlite_vacuum_into(connection, partial)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        size = target.stat().st_size
        self.stdout.write(f"Backup written: {target} ({size} bytes)")
        return None

    def _pg_dump(self, settings_dict: dict, path: Path) -> None:
        env = pg_env(settings_dict)
        command = [require_tool("pg_dump"), "--format=custom", "--no-password", "--file", str(path)]
        # A fixed argument list, no shell: nothing from the user reaches a command line.
        result = subprocess.run(  # noqa: S603
            command, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        # A dump that pg_restore cannot list is no backup.
        check = subprocess.run(  # noqa: S603
            [require_tool("pg_restore"), "--list", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0 or not path.read_bytes()[:5] == PG_MAGIC:
            raise CommandError(f"The dump is unreadable: {check.stderr.strip()}")

    def _sqlite_vacuum_into(self, connection, path: Path) -> None:
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise CommandError("VACUUM INTO cannot run inside a transaction.")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(path)])
        copy = sqlite3.connect(path)
        try:
            (status,) = copy.execute("PRAGMA integrity_check").fetchone()
        finally:
            copy.close()
        if status != "ok":
            raise CommandError(f"The SQLite copy failed its integrity check: {status}")

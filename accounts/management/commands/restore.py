"""Restore a backup made by ``manage.py backup`` into a fresh, empty database.

    manage.py restore FILE --database-url postgres://user@host:5432/longsheng_restore
    manage.py restore FILE --database-url sqlite:////srv/longsheng/restore.sqlite3

It never writes into a database that already has tables: restoring over live data is how
data gets lost. Create the empty database first (``createdb -O longsheng longsheng_restore``),
restore, check the figures it prints, then point DATABASE_URL at it.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

import environ
from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands.backup import PG_MAGIC, SQLITE_MAGIC, pg_env, require_tool

# Tables whose row counts are printed after a restore, for a quick human check.
SUMMARY_TABLES = ("accounts_user", "children_child", "children_changelog", "accounts_accesslog")


def file_kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    raise CommandError(f"{path} is neither a pg_dump custom-format file nor a SQLite database.")


def _pg_connect(config: dict):
    import psycopg

    return psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname=config["NAME"],
        autocommit=True,
    )


class Command(BaseCommand):
    help = "将 backup 生成的备份恢复到一个新的空数据库。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件")
        parser.add_argument(
            "--database-url",
            required=True,
            help="目标数据库（必须为空），如 postgres://user@host/db 或 sqlite:////path/db.sqlite3",
        )

    def handle(self, *args, file, database_url, **options):
        source = Path(file)
        if not source.is_file():
            raise CommandError(f"{source} does not exist.")
        kind = file_kind(source)
        config = environ.Env.db_url_config(database_url)
        engine = config["ENGINE"]
        if kind == "postgresql" and "postgresql" not in engine:
            raise CommandError("A pg_dump backup can only be restored into PostgreSQL.")
        if kind == "sqlite" and "sqlite" not in engine:
            raise CommandError("A SQLite backup can only be restored into SQLite.")
        if kind == "postgresql":
            counts = self._restore_postgresql(source, config)
        else:
            counts = self._restore_sqlite(source, config)
        self.stdout.write(f"Restored {source} into {config['NAME']}.")
        for table, count in counts.items():
            self.stdout.write(f"  {table}: {count}")

    # --- PostgreSQL --------------------------------------------------------------------------

    def _restore_postgresql(self, source: Path, config: dict) -> dict[str, int]:
        with _pg_connect(config) as conn:
            (tables,) = conn.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            ).fetchone()
        if tables:
            raise CommandError(
                f"Database {config['NAME']} is not empty ({tables} tables); "
                "restore only into a freshly created database."
            )
        command = [
            require_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--no-password",
            "--dbname",
            config["NAME"],
            str(source),
        ]
        result = subprocess.run(  # noqa: S603  (fixed argument list, no shell)
            command, env=pg_env(config), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        with _pg_connect(config) as conn:
            return {
                table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                for table in SUMMARY_TABLES
            }

    # --- SQLite ------------------------------------------------------------------------------

    def _restore_sqlite(self, source: Path, config: dict) -> dict[str, int]:
        target = Path(config["NAME"])
        if target.exists() and target.stat().st_size > 0:
            raise CommandError(
                f"{target} already exists and is not empty; restore only into a new file."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch(mode=0o600)
        shutil.copyfile(source, target)
        copy = sqlite3.connect(target)
        try:
            (status,) = copy.execute("PRAGMA integrity_check").fetchone()
            if status != "ok":
                raise CommandError(f"The restored database failed its integrity check: {status}")
            return {
                table: copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                for table in SUMMARY_TABLES
            }
        finally:
            copy.close()

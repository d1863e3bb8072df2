"""Backup → restore into a scratch database → the same rows and the same ledger.

SQLite always; PostgreSQL when the suite runs on it (DATABASE_URL=postgres://…). These tests
commit (pg_dump and VACUUM INTO only see committed data), so they are transactional and
start from the reference data (the committed_db fixture in conftest.py).
"""

import hashlib
import sqlite3
import subprocess
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.audit import log_access
from accounts.choices import Role
from accounts.models import AccessAction
from children.models import Child
from tests import factories

pytestmark = pytest.mark.usefixtures("committed_db")

LEDGER_FIELDS = [
    "id", "id_number", "name", "sex", "birth_date", "township", "village",
    "status", "risk_level", "version", "guardian_name", "address",
]  # fmt: skip


def ledger_sql() -> str:
    columns = ", ".join(f'"{Child._meta.get_field(name).column}"' for name in LEDGER_FIELDS)
    return f'SELECT {columns} FROM "{Child._meta.db_table}" ORDER BY "id"'


def tables() -> list[str]:
    existing = set(connection.introspection.table_names())
    names = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(names & existing)


def snapshot(cursor) -> tuple[dict[str, int], str]:
    counts = {}
    for table in tables():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    cursor.execute(ledger_sql())
    digest = hashlib.sha256()
    for row in cursor.fetchall():
        digest.update(repr(tuple(str(v) for v in row)).encode())
    return counts, digest.hexdigest()


@pytest.fixture
def ledger(committed_db):
    """Some of everything: users, children in two townships, history, access log."""
    director = factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="龙胜镇", village_name="山东村", username="b-dir"
    )
    children = [
        factories.ChildFactory(
            name=f"备份儿童{i}",
            guardian_name="外婆",
            address="山东村3组",
            guardian_phone=f"1381234{i:04d}",
        )
        for i in range(5)
    ]
    children.append(
        factories.ChildFactory(name="罗平安", village=factories.village("平等镇", "罗汉村"))
    )
    for child in children:
        log_access(action=AccessAction.VIEW_CHILD, user=director, target=child)
    return children


def test_sqlite_backup_restores_the_same_data(ledger, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup path (VACUUM INTO) runs on SQLite")
    dump = tmp_path / "backup.sqlite3"
    call_command("backup", "-o", str(dump), stdout=StringIO())
    assert dump.stat().st_mode & 0o077 == 0  # personal data: owner only
    restored = tmp_path / "restored.sqlite3"
    out = StringIO()
    call_command("restore", str(dump), "--database-url", f"sqlite:///{restored}", stdout=out)
    assert "children_child: 6" in out.getvalue()

    with connection.cursor() as cursor:
        expected = snapshot(cursor)
    copy = sqlite3.connect(restored)
    try:
        actual = snapshot(copy.cursor())
    finally:
        copy.close()
    assert expected[0]["children_child"] == 6
    assert actual == expected
    assert_no_plaintext(dump.read_bytes(), ledger)


def assert_no_plaintext(dump: bytes, children) -> None:
    """The backup holds ciphertext only: no ID number and no phone of any child."""
    assert children
    for child in children:
        assert child.id_number.encode() not in dump, child.id_number
        if child.guardian_phone:
            assert child.guardian_phone.encode() not in dump, child.guardian_phone


def test_backup_never_overwrites_and_restore_never_writes_over_data(ledger, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("exercised on SQLite; the PostgreSQL test checks the non-empty refusal")
    dump = tmp_path / "backup.sqlite3"
    call_command("backup", "-o", str(dump), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("backup", "-o", str(dump), stdout=StringIO())
    target = tmp_path / "live.sqlite3"
    target.write_bytes(dump.read_bytes())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(dump), "--database-url", f"sqlite:///{target}")
    with pytest.raises(CommandError, match="only be restored into SQLite"):
        call_command("restore", str(dump), "--database-url", "postgres://u@127.0.0.1/x")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="neither"):
        call_command("restore", str(junk), "--database-url", f"sqlite:///{tmp_path / 'n.db'}")


# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_admin_connect():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
        password=s["PASSWORD"] or None, dbname="postgres", autocommit=True,
    )  # fmt: skip


def _pg_url(dbname: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{dbname}"


@pytest.fixture
def scratch_pg_database():
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")
    name = f"longsheng_scratch_{uuid.uuid4().hex[:10]}"
    with _pg_admin_connect() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _pg_admin_connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_backup_restores_the_same_data(ledger, tmp_path: Path, scratch_pg_database):
    import psycopg

    dump = tmp_path / "backup.dump"
    call_command("backup", "-o", str(dump), stdout=StringIO())
    assert dump.read_bytes()[:5] == b"PGDMP"
    assert dump.stat().st_mode & 0o077 == 0
    url = _pg_url(scratch_pg_database)
    call_command("restore", str(dump), "--database-url", url, stdout=StringIO())

    with connection.cursor() as cursor:
        expected = snapshot(cursor)
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
        password=s["PASSWORD"] or None, dbname=scratch_pg_database,
    ) as copy:  # fmt: skip
        actual = snapshot(copy.cursor())
    assert expected[0]["children_child"] == 6
    assert actual == expected

    # The dump itself, as SQL text, holds ciphertext only.
    import shutil

    if shutil.which("pg_restore"):
        text = subprocess.run(
            ["pg_restore", "-f", "-", str(dump)], capture_output=True, check=True
        ).stdout
        assert b"children_child" in text
        assert_no_plaintext(text, ledger)

    # A second restore into the now-populated database is refused.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(dump), "--database-url", url, stdout=StringIO())

"""The write step of an import takes over the rows its preview checked (children.io.previewed)
only for the very file, township and day, signed; and still checks against the database
what may have changed since the preview. Inserting new children by COPY on PostgreSQL gives
the rows bulk_create gives."""

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from children import services_import
from children.io import ledger_import, previewed, staging
from children.jobs import (
    LEDGER_IMPORT_PREVIEW,
    LEDGER_IMPORT_WRITE,
    run_import_preview,
    run_import_write,
)
from children.models import (
    BenefitCategoryPeriod,
    ChangeLog,
    Child,
    ChildAssistance,
    ChildCircumstance,
)
from jobs.models import Job
from jobs.runner import Progress
from tests import factories
from tests.children.conftest import (
    HEADERS,
    build_ledger,
    child_row,
    row_of_registered_child,
)

DIRECTOR_HEADERS = [*HEADERS, "责任儿童主任"]


def township():
    return factories.township("龙胜镇")


@pytest.fixture
def reads(monkeypatch):
    """How many times the workbook is read and checked from scratch."""
    calls = []
    original = ledger_import.read_ledger

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(ledger_import, "read_ledger", counting)
    return calls


def preview(actor, data) -> tuple[str, dict]:
    token = staging.stage(data)
    params = {"token": token, "township": township().pk, "filename": "台账.xlsx"}
    job = Job(owner=actor, kind=LEDGER_IMPORT_PREVIEW, params=params)
    return token, run_import_preview(job, Progress(job)).result


def write(actor, token) -> dict:
    params = {"token": token, "township": township().pk, "filename": "台账.xlsx"}
    job = Job(owner=actor, kind=LEDGER_IMPORT_WRITE, params=params)
    return run_import_write(job, Progress(job)).result


def write_without_preview(actor, data) -> dict:
    result = ledger_import.import_ledger(
        actor=actor, township=township(), data=data, filename="台账.xlsx"
    )
    return {"new": result.plan.new, "updated": result.plan.updated, "errors": result.errors}


def ledger_state() -> dict:
    """Everything an import writes, keyed by what survives a second run (not ids, not
    timestamps)."""
    skip = {"id", "created_at", "updated_at"}
    children = {}
    for child in Child.objects.order_by("name"):
        values = {
            f.attname: getattr(child, f.attname)
            for f in Child._meta.concrete_fields
            if f.name not in skip
        }
        children[child.name] = values
    by_child = {child.pk: child.name for child in Child.objects.all()}
    return {
        "children": children,
        "circumstances": sorted(
            (by_child[c], code)
            for c, code in ChildCircumstance.objects.values_list("child_id", "code")
        ),
        "assistance": sorted(
            (by_child[c], code)
            for c, code in ChildAssistance.objects.values_list("child_id", "code")
        ),
        "benefits": sorted(
            (by_child[p.child_id], p.category, p.started_on, p.ended_on, p.recorded_by_id)
            for p in BenefitCategoryPeriod.objects.all()
        ),
        "history": sorted(
            (by_child[e.child_id], e.action, e.note, json.dumps(e.changes, sort_keys=True))
            for e in ChangeLog.objects.all()
        ),
    }


def rolled_back(action):
    """Run ``action`` and read the ledger it leaves, then undo it."""
    with transaction.atomic():
        outcome = action()
        state = ledger_state()
        transaction.set_rollback(True)
    return outcome, state


def _mixed_file(shandong_child, director) -> bytes:
    rows = [child_row(i, 责任儿童主任=director.name if i == 0 else None) for i in range(4)]
    rows.append(
        child_row(
            9,
            公民身份号码="未登记户口",
            出生日期="2016-02-03",
            性别="女",
            困境情形="无",
        )
    )
    # An existing child of the township, changed by the file: an update.
    rows.append(
        child_row(
            10,
            姓名=shandong_child.name,
            公民身份号码=shandong_child.id_number,
            出生日期=shandong_child.birth_date.isoformat(),
            性别="女" if shandong_child.sex == "F" else "男",
            学校="新学校",
        )
    )
    return build_ledger(rows, headers=DIRECTOR_HEADERS)


def test_write_after_preview_gives_the_same_ledger_as_write_without_it(
    longsheng_supervisor, shandong_child, shandong_director, reads
):
    data = _mixed_file(shandong_child, shandong_director)
    token, shown = preview(longsheng_supervisor, data)
    assert shown["ok"] and shown["new"] == 5 and shown["updated"] == 1
    reads.clear()

    taken_over, state = rolled_back(lambda: write(longsheng_supervisor, token))
    assert reads == []  # the write took over the preview's rows
    assert taken_over["written"] and taken_over["new"] == 5 and taken_over["updated"] == 1

    read_again, state_again = rolled_back(lambda: write_without_preview(longsheng_supervisor, data))
    assert reads == [1] and read_again["new"] == 5 and not read_again["errors"]

    assert state == state_again
    assert state["children"]["导入儿童0"]["responsible_director_id"] == shandong_director.pk
    assert state["children"][shandong_child.name]["school"] == "新学校"
    assert state["children"]["导入儿童9"]["no_hukou"] is True


def test_the_write_removes_the_saved_preview_with_the_file(longsheng_supervisor):
    token, _shown = preview(longsheng_supervisor, build_ledger([child_row(0)]))
    assert staging.peek_beside(token, previewed.SUFFIX) is not None
    assert write(longsheng_supervisor, token)["written"]
    assert staging.peek_beside(token, previewed.SUFFIX) is None and staging.peek(token) is None


def test_a_preview_with_errors_saves_nothing(longsheng_supervisor):
    token, shown = preview(longsheng_supervisor, build_ledger([child_row(0, 风险等级="紫色")]))
    assert not shown["ok"]
    assert staging.peek_beside(token, previewed.SUFFIX) is None


def _saved_path(token):
    return staging.staging_dir() / f"{token}{previewed.SUFFIX}"


def test_a_tampered_saved_preview_is_ignored_and_the_file_read_again(longsheng_supervisor, reads):
    token, _shown = preview(longsheng_supervisor, build_ledger([child_row(0), child_row(1)]))
    path = _saved_path(token)
    stored = path.read_bytes()
    assert "导入儿童1".encode() in stored
    # Someone with access to the staging folder changes a name without the site's key.
    path.write_bytes(stored.replace("导入儿童1".encode(), "伪造儿童1".encode()))
    reads.clear()

    result = write(longsheng_supervisor, token)

    assert reads == [1] and result["written"]
    assert set(Child.objects.values_list("name", flat=True)) == {"导入儿童0", "导入儿童1"}


def test_a_preview_signed_with_another_key_is_ignored(longsheng_supervisor, reads):
    data = build_ledger([child_row(0)])
    with override_settings(SECRET_KEY="another-site-entirely-" * 3):
        token, _shown = preview(longsheng_supervisor, data)
    reads.clear()
    assert write(longsheng_supervisor, token)["written"]
    assert reads == [1]


def test_a_saved_preview_of_other_bytes_is_ignored(longsheng_supervisor, reads):
    token, _shown = preview(longsheng_supervisor, build_ledger([child_row(0)]))
    # The staged file is replaced by another one under the same token.
    (staging.staging_dir() / f"{token}.xlsx").write_bytes(build_ledger([child_row(5)]))
    reads.clear()

    result = write(longsheng_supervisor, token)

    assert reads == [1] and result["written"]
    assert list(Child.objects.values_list("name", flat=True)) == ["导入儿童5"]


@pytest.mark.parametrize("part", ["sha256", "township", "day", "columns", "format"])
def test_a_saved_preview_is_loaded_only_for_exactly_its_key(longsheng_supervisor, part):
    data = build_ledger([child_row(0)])
    token, _shown = preview(longsheng_supervisor, data)
    key = previewed.preview_key(data=data, township=township(), day=timezone.localdate())
    assert previewed.load(token, key=key) is not None
    other = {
        "sha256": "0" * 64,
        "township": factories.township("平等镇").pk,
        "day": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "columns": "0" * 64,
        "format": previewed.FORMAT + 1,
    }[part]
    assert previewed.load(token, key={**key, part: other}) is None


def test_a_preview_from_another_day_is_not_taken_over(longsheng_supervisor, reads):
    data = build_ledger([child_row(0)])
    token, _shown = preview(longsheng_supervisor, data)
    key = previewed.preview_key(data=data, township=township(), day=timezone.localdate())
    saved = previewed.load(token, key=key)
    saved.day -= dt.timedelta(days=1)
    reads.clear()
    result = ledger_import.import_ledger(
        actor=longsheng_supervisor, township=township(), data=data, previewed=saved
    )
    assert reads == [1] and result.plan.new == 1


def test_a_village_renamed_between_preview_and_write_is_caught(longsheng_supervisor):
    token, shown = preview(longsheng_supervisor, build_ledger([child_row(0), child_row(1)]))
    assert shown["ok"]
    village = factories.village("龙胜镇", "山东村")
    village.name = "新山东村"
    village.save()

    result = write(longsheng_supervisor, token)

    assert result["written"] is False and Child.objects.count() == 0
    assert {e["column"] for e in result["errors"]} == {"村（社区）"}
    assert "不是龙胜镇的村/社区" in result["errors"][0]["message"]


def test_a_director_deactivated_between_preview_and_write_is_caught(
    longsheng_supervisor, shandong_director
):
    rows = [child_row(0, 责任儿童主任=shandong_director.name)]
    token, shown = preview(longsheng_supervisor, build_ledger(rows, headers=DIRECTOR_HEADERS))
    assert shown["ok"]
    shandong_director.is_active = False
    shandong_director.save()

    result = write(longsheng_supervisor, token)

    assert result["written"] is False and Child.objects.count() == 0
    assert [e["column"] for e in result["errors"]] == ["责任儿童主任"]


def test_a_child_registered_between_preview_and_write_is_updated_not_added_again(
    longsheng_supervisor, reads
):
    rows = [child_row(0), child_row(1, 学校="表中学校")]
    token, shown = preview(longsheng_supervisor, build_ledger(rows))
    assert shown["new"] == 2
    registered = factories.ChildFactory(
        name=rows[1]["姓名"],
        village=factories.village("龙胜镇", "山东村"),
        id_number=rows[1]["公民身份号码"],
        birth_date=dt.date.fromisoformat(rows[1]["出生日期"]),
        sex="F",
        school="原学校",
    )
    reads.clear()

    result = write(longsheng_supervisor, token)

    assert reads == []  # the saved rows were taken over, the match was made now
    assert result["written"] and (result["new"], result["updated"]) == (1, 1)
    assert Child.objects.count() == 2
    registered.refresh_from_db()
    assert registered.school == "表中学校" and registered.version == 2


def test_a_child_registered_elsewhere_between_preview_and_write_stops_the_write(
    longsheng_supervisor, reads
):
    rows = [child_row(0), child_row(1)]
    token, _shown = preview(longsheng_supervisor, build_ledger(rows))
    factories.ChildFactory(
        name="后登记",
        village=factories.village("平等镇", "罗汉村"),
        id_number=rows[1]["公民身份号码"],
        birth_date=dt.date.fromisoformat(rows[1]["出生日期"]),
        sex="F",
    )
    reads.clear()

    result = write(longsheng_supervisor, token)

    assert reads == [] and result["written"] is False
    assert Child.objects.count() == 1  # only the one registered elsewhere


def test_a_write_rejected_after_the_preview_can_be_run_again(longsheng_supervisor, monkeypatch):
    """All or nothing: a write that fails half-way leaves nothing, and the same job finds
    its file and saved rows again."""
    token, _shown = preview(longsheng_supervisor, build_ledger([child_row(0), child_row(1)]))

    def broken(*args, **kwargs):
        raise RuntimeError("worker stopped")

    monkeypatch.setattr(services_import, "_write_updates", broken)
    with pytest.raises(RuntimeError):
        write(longsheng_supervisor, token)
    assert Child.objects.count() == 0 and ChangeLog.objects.count() == 0
    monkeypatch.undo()

    assert write(longsheng_supervisor, token)["written"]
    assert Child.objects.count() == 2 and ChangeLog.objects.count() == 2


# --- COPY on PostgreSQL ----------------------------------------------------------------------


def _unsaved_children(actor, data: bytes) -> list[Child]:
    ledger = ledger_import.read_ledger(data, township=township())
    plan = services_import.ledger_import_plan(actor=actor, township=township(), rows=ledger.rows)
    assert not plan.errors
    return [row.child for row in plan.rows]


def _inserted(actor, data, insert) -> list[dict]:
    children = _unsaved_children(actor, data)
    with transaction.atomic():
        insert(children)
        assert all(child.pk for child in children)
        rows = list(
            Child.objects.filter(pk__in=[c.pk for c in children])
            .order_by("name")
            .values(*[f.attname for f in Child._meta.concrete_fields if f.name != "id"])
        )
        # The later inserts of the same transaction refer to these ids.
        assert ChangeLog.objects.bulk_create([ChangeLog(child=children[0], action="import")])
        transaction.set_rollback(True)
    for row in rows:
        assert row.pop("created_at") is not None and row.pop("updated_at") is not None
    return rows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_inserts_the_same_rows_as_bulk_create(longsheng_supervisor):
    data = build_ledger([child_row(i, 监护人电话="0773-7512345") for i in range(5)])
    copied = _inserted(longsheng_supervisor, data, services_import.insert_children)
    created = _inserted(
        longsheng_supervisor, data, lambda children: Child.objects.bulk_create(children)
    )
    assert copied == created and len(copied) == 5
    assert copied[0]["id_number_hash"] and copied[0]["guardian_phone"] == "0773-7512345"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM children_child WHERE id_number LIKE '4503%%'")
        assert cursor.fetchone()[0] == 0  # encrypted at rest, as bulk_create writes it
    # The sequence moved past the copied ids: a child registered next gets a fresh one.
    assert factories.ChildFactory(village=factories.village("龙胜镇", "山东村")).pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_of_an_id_registered_meanwhile_rolls_back_the_whole_import(
    longsheng_supervisor, shandong_child, monkeypatch
):
    monkeypatch.setattr(services_import, "_existing_by_id", lambda ids, lock: {})
    rows = [child_row(0), row_of_registered_child(1, shandong_child)]
    token, _shown = preview(longsheng_supervisor, build_ledger(rows))
    result = write(longsheng_supervisor, token)
    assert result["written"] is False and "未写入任何数据" in result["errors"][0]["message"]
    assert Child.objects.count() == 1

"""python manage.py import_ledger FILE --township 龙胜镇 [--dry-run] [--user USERNAME]"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AccessAction, AccessLog
from children.models import ChangeLog, Child
from tests.children.conftest import build_ledger, child_row


@pytest.fixture
def ledger_file(tmp_path):
    def write(rows, name="台账.xlsx", **options):
        path = tmp_path / name
        path.write_bytes(build_ledger(rows, **options))
        return path

    return write


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_ledger", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_logs_as_the_county_admin(county_admin, ledger_file):
    path = ledger_file([child_row(i) for i in range(3)])

    out, _err = run(path, "--township", "龙胜镇")

    assert "已新增 3 人、更新 0 人，无变化 0 人" in out
    assert "第 2 行  新增  导入儿童0" in out
    assert Child.objects.count() == 3
    assert ChangeLog.objects.filter(actor=county_admin, action="import").count() == 3
    log = AccessLog.objects.get(action=AccessAction.IMPORT)
    assert log.user == county_admin and log.detail["file"] == "台账.xlsx"


def test_command_accepts_the_township_code_and_a_user(
    county_admin, longsheng_supervisor, ledger_file
):
    path = ledger_file([child_row(0)])
    run(path, "--township", "450328100", "--user", longsheng_supervisor.username)
    assert Child.objects.get().created_by == longsheng_supervisor


def test_dry_run_prints_the_preview_and_writes_nothing(county_admin, ledger_file):
    path = ledger_file([child_row(i) for i in range(2)])

    out, _err = run(path, "--township", "龙胜镇", "--dry-run")

    assert "将新增 2 人" in out and "试运行" in out
    assert Child.objects.count() == 0 and ChangeLog.objects.count() == 0
    assert not AccessLog.objects.filter(action=AccessAction.IMPORT).exists()


def test_errors_are_printed_and_the_command_fails_writing_nothing(county_admin, ledger_file):
    rows = [child_row(0), child_row(1, 风险等级="紫色"), child_row(2, **{"村（社区）": "月球村"})]
    path = ledger_file(rows)
    err = StringIO()

    with pytest.raises(CommandError, match="2 处错误，未写入任何数据"):
        call_command(
            "import_ledger", str(path), "--township", "龙胜镇", stdout=StringIO(), stderr=err
        )

    printed = err.getvalue()
    assert "第 3 行「风险等级」" in printed and "紫色" in printed
    assert "第 4 行「村（社区）」" in printed and "月球村" in printed
    assert Child.objects.count() == 0


def test_dry_run_with_errors_also_fails(county_admin, ledger_file):
    path = ledger_file([child_row(0, 性别="女")])
    with pytest.raises(CommandError):
        run(path, "--township", "龙胜镇", "--dry-run")


def test_refused_file_fails_with_its_message(county_admin, tmp_path):
    path = tmp_path / "macro.xlsm"
    path.write_bytes(b"PK\x03\x04 definitely not a workbook")
    with pytest.raises(CommandError, match=r"损坏|不是有效的 Excel"):
        run(path, "--township", "龙胜镇")


def test_unknown_township_missing_file_and_unknown_user_fail(county_admin, ledger_file, tmp_path):
    path = ledger_file([child_row(0)])
    with pytest.raises(CommandError, match="未知的乡镇"):
        run(path, "--township", "火星镇")
    with pytest.raises(CommandError, match="找不到文件"):
        run(tmp_path / "missing.xlsx", "--township", "龙胜镇")
    with pytest.raises(CommandError, match="找不到在用的用户"):
        run(path, "--township", "龙胜镇", "--user", "nobody")
    assert Child.objects.count() == 0


def test_a_user_without_the_township_cannot_import_into_it(pingdeng_supervisor, ledger_file):
    path = ledger_file([child_row(0)])
    with pytest.raises(CommandError):
        run(path, "--township", "龙胜镇", "--user", pingdeng_supervisor.username)
    assert Child.objects.count() == 0


def test_without_a_county_admin_the_user_must_be_named(db, ledger_file):
    with pytest.raises(CommandError, match="--user"):
        run(ledger_file([child_row(0)]), "--township", "龙胜镇")

import csv
import io
from collections import Counter
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import Workbook

from accounts.choices import VillageStatus
from accounts.models import Township, User, Village, VillageChange
from accounts.village_names import ledger_name
from children.models import Child
from tests import factories

REFERENCE = Path(__file__).resolve().parents[2] / "accounts/reference/villages_450328_2023.csv"
official_migration = import_module("accounts.migrations.0007_official_village_codes")

# The villages the first release created, with the provisional codes it gave them.
LEGACY_VILLAGES = {
    "450328100": ["山东村", "南门村"],
    "450328101": ["瓢里街社区", "大云村", "上塘村"],
    "450328104": ["罗汉村", "小江村"],
    "450328105": ["地灵村"],
    "450328202": ["李江村", "城岭村", "龙塘村", "地灵村"],
}


def official_rows():
    return official_migration.official_rows()


def write_xlsx(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["泗水乡村级名单"])  # a title row above the header, as real files have
    sheet.append(["村代码", "乡镇代码", "名称"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "township_code", "name"])
        writer.writerows(rows)
    return path


def make_legacy_install():
    """The areas as an install of the first release had them: provisional codes only."""
    VillageChange.objects.all().delete()
    Village.objects.all().delete()
    for township_code, names in LEGACY_VILLAGES.items():
        township = Township.objects.get(code=township_code)
        for index, name in enumerate(names, start=1):
            Village.objects.create(township=township, name=name, code=f"{township_code}{index:03d}")


def areas_of_people():
    return {
        "children": dict(Child.objects.values_list("pk", "village_id")),
        "users": dict(User.objects.values_list("pk", "village_id")),
    }


# --- the reference data and the migration ------------------------------------------------


def test_reference_file_holds_128_villages_counted_per_township_as_published():
    rows = official_rows()
    assert len(rows) == 128
    per_township = Counter(township for _code, township, _name in rows)
    assert [per_township[code] for code in sorted(per_township)] == [
        19, 11, 14, 16, 22, 13, 9, 8, 8, 8,
    ]  # fmt: skip
    assert all(len(code) == 12 and code.startswith(township) for code, township, _ in rows)
    text = REFERENCE.read_text(encoding="utf-8")
    assert "china-division" in text and "MIT" in text and "国家统计局" in text


def test_a_new_install_starts_with_the_official_list_and_no_provisional_code(db):
    expected = {(code, ledger_name(name)) for code, _t, name in official_rows()}
    assert set(Village.objects.values_list("code", "name")) == expected
    assert Village.objects.get(code="450328100212").name == "山东村"
    assert Village.objects.get(code="450328101001").name == "瓢里街社区"


def test_an_old_install_is_migrated_by_name_so_nobody_moves(db):
    make_legacy_install()
    shandong = Village.objects.get(township__code="450328100", name="山东村")
    assert shandong.code == "450328100001"  # the official code of 城南社区
    child = factories.ChildFactory(village=shandong, township=shandong.township)
    director = factories.make_user(
        "village_director", township_name="龙胜镇", village_name="山东村"
    )
    # A village an admin added that the official list does not have, on an official code.
    extra = Village.objects.create(township=shandong.township, name="新屯村", code="450328100003")

    official_migration.load_official_villages(django_apps, None)

    shandong.refresh_from_db()
    assert (shandong.code, shandong.name) == ("450328100212", "山东村")
    child.refresh_from_db()
    director.refresh_from_db()
    assert child.village_id == shandong.pk and director.village_id == shandong.pk
    chengnan = Village.objects.get(code="450328100001")
    assert chengnan.name == "城南社区" and chengnan.pk != shandong.pk
    extra.refresh_from_db()
    assert extra.name == "新屯村" and extra.code == "450328100900"  # kept, off the official code
    assert Village.objects.count() == 129
    names = Counter(Village.objects.values_list("township_id", "name"))
    assert max(names.values()) == 1
    assert VillageChange.objects.filter(village=shandong, kind="recode").exists()


# --- load_villages ------------------------------------------------------------------------


@override_settings(DEBUG=True)
def test_loading_the_official_list_on_the_demo_data_moves_nobody(db, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    before = areas_of_people()
    villages_before = Village.objects.count()
    seeded = set(Child.objects.values_list("village_id", flat=True))
    out = io.StringIO()
    call_command("load_villages", str(REFERENCE), stdout=out)
    assert areas_of_people() == before
    assert Village.objects.count() == villages_before == 128
    official = {code for code, _t, _n in official_rows()}
    assert set(Village.objects.filter(pk__in=seeded).values_list("code", flat=True)) <= official
    assert "未变 128" in out.getvalue()
    director = User.objects.get(username="director")
    assert (director.village.code, director.village.name) == ("450328100212", "山东村")


@override_settings(DEBUG=True)
def test_on_an_old_install_the_official_list_is_refused_row_by_row_not_renamed(db, tmp_path):
    make_legacy_install()
    shandong = Village.objects.get(name="山东村")
    child = factories.ChildFactory(village=shandong, township=shandong.township)
    path = write_xlsx(
        tmp_path / "villages.xlsx",
        [
            ["450328100001", "450328100", "城南社区居委会"],
            ["450328100212", "450328100", "山东村委会"],
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="未写入"):
        call_command("load_villages", str(path), stdout=io.StringIO(), stderr=err)
    assert "第 3 行" in err.getvalue() and "山东村" in err.getvalue()
    shandong.refresh_from_db()
    child.refresh_from_db()
    assert (shandong.name, shandong.code) == ("山东村", "450328100001")
    assert child.village_id == shandong.pk


def test_a_row_whose_code_belongs_to_another_village_is_refused_with_its_row(db, tmp_path):
    path = write_xlsx(
        tmp_path / "villages.xlsx",
        [
            ["450328201200", "450328201", "周家村委会"],  # fine: the same village
            ["450328100212", "450328100", "城南社区居委会"],  # 山东村's code (row 4)
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_villages", str(path), stdout=io.StringIO(), stderr=err)
    assert "第 4 行" in err.getvalue() and "龙胜镇 山东村" in err.getvalue()
    assert Village.objects.get(code="450328100212").name == "山东村"


def test_dry_run_lists_each_change_with_what_the_village_holds_and_writes_nothing(db, tmp_path):
    shandong = Village.objects.get(name="山东村")
    factories.ChildFactory(village=shandong, township=shandong.township)
    Village.objects.filter(pk=shandong.pk).update(code="450328100999")  # a wrong code
    path = write_csv(
        tmp_path / "villages.csv",
        [
            ["450328100212", "450328100", "山东村委会"],  # re-code, found by name
            ["450328201209", "450328201", "新泗水村委会"],  # new
        ],
    )
    before = list(Village.objects.values_list("pk", "code", "name", "status"))
    changes_before = VillageChange.objects.count()
    out = io.StringIO()
    call_command("load_villages", str(path), "--dry-run", stdout=out)
    assert list(Village.objects.values_list("pk", "code", "name", "status")) == before
    assert VillageChange.objects.count() == changes_before
    text = out.getvalue()
    assert "更正代码  450328100212 龙胜镇 山东村" in text and "原代码 450328100999" in text
    assert "现有儿童 1 名" in text
    assert "新增  450328201209 泗水乡 新泗水村" in text
    assert "将新增 1 个、更新 1 个" in text


def test_load_writes_the_changes_and_their_record(db, tmp_path, county_admin):
    shandong = Village.objects.get(name="山东村")
    Village.objects.filter(pk=shandong.pk).update(code="450328100999", name="山东村民委员会")
    path = write_csv(
        tmp_path / "villages.csv",
        [["450328100212", "450328100", "山东村委会"], ["450328201209", "450328201", "新泗水村"]],
    )
    out = io.StringIO()
    call_command("load_villages", str(path), stdout=out)
    shandong.refresh_from_db()
    assert (shandong.code, shandong.name) == ("450328100212", "山东村")
    assert Village.objects.get(code="450328201209").name == "新泗水村"
    assert "已新增 1 个、更新 1 个" in out.getvalue()
    change = VillageChange.objects.filter(village=shandong).latest("pk")
    assert change.detail == {
        "name": ["山东村民委员会", "山东村"],
        "code": ["450328100999", "450328100212"],
    }


def test_loading_the_same_file_twice_changes_nothing_the_second_time(db, tmp_path):
    path = write_csv(tmp_path / "villages.csv", [["450328204208", "450328204", "伟江村"]])
    call_command("load_villages", str(path), stdout=io.StringIO())
    before = list(Village.objects.values_list("pk", "code", "name"))
    out = io.StringIO()
    call_command("load_villages", str(path), stdout=out)
    assert list(Village.objects.values_list("pk", "code", "name")) == before
    assert "未变 1" in out.getvalue()


def test_villages_absent_from_the_list_are_kept_and_retired_only_when_asked(db, tmp_path):
    dongsheng = Village.objects.get(name="东升村")
    child = factories.ChildFactory(village=dongsheng, township=dongsheng.township)
    rows = [
        [code, township, name]
        for code, township, name in official_rows()
        if township == "450328203" and name != "东升村委会"
    ]
    path = write_csv(tmp_path / "villages.csv", rows)
    call_command("load_villages", str(path), stdout=io.StringIO())
    dongsheng.refresh_from_db()
    assert dongsheng.status == VillageStatus.ACTIVE

    out = io.StringIO()
    call_command("load_villages", str(path), "--retire-absent", stdout=out)
    dongsheng.refresh_from_db()
    child.refresh_from_db()
    assert dongsheng.status == VillageStatus.MERGED and dongsheng.retired_on is not None
    assert child.village_id == dongsheng.pk
    assert "标记已撤并  450328203207 马堤乡 东升村" in out.getvalue()
    # Villages of townships the file does not cover are left alone.
    assert not Village.objects.exclude(township__code="450328203").filter(status="merged")


def test_bad_file_is_refused_with_row_numbers_and_writes_nothing(db, tmp_path):
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [
            ["450328201209", "450328201", "新村"],  # good
            ["450328999201", "450328999", "某村"],  # unknown township (row 4)
            ["450328201209", "450328201", "重复村"],  # duplicate code (row 5)
            ["450328201210", "450328201", "新村委会"],  # the same village as row 3 (row 6)
        ],
    )
    before = Village.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="未写入"):
        call_command("load_villages", str(path), stdout=io.StringIO(), stderr=err)
    assert Village.objects.count() == before
    assert "第 4 行" in err.getvalue() and "450328999" in err.getvalue()
    assert "第 5 行" in err.getvalue() and "重复" in err.getvalue()
    assert "第 6 行" in err.getvalue() and "第 3 行" in err.getvalue()


def test_non_spreadsheet_file_is_refused(db, tmp_path):
    path = tmp_path / "villages.xlsx"
    path.write_bytes(b"this is not a spreadsheet")
    with pytest.raises(CommandError):
        call_command("load_villages", str(path), stdout=io.StringIO())


@pytest.mark.parametrize(
    ("official", "ledger"),
    [
        ("山东村委会", "山东村"),
        ("山东村民委员会", "山东村"),
        ("城南社区居委会", "城南社区"),
        ("瓢里街社区居民委员会", "瓢里街社区"),
        ("城南居委会", "城南社区"),
        ("山东村", "山东村"),
        (" 山东 村委会 ", "山东村"),
    ],
)
def test_official_suffixes_name_the_same_place_as_the_ledger(official, ledger):
    assert ledger_name(official) == ledger

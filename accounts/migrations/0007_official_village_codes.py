"""Longsheng's 128 villages with their official codes (2023 统计用区划代码), from
accounts/reference/villages_450328_2023.csv (source and licence cited in that file).

A new install gets exactly that list. An install that ran the old 0002 has a few villages
with provisional codes ({township}{001…}); several of those equal real codes of other
villages (450328100001 is 城南社区, not 山东村), so villages are matched by (township, name)
with the official suffixes dropped (山东村委会 = 山东村), never by code. A village with
children and accounts keeps its row — and so its children and accounts — and only gains its
official code. A village not on the list is kept; if its provisional code is an official code
of another village, it moves to a local code in the 900–999 range, which the statistics
bureau does not use for villages.

The file is named for its year and never edited, and the name rule is copied here (from
accounts.village_names), so this migration keeps meaning the same thing later.
"""

import csv
from pathlib import Path

from django.db import migrations

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "villages_450328_2023.csv"

_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("居民委员会", "社区"),
    ("村委会", "村"),
    ("居委会", "社区"),
)


def ledger_name(name):
    text = "".join((name or "").split())
    for suffix, short in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)] + short
    return text


def official_rows():
    lines = [
        line
        for line in REFERENCE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return [(row["村代码"], row["乡镇代码"], row["名称"]) for row in csv.DictReader(lines)]


def load_official_villages(apps, schema_editor):
    Township = apps.get_model("accounts", "Township")
    Village = apps.get_model("accounts", "Village")
    VillageChange = apps.get_model("accounts", "VillageChange")
    townships = {t.code: t for t in Township.objects.all()}
    rows = official_rows()
    official_codes = {code for code, _township, _name in rows}

    # Of two existing villages meaning the same place, the one already named as the ledger
    # names it wins; the other is kept as it is (an admin merges them if they are one).
    by_name = {}
    for village in sorted(Village.objects.all(), key=lambda v: (v.name != ledger_name(v.name), v.pk)):
        by_name.setdefault((village.township_id, ledger_name(village.name)), village)

    plan = []
    matched = set()
    for code, township_code, official_name in rows:
        township = townships[township_code]
        name = ledger_name(official_name)
        village = by_name.get((township.pk, name))
        plan.append((village, township, code, name))
        if village is not None:
            matched.add(village.pk)

    # Step 1: park every matched village on a temporary code, so that the official codes can
    # be handed out in any order (the provisional codes overlap the official ones).
    for village, _township, _code, _name in plan:
        if village is not None:
            Village.objects.filter(pk=village.pk).update(code=f"tmp{village.pk}")
    # Step 2: an unmatched village holding an official code moves to a local code.
    used = set(Village.objects.values_list("code", flat=True)) | official_codes
    for village in Village.objects.exclude(pk__in=matched).filter(code__in=official_codes):
        township = village.township
        local = next(
            f"{township.code}{n}" for n in range(900, 1000) if f"{township.code}{n}" not in used
        )
        used.add(local)
        VillageChange.objects.create(
            kind="recode",
            village=village,
            detail={"code": [village.code, local]},
            note="临时代码与官方代码冲突，改为本地代码（不在2023年官方清单中）",
        )
        Village.objects.filter(pk=village.pk).update(code=local)
    # Step 3: official codes and names.
    for village, township, code, name in plan:
        if village is None:
            created = Village.objects.create(township=township, code=code, name=name)
            VillageChange.objects.create(
                kind="create",
                village=created,
                detail={"code": code, "name": name},
                note="2023年统计用区划代码",
            )
            continue
        Village.objects.filter(pk=village.pk).update(code=code, name=name)
        detail = {}
        if village.code != code:
            detail["code"] = [village.code, code]
        if village.name != name:
            detail["name"] = [village.name, name]
        if detail:
            VillageChange.objects.create(
                kind="recode" if "code" in detail else "rename",
                village=village,
                detail=detail,
                note="2023年统计用区划代码",
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_village_status_and_change_log")]

    operations = [migrations.RunPython(load_official_villages, migrations.RunPython.noop)]

"""Load the county's ten townships and create the four role groups.

The data is copied here so this migration keeps meaning the same thing later. The villages
come with their official codes in 0007_official_village_codes; this migration once created
a few villages with provisional codes (``{township}{001…}``), which 0006 gives their official
codes on installs that ran it before.
"""

from django.db import migrations

TOWNSHIPS = [
    ("450328100", "龙胜镇", ""),
    ("450328101", "瓢里镇", ""),
    ("450328102", "三门镇", ""),
    ("450328103", "龙脊镇", "和平乡"),
    ("450328104", "平等镇", ""),
    ("450328105", "乐江镇", ""),
    ("450328201", "泗水乡", ""),
    ("450328202", "江底乡", ""),
    ("450328203", "马堤乡", ""),
    ("450328204", "伟江乡", ""),
]

ROLE_GROUPS = ["县未保中心管理员", "县未保中心工作人员", "乡镇儿童督导员", "村/居儿童主任"]


def load(apps, schema_editor):
    Township = apps.get_model("accounts", "Township")
    Group = apps.get_model("auth", "Group")
    for code, name, former_name in TOWNSHIPS:
        Township.objects.update_or_create(
            code=code, defaults={"name": name, "former_name": former_name}
        )
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

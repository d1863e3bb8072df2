"""Load the county's ten townships and known villages, and create the four role groups.

The data is copied here (not imported from accounts.reference_data) so this migration keeps
meaning the same thing if that module changes later.
"""

from django.db import migrations

TOWNSHIPS = [
    ("450328100", "龙胜镇", "", ["山东村", "南门村"]),
    ("450328101", "瓢里镇", "", ["瓢里街社区", "大云村", "上塘村", "瓢里村", "界泉村", "思陇村", "梅洞村", "平岭村", "孟化村"]),
    ("450328102", "三门镇", "", ["交其村", "大滩村", "洪寨村", "双江村", "鸡爪村", "古坪村", "同烈村", "大罗村", "花桥村", "大地村", "花坪村"]),
    ("450328103", "龙脊镇", "和平乡", ["和平街社区", "和平村", "大柳村", "白水村", "平安村", "金江村"]),
    ("450328104", "平等镇", "", ["罗汉村", "小江村", "城田村", "太平村", "平熬村", "甲河村", "琉璃村"]),
    ("450328105", "乐江镇", "", ["石京村", "石甲村", "光明村", "独镜村", "地灵村", "大雄村", "宝赠村"]),
    ("450328201", "泗水乡", "", []),
    ("450328202", "江底乡", "", ["李江村", "城岭村", "龙塘村", "地灵村", "围子村"]),
    ("450328203", "马堤乡", "", ["马堤村"]),
    ("450328204", "伟江乡", "", []),
]

ROLE_GROUPS = ["县未保中心管理员", "县未保中心工作人员", "乡镇儿童督导员", "村/居儿童主任"]


def load(apps, schema_editor):
    Township = apps.get_model("accounts", "Township")
    Village = apps.get_model("accounts", "Village")
    Group = apps.get_model("auth", "Group")
    for code, name, former_name, villages in TOWNSHIPS:
        township, _ = Township.objects.update_or_create(
            code=code, defaults={"name": name, "former_name": former_name}
        )
        for index, village_name in enumerate(villages, start=1):
            Village.objects.get_or_create(
                township=township,
                name=village_name,
                defaults={"code": f"{code}{index:03d}"},  # provisional until load_villages brings the official codes
            )
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

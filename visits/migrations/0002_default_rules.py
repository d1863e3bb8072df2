"""Default visit schedule (docs/domain.md §6): red every 14 days, orange and yellow 30, green 90;
first visit within 5 working days of registration. The county admin may change them later."""

from django.db import migrations

DEFAULT_INTERVALS = {"red": 14, "orange": 30, "yellow": 30, "green": 90}


def create_defaults(apps, schema_editor):
    VisitRule = apps.get_model("visits", "VisitRule")
    VisitScheduleSetting = apps.get_model("visits", "VisitScheduleSetting")
    for level, days in DEFAULT_INTERVALS.items():
        VisitRule.objects.get_or_create(risk_level=level, defaults={"interval_days": days})
    VisitScheduleSetting.objects.get_or_create(pk=1, defaults={"first_visit_working_days": 5})


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]

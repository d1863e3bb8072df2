# The visits of a period by date and child (visits/models.py).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0012_search_count_index"),
        ("visits", "0002_default_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The new index first: the period's visits are never left without one.
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["date", "child"], name="visit_date_child"),
        ),
        migrations.RemoveIndex(
            model_name="visit",
            name="visit_date",
        ),
    ]

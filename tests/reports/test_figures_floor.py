"""The township report's figures, derived a second way: ``bench/floors.py`` computes the
ledger, circumstances, screening, alerts, plans, referrals, pairings, visits and activity
beneficiaries of a township as one hand-written PostgreSQL statement, apart from the report's
rules. On the demo data, for every township and on two dates, both agree on every figure
the statement computes. (The benchmark makes the same comparison at 10,000 and
100,000 children.)"""

import datetime as dt
import importlib.util
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Township
from activities.models import Campaign
from reports.figures import township_figures

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor is PostgreSQL SQL"),
]


def _load_floors():
    # bench/ is not a package and its scripts' names (run, load…) are not to shadow others':
    # the one module is loaded from its file.
    path = Path(__file__).resolve().parents[2] / "bench" / "floors.py"
    spec = importlib.util.spec_from_file_location("bench_floors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


floors = _load_floors()


@pytest.fixture
def demo():
    call_command("seed_demo", "--force", stdout=io.StringIO())
    return Campaign.objects.get(year=2026)


def test_every_figure_the_floor_computes_agrees_with_the_report(demo):
    campaign = demo
    townships = list(Township.objects.order_by("code"))
    assert townships
    compared = 0
    # As of the campaign's end and later, as the benchmark takes them (the floor does not cut
    # the campaign's periods at a date inside it).
    for today in (campaign.end_date, campaign.end_date + dt.timedelta(days=30)):
        for township in townships:
            figures = township_figures(campaign, township, today=today)
            sql, params = floors.township_sql(campaign, township, today)
            check = floors.check_township(figures, floors.run(sql, params))
            assert check["equal"], (township.name, today, check["differ"])
            compared += check["compared"]
    # Not an empty comparison: the demo has children, visits, screenings and activities.
    assert compared > 20 * len(townships)

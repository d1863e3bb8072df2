"""The key figures computed alone (``live_key_figures``: the roll-up's rows, its 县级 row and
its 合计, the county workbook's and the county dashboard's figures) are the report's own:
for every township, the county center and the whole county, on days through the campaign
and after it, they equal ``key_figures`` of the full report of the same scope."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Township
from activities.models import Campaign
from reports.figures import (
    COUNTY,
    COUNTY_CENTER,
    LEDGER_KEYS,
    area_figures,
    center_key_figures,
    county_key_figures,
    key_figures,
    live_key_figures,
    live_key_figures_by_township,
    township_figures,
)
from tests.reports.conftest import FIGURES_TODAY

pytestmark = pytest.mark.django_db


def _assert_key_figures_are_the_reports(campaign, today):
    county = county_key_figures(campaign, today=today)
    assert county == key_figures(area_figures(campaign, COUNTY, today=today)), today
    center = key_figures(area_figures(campaign, COUNTY_CENTER, today=today))
    expected = {key: (None if key in LEDGER_KEYS else value) for key, value in center.items()}
    assert center_key_figures(campaign, today=today) == expected, today
    rows = live_key_figures_by_township(campaign, today=today)
    for township in Township.objects.all():
        full = township_figures(campaign, township, today=today)
        assert rows[township.pk] == key_figures(full), (township.name, today)
    return county


def test_key_figures_equal_the_full_reports_on_the_test_dataset(dataset):
    campaign = dataset.campaign
    counties = [
        _assert_key_figures_are_the_reports(campaign, today)
        for today in (dt.date(2026, 5, 20), FIGURES_TODAY, campaign.end_date + dt.timedelta(1))
    ]
    # Not a comparison of zeros: the county has children, visits and activities.
    assert all(c["children"] and c["visits"] and c["activities"] for c in counties[1:])


def test_key_figures_equal_the_full_reports_on_the_demo_data():
    call_command("seed_demo", "--force", stdout=io.StringIO())
    campaign = Campaign.objects.get(year=2026)
    for today in (campaign.start_date + dt.timedelta(20), campaign.end_date):
        county = _assert_key_figures_are_the_reports(campaign, today)
    assert county["children"] > 0 and county["screenings"] > 0 and county["beneficiaries"] > 0


def test_the_county_total_reads_only_what_its_key_figures_show(dataset):
    """The 合计 and 县级 rows compute the key figures, not the whole county report: care
    plans, referrals, pairings, incidents and the notice's records are not read."""
    for figures in (county_key_figures, center_key_figures):
        with CaptureQueriesContext(connection) as queries:
            figures(dataset.campaign, today=FIGURES_TODAY)
        tables = " ".join(query["sql"] for query in queries.captured_queries)
        for table in ("care_careplan", "care_referral", "care_pairing", "care_incident",
                      "activities_activityplan", "children_childcircumstance"):  # fmt: skip
            assert table not in tables, (figures.__name__, table)


def test_only_the_county_is_grouped_by_township(dataset):
    with pytest.raises(ValueError):
        live_key_figures(dataset.campaign, COUNTY_CENTER, by_township=True)

"""core.planning: a report's statements planned for their own parameters, on PostgreSQL only
and only inside the block."""

import pytest
from django.db import connection

from core.planning import planned_for_parameters

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL planner setting"
)


def plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_statements_inside_the_block_are_planned_for_their_parameters():
    before = plan_cache_mode()
    with planned_for_parameters():
        assert plan_cache_mode() == "force_custom_plan"
    # The pages' small statements keep their prepared, generic plans after it.
    assert plan_cache_mode() == before == "auto"


@pytest.mark.django_db
def test_the_setting_ends_with_the_block_when_the_block_fails():
    with pytest.raises(ZeroDivisionError), planned_for_parameters():
        1 / 0  # noqa: B018
    assert plan_cache_mode() == "auto"


@pytest.mark.django_db
def test_a_township_report_leaves_the_connection_as_it_was(campaign_with_township):
    from reports.figures import township_figures

    campaign, township = campaign_with_township
    township_figures(campaign, township)
    assert plan_cache_mode() == "auto"


@pytest.fixture
def campaign_with_township(db):
    import datetime as dt

    from accounts.models import Township
    from activities.models import Campaign

    campaign = Campaign.objects.create(
        year=2026,
        start_date=dt.date(2026, 5, 15),
        end_date=dt.date(2026, 6, 10),
        report_deadline=dt.date(2026, 6, 4),
    )
    township = Township.objects.get(name="龙胜镇")
    return campaign, township

"""受益人数 (distinct people) versus 受益人次 (attendances), computed in SQL."""

import pytest

from activities import selectors
from activities.models import Activity
from tests import factories
from tests.activities.conftest import make_activity, make_service, make_training

pytestmark = pytest.mark.django_db


def test_child_in_three_activities_counts_once_as_beneficiary_and_three_times_as_attendance(
    longsheng_supervisor, shandong_child, campaign
):
    other = factories.ChildFactory(name="李明")
    make_activity(longsheng_supervisor, campaign=campaign, children=[shandong_child, other])
    make_activity(
        longsheng_supervisor,
        campaign=campaign,
        children=[shandong_child],
        guardians_count=4,
        teachers_count=2,
    )
    make_activity(
        longsheng_supervisor,
        campaign=campaign,
        children=[shandong_child],
        public_count=10,
        other_children_count=5,
        volunteers_count=7,
    )

    figures = selectors.beneficiaries(Activity.objects.filter(campaign=campaign))

    assert figures["distinct_children"] == 2  # 张小花 once, 李明 once
    assert figures["attendances"] == 4  # 张小花 three times, 李明 once
    assert figures["other_beneficiaries"] == 4 + 2 + 10 + 5
    assert figures["total_beneficiaries"] == 2 + 21
    assert figures["total_attendances"] == 4 + 21
    assert figures["volunteers"] == 7  # volunteers serve; they are not beneficiaries
    assert figures["activities"] == 3


def test_a_single_child_in_three_activities(longsheng_supervisor, shandong_child):
    for _index in range(3):
        make_activity(longsheng_supervisor, children=[shandong_child])
    figures = selectors.beneficiaries(Activity.objects.all())
    assert (figures["distinct_children"], figures["attendances"]) == (1, 3)
    assert (figures["total_beneficiaries"], figures["total_attendances"]) == (1, 3)


def test_no_activities_gives_zeros(db):
    figures = selectors.beneficiaries(Activity.objects.none())
    assert set(figures.values()) == {0}


def test_filtered_queryset_with_joins_does_not_multiply(longsheng_supervisor, shandong_child):
    """A queryset filtered through a multi-valued relation (forms) must not count twice."""
    make_activity(longsheng_supervisor, children=[shandong_child], guardians_count=3)
    qs = Activity.objects.filter(formats__code__in=["light_up_june_first", "theme_day"])
    assert qs.count() == 2  # the join repeats the activity
    figures = selectors.beneficiaries(qs)
    assert figures["attendances"] == 1
    assert figures["guardians"] == 3


def test_figures_by_township_and_county(
    county_admin, longsheng_supervisor, pingdeng_supervisor, shandong_child, pingdeng_child
):
    make_activity(longsheng_supervisor, children=[shandong_child], guardians_count=2)
    make_activity(longsheng_supervisor, children=[shandong_child])
    make_activity(pingdeng_supervisor, children=[pingdeng_child])
    # A county activity with children of both townships.
    make_activity(
        county_admin,
        township=None,
        children=[shandong_child, pingdeng_child],
        title="县级六一活动",
    )

    by_township = selectors.beneficiaries_by_township(Activity.objects.all())
    longsheng, pingdeng = factories.township("龙胜镇"), factories.township("平等镇")
    assert by_township[longsheng.pk]["distinct_children"] == 1
    assert by_township[longsheng.pk]["attendances"] == 2
    assert by_township[longsheng.pk]["total_beneficiaries"] == 3
    assert by_township[pingdeng.pk]["distinct_children"] == 1
    assert by_township[None]["distinct_children"] == 2

    county = selectors.beneficiaries(Activity.objects.all())
    assert county["distinct_children"] == 2
    assert county["attendances"] == 5


def test_township_summary_for_a_campaign(
    longsheng_supervisor, pingdeng_supervisor, shandong_child, campaign, partner
):
    make_activity(longsheng_supervisor, campaign=campaign, children=[shandong_child], leaders=2)
    make_activity(
        longsheng_supervisor,
        campaign=campaign,
        children=[shandong_child],
        leaders=0,
        brand="",
        featured_practice="一村一节目",
        innovative_practice="心愿墙",
    )
    make_activity(longsheng_supervisor, children=[shandong_child])  # everyday work: no campaign
    make_activity(pingdeng_supervisor, campaign=campaign, brand="平等护苗")
    make_service(longsheng_supervisor, partner, children=[shandong_child], campaign=campaign)
    make_training(longsheng_supervisor, attendees=[longsheng_supervisor], campaign=campaign)

    summary = selectors.township_summary(campaign, longsheng_supervisor.township)

    assert summary["activities"] == 2
    assert summary["activities_with_leaders"] == 1
    assert summary["activities_with_brand"] == 1
    assert summary["activities_on_time"] == 2
    assert summary["beneficiaries"]["distinct_children"] == 1
    assert summary["beneficiaries"]["attendances"] == 2
    assert summary["by_form"]["light_up_june_first"] == 2
    assert summary["by_form"]["sports_meet"] == 0
    assert summary["leaders_by_level"] == {"county": 0, "township": 2, "village": 0}
    assert summary["by_channel"]["wechat"] == 2
    assert summary["brands"] == ["龙脊润心"]
    assert summary["featured_practices"] == [("「点亮六一」关爱活动", "一村一节目")]
    assert summary["innovative_practices"] == [("「点亮六一」关爱活动", "心愿墙")]
    assert summary["purchased_services"]["count"] == 1
    assert summary["purchased_services"]["ledger_children"] == 1
    assert summary["purchased_services"]["other_children"] == 3
    assert summary["trainings"]["count"] == 1
    assert summary["trainings"]["supervisors"] == 1


def test_township_summary_uses_a_fixed_number_of_queries(
    longsheng_supervisor, shandong_child, campaign, django_assert_max_num_queries
):
    for _index in range(4):
        make_activity(longsheng_supervisor, campaign=campaign, children=[shandong_child])
    with django_assert_max_num_queries(12):
        selectors.township_summary(campaign, longsheng_supervisor.township)

"""The demo seed: a 2026 campaign with 「六一」 activities, idempotent, children optional."""

import pytest

from accounts import demo as accounts_demo
from activities import demo, selectors
from activities.credit_code import validate_credit_code
from activities.models import (
    Activity,
    ActivityLeader,
    Campaign,
    Participation,
    PartnerOrganisation,
    PurchasedService,
    Training,
)
from children import demo as children_demo

pytestmark = pytest.mark.django_db


def counts():
    return [
        model.objects.count()
        for model in (
            Campaign,
            Activity,
            ActivityLeader,
            Participation,
            PartnerOrganisation,
            PurchasedService,
            Training,
        )
    ]


def test_demo_seed_is_idempotent_and_complete():
    accounts_demo.seed()
    children_demo.seed()
    demo.seed()
    first = counts()
    demo.seed()
    assert counts() == first

    campaign = Campaign.objects.get(year=2026)
    assert str(campaign.report_deadline) == "2026-06-04"
    # The townships' activities and the county center's own (township None).
    assert set(Activity.objects.values_list("township__name", flat=True)) == {
        "龙胜镇",
        "平等镇",
        None,
    }
    assert {"龙脊润心", "平等护苗"} <= set(Activity.objects.values_list("brand", flat=True))
    assert set(ActivityLeader.objects.values_list("level", flat=True)) >= {"county", "township"}
    for code in PartnerOrganisation.objects.exclude(credit_code="").values_list(
        "credit_code", flat=True
    ):
        validate_credit_code(code)
    figures = selectors.beneficiaries(Activity.objects.all())
    assert figures["attendances"] > figures["distinct_children"] > 0  # some in several


def test_demo_seed_without_children_creates_activities_without_participants():
    accounts_demo.seed()
    demo.seed()
    assert Activity.objects.count() == len(demo.ACTIVITIES) + 1  # + the county's own
    assert not Participation.objects.exists()

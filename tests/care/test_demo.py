"""The demo seed: a spread of records on the synthetic children, exactly one open
suicidal-ideation alert in 龙胜镇, idempotent, and nothing without synthetic children."""

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from care import demo
from care.models import (
    CarePlan,
    FollowUp,
    Institution,
    Mentor,
    Pairing,
    Referral,
    ReferralStatusChange,
    SafetyAlert,
    Screening,
)
from children.models import ChangeLog
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = (
    Screening, SafetyAlert, CarePlan, Referral, ReferralStatusChange, Pairing, FollowUp,
    Institution, Mentor, ChangeLog,
)  # fmt: skip


def _counts():
    return [m.objects.count() for m in MODELS]


@pytest.fixture
def synthetic_children(db):
    accounts_demo.seed()
    children = [
        factories.ChildFactory(village=factories.village("龙胜镇", "山东村")) for _ in range(3)
    ]
    children += [
        factories.ChildFactory(village=factories.village("龙胜镇", "南门村")) for _ in range(3)
    ]
    children += [
        factories.ChildFactory(village=factories.village("平等镇", "罗汉村")) for _ in range(8)
    ]
    # Two five-year-olds, whom no self-report instrument fits: the seed passes them over.
    five = timezone.localdate().replace(year=timezone.localdate().year - 5, day=1)
    children += [
        factories.ChildFactory(village=factories.village("平等镇", "罗汉村"), birth_date=five)
        for _ in range(2)
    ]
    return children


def test_seed_without_synthetic_children_does_nothing(db):
    accounts_demo.seed()
    factories.ChildFactory(is_synthetic=False)
    demo.seed()
    assert _counts() == [0] * len(MODELS)


def test_seed_makes_the_promised_records_and_is_idempotent(synthetic_children):
    demo.seed()
    first = _counts()
    demo.seed()
    assert _counts() == first

    open_suicidal = SafetyAlert.objects.filter(
        status="open", kind="suicidal_ideation", child__township__name="龙胜镇"
    )
    assert open_suicidal.count() == 1
    assert open_suicidal.get().screening.instrument == "PHQA"
    assert open_suicidal.get().screening.answers["9"] == 1
    assert open_suicidal.get().due_at is not None
    assert SafetyAlert.objects.filter(status="closed").count() >= 3
    assert set(
        SafetyAlert.objects.filter(status="closed").values_list("resolution", flat=True)
    ) == {
        "care_plan",
        "referral",
        "note",
    }
    # Every closed alert names what was done.
    assert all(a.actions for a in SafetyAlert.objects.filter(status="closed"))
    # An overdue alert escalated to the township and then the county, once each.
    overdue = SafetyAlert.objects.overdue()
    assert overdue.count() == 1
    late = overdue.get()
    assert late.escalation_level == 2
    assert sorted(late.events.values_list("kind", flat=True)) == [
        "escalated_county",
        "escalated_township",
        "raised",
    ]
    # Each screening was given to a child whose age fits its instrument.
    from care.screening import age_in_years, get_instrument

    for screening in Screening.objects.select_related("child"):
        age = age_in_years(screening.child.birth_date, screening.screened_on)
        assert get_instrument(screening.instrument).fits_age(screening.respondent, age)
    assert {"PHQA", "GAD7", "SCARED", "CESDC"} <= set(
        Screening.objects.values_list("instrument", flat=True)
    )
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {"discharged", "not_admitted", "outpatient"} <= statuses
    discharged = Referral.objects.get(status="discharged")
    pairing = discharged.pairings.get()
    assert pairing.follow_ups.exists()
    from care import due

    assert due.is_overdue(pairing.next_follow_up_on)
    assert any(due.is_overdue(p.review_on) for p in CarePlan.objects.filter(status="active"))
    assert Institution.objects.filter(note__contains="演示").count() == 4
    assert Mentor.objects.count() == 4

"""The demo seed: works with or without children, spreads visits over the schedule, leaves
some for longsheng to review and one returned to director; running it twice changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from children import demo as children_demo
from children.models import Child
from visits import demo, schedule
from visits.models import Visit, VisitProblem

pytestmark = pytest.mark.django_db


def counts():
    return (Visit.objects.count(), VisitProblem.objects.count())


def test_seed_without_children_seeds_nothing():
    accounts_demo.seed()
    demo.seed()
    assert not Visit.objects.exists()


def test_seed_spreads_visits_and_is_idempotent():
    accounts_demo.seed()
    children_demo.seed()
    demo.seed()
    first = counts()
    assert first[0] > 20
    demo.seed()
    assert counts() == first

    children = Child.objects.filter(is_synthetic=True)
    assert schedule.overdue_children(children).exists()
    assert schedule.due_this_week(children).exists()
    ok = schedule.annotate_next_due(children).filter(
        visit_overdue=False, next_visit_due__isnull=False
    )
    assert ok.exists()

    pending = Visit.objects.filter(review_status="pending", created_by__username="director")
    assert 1 <= pending.count() <= 5
    returned = Visit.objects.get(review_status="returned")
    assert returned.created_by.username == "director"
    assert returned.reviewer.username == "longsheng"
    assert returned.review_comment
    # Over the last 120 days, and inside the 2026 campaign (before its deadline) once it
    # has begun: the campaign report counts visits whatever day the demo is seeded.
    dates = Visit.objects.values_list("date", flat=True)
    today = timezone.localdate()
    in_campaign = [d for d in dates if children_demo.CAMPAIGN_START <= d <= dt.date(2026, 6, 4)]
    assert all(0 <= (today - d).days <= 120 or d in in_campaign for d in dates)
    if today >= dt.date(2026, 6, 2):
        townships = set(
            Visit.objects.filter(date__in=in_campaign).values_list(
                "child__township__name", flat=True
            )
        )
        assert {"龙胜镇", "平等镇"} <= townships

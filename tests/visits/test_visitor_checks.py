"""The visitor checks skip their queries only when the visitor is the actor (whose area was
just checked); any other visitor is still checked against the child's area."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.visits.conftest import record, visit_data
from visits import services

pytestmark = pytest.mark.django_db


def test_a_colleague_of_the_area_may_be_named_visitor(
    shandong_director, longsheng_supervisor, shandong_child
):
    visit = record(
        shandong_director, shandong_child, dt.date(2026, 6, 1), visitor=longsheng_supervisor
    )
    assert visit.visitor == longsheng_supervisor
    assert visit.created_by == shandong_director


def test_a_correction_may_not_name_a_visitor_from_another_area(
    shandong_director, pingdeng_supervisor, shandong_child
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.visit_update(
            actor=shandong_director,
            visit=visit,
            expected_version=visit.version,
            data=visit_data(visitor=pingdeng_supervisor),
        )
    assert "visitor" in excinfo.value.message_dict


def test_a_reviewer_may_correct_the_visitor_to_themself(
    shandong_director, longsheng_supervisor, shandong_child
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1), problems=["other"])
    visit = services.visit_update(
        actor=longsheng_supervisor,
        visit=visit,
        expected_version=visit.version,
        data=visit_data(visitor=longsheng_supervisor),
        problems=["emotional"],
    )
    visit.refresh_from_db()
    assert visit.visitor == longsheng_supervisor
    assert list(visit.problems.values_list("code", flat=True)) == ["emotional"]

"""Every instrument refuses a child outside its age range (age at the screening date), in
the service and in the form, with a message naming the instruments that do fit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from care import forms, services
from care.models import Screening
from care.screening import INSTRUMENTS
from tests import factories
from tests.care.conftest import answers

pytestmark = pytest.mark.django_db

SCREENED_ON = dt.date(2026, 6, 1)

# (instrument, respondent, the youngest age refused or None, the oldest age refused or None)
CASES = [
    ("PHQA", "self", 10, 18),
    ("PHQ9", "self", 11, None),
    ("GAD7", "self", 11, None),
    ("SCARED", "self", 7, 19),
    ("CESDC", "self", 5, 18),
    ("SDQ_S", "self", 10, 18),
    ("SDQ_P", "parent", 3, 18),
    ("SDQ_T", "teacher", 3, 18),
]


def child_aged(years: int, *, birthday_in_days: int = 0):
    """A child turning ``years`` on SCREENED_ON, or ``birthday_in_days`` after it."""
    birth = SCREENED_ON.replace(year=SCREENED_ON.year - years)
    birth += dt.timedelta(days=birthday_in_days)
    return factories.ChildFactory(birth_date=birth, village=factories.village("龙胜镇", "山东村"))


def record(actor, child, code, respondent):
    return services.screening_record(
        actor=actor,
        child=child,
        instrument=code,
        respondent=respondent,
        screened_on=SCREENED_ON,
        answers=answers(code, 0),
    )


def refused(actor, child, code, respondent) -> str:
    with pytest.raises(ValidationError) as exc:
        record(actor, child, code, respondent)
    assert Screening.objects.filter(child=child).count() == 0
    return exc.value.message_dict["instrument"][0]


@override_settings(SDQ_LICENSED=True)
@pytest.mark.parametrize(("code", "respondent", "young", "old"), CASES)
def test_each_instrument_refuses_a_child_outside_its_range(
    longsheng_supervisor, code, respondent, young, old
):
    for age in (young, old):
        if age is None:
            continue
        message = refused(longsheng_supervisor, child_aged(age), code, respondent)
        assert f"该儿童测评日期时 {age} 岁" in message
        low, high = INSTRUMENTS[code].age_range(respondent)
        assert f"{low}–{high} 岁" in message if high else f"{low} 岁及以上" in message


@override_settings(SDQ_LICENSED=True)
@pytest.mark.parametrize(("code", "respondent", "young", "old"), CASES)
def test_each_instrument_accepts_the_edges_of_its_range(
    longsheng_supervisor, code, respondent, young, old
):
    low, high = INSTRUMENTS[code].age_range(respondent)
    for age in (low, high) if high else (low, 40):
        screening = record(longsheng_supervisor, child_aged(age), code, respondent)
        assert screening.pk


@override_settings(SDQ_LICENSED=True)
def test_a_four_year_old_is_pointed_to_the_sdq_parent_and_teacher_forms(longsheng_supervisor):
    message = refused(longsheng_supervisor, child_aged(4), "PHQA", "self")
    assert message == (
        "PHQ-A 适用于 11–17 岁（本人填答），该儿童测评日期时 4 岁。"
        "适合该年龄的量表：SDQ（家长版）、SDQ（教师版）。"
    )


def test_without_the_sdq_licence_a_four_year_old_has_no_instrument(longsheng_supervisor):
    message = refused(longsheng_supervisor, child_aged(4), "CESDC", "self")
    assert message.endswith("该年龄没有可用的量表。")


def test_a_ten_year_old_is_pointed_to_scared_and_cesdc(longsheng_supervisor):
    message = refused(longsheng_supervisor, child_aged(10), "PHQA", "self")
    assert "适合该年龄的量表：SCARED（儿童版）、CES-DC。" in message


def test_age_counts_completed_years_at_the_screening_date(longsheng_supervisor):
    # Eleven the day after the screening: still ten on the day.
    child = child_aged(11, birthday_in_days=1)
    message = refused(longsheng_supervisor, child, "PHQA", "self")
    assert "该儿童测评日期时 10 岁" in message


def test_the_start_form_refuses_before_the_questions(longsheng_supervisor):
    child = child_aged(4)
    form = forms.ScreeningStartForm(
        {"instrument": "PHQA", "respondent": "self", "screened_on": SCREENED_ON.isoformat()},
        child=child,
    )
    assert not form.is_valid()
    assert "PHQ-A 适用于 11–17 岁" in form.errors["instrument"][0]


def test_the_page_shows_the_age_message_and_saves_nothing(
    client_for, longsheng_supervisor, shandong_director
):
    child = child_aged(7)
    client = client_for(shandong_director)
    url = reverse("care:screening_create", args=[child.pk])
    page = client.get(
        url, {"instrument": "PHQA", "respondent": "self", "screened_on": SCREENED_ON.isoformat()}
    )
    assert page.status_code == 200
    assert "PHQ-A 适用于 11–17 岁" in page.content.decode()
    # Straight to the answers step (as a stale page or a script would): refused as well.
    data = {
        "instrument": "PHQA",
        "respondent": "self",
        "screened_on": SCREENED_ON.isoformat(),
        **{f"item_{n}": "0" for n in range(1, 10)},
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "PHQ-A 适用于 11–17 岁" in response.content.decode()
    assert not Screening.objects.filter(child=child).exists()

"""Fixtures for the care tests: records made through the services, as the pages make them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from care import choices, services
from care.models import Institution, Mentor
from care.screening import get_instrument
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10):
    """A moment in Longsheng's time zone, for time_machine.travel."""
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def answers(code, value=0, **items):
    """All items of ``code`` answered ``value``; ``i9=1`` overrides item 9."""
    result = dict.fromkeys(get_instrument(code).item_numbers, value)
    result.update({int(key.removeprefix("i")): v for key, v in items.items()})
    return result


def screen(actor, child, code="PHQA", value=0, *, on=None, respondent="self", **items):
    return services.screening_record(
        actor=actor,
        child=child,
        instrument=code,
        respondent=respondent,
        screened_on=on or timezone.localdate() - dt.timedelta(days=1),
        answers=answers(code, value, **items),
    )


def make_plan(actor, child, *, started_on=None, review_on=None, goals="稳定情绪"):
    started_on = started_on or timezone.localdate() - dt.timedelta(days=10)
    return services.care_plan_create(
        actor=actor,
        child=child,
        data={
            "goals": goals,
            "measures": "每两周心理辅导一次",
            "responsible_name": "王督导",
            "started_on": started_on,
            "review_on": review_on or started_on + dt.timedelta(days=30),
        },
        services=[choices.CareService.COUNSELLING],
    )


def make_referral(actor, child, institution, *, on=None):
    factories.give_consent(child, kind="sharing", recipient=institution.name)
    return services.referral_create(
        actor=actor,
        child=child,
        institution=institution,
        reason="测评阳性，经监护人同意转介评估",
        referred_on=on or timezone.localdate() - dt.timedelta(days=20),
        guardian_consent=True,
    )


def make_pairing(actor, child, mentor, *, started_on=None, interval_days=30, referral=None):
    return services.pairing_create(
        actor=actor,
        child=child,
        mentor=mentor,
        started_on=started_on or timezone.localdate() - dt.timedelta(days=10),
        interval_days=interval_days,
        referral=referral,
    )


@pytest.fixture
def institution(db):
    return Institution.objects.create(
        name="测试县人民医院心理门诊", kind=choices.InstitutionType.MEDICAL, phone="0773-1234567"
    )


@pytest.fixture
def mentor(db):
    return Mentor.objects.create(
        name="李老师", kind=choices.MentorType.TEACHER, organisation="龙胜中学", phone="13812345678"
    )


@pytest.fixture
def shandong_records(longsheng_supervisor, shandong_child, institution, mentor):
    """One of each care record for 张小花 (龙胜镇 山东村), made by the township supervisor."""
    screening = screen(longsheng_supervisor, shandong_child, "PHQA", i1=1, i9=1)
    plan = make_plan(longsheng_supervisor, shandong_child)
    referral = make_referral(longsheng_supervisor, shandong_child, institution)
    pairing = make_pairing(longsheng_supervisor, shandong_child, mentor)
    follow_up = services.follow_up_record(
        actor=longsheng_supervisor,
        pairing=pairing,
        followed_on=timezone.localdate(),
        by_name="李老师",
        condition="情绪平稳，按时上学，SENTINEL-CONDITION",
    )
    return {
        "screening": screening,
        "alert": screening.safety_alert,
        "plan": plan,
        "referral": referral,
        "pairing": pairing,
        "follow_up": follow_up,
    }

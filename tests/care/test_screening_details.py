"""Screening details (answers, item scores, subscales, total, band) only with the permission;
every view of them is logged; everyone else sees that a screening happened."""

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import AccessAction, AccessLog
from care import selectors
from care.models import Screening
from care.screening import INSTRUMENTS, score
from tests.care.conftest import screen

pytestmark = pytest.mark.django_db

ITEM9_TEXT = "有不如死掉或用某种方式伤害自己的念头"


@pytest.fixture
def screening(longsheng_supervisor, shandong_child):
    return screen(longsheng_supervisor, shandong_child, "PHQA", 0, i1=2, i9=1)


def _logs(screening):
    return AccessLog.objects.filter(
        action=AccessAction.VIEW_SCREENING, target_type="screening", target_id=str(screening.pk)
    )


@pytest.mark.parametrize("user_fixture", ["shandong_director", "county_staff"])
def test_details_are_hidden_from_directors_and_county_staff(
    request, client_for, screening, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    response = client_for(user).get(reverse("care:screening_detail", args=[screening.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "PHQ-A" in html and screening.screened_on.isoformat() in html  # that it happened
    for secret in (ITEM9_TEXT, "一半以上的天数", "总分", "无或极轻微", "自杀意念", "好几天"):
        assert secret not in html
    assert "红（高风险）" in html  # the child's risk level is shown
    assert not _logs(screening).exists()


@pytest.mark.parametrize("user_fixture", ["longsheng_supervisor", "county_admin"])
def test_details_are_shown_and_logged_for_those_who_may_see(
    request, client_for, screening, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    response = client_for(user).get(reverse("care:screening_detail", args=[screening.pk]))
    html = response.content.decode()
    assert ITEM9_TEXT in html
    assert "无或极轻微" in html and "自杀意念" in html
    log = _logs(screening).get()
    assert log.user == user
    assert log.detail == {"child": screening.child_id, "instrument": "PHQA"}


def test_each_view_is_logged(client_for, longsheng_supervisor, screening):
    client = client_for(longsheng_supervisor)
    url = reverse("care:screening_detail", args=[screening.pk])
    client.get(url)
    client.get(url)
    assert _logs(screening).count() == 2


def test_screening_list_never_shows_results(client_for, longsheng_supervisor, screening):
    html = client_for(longsheng_supervisor).get(reverse("care:screening_list")).content.decode()
    assert "张小花" in html and "PHQ-A" in html
    for secret in ("无或极轻微", "自杀意念", "阳性", ITEM9_TEXT):
        assert secret not in html
    assert not _logs(screening).exists()


def test_timeline_shows_the_band_only_with_the_permission(
    shandong_director, longsheng_supervisor, county_staff, shandong_child, screening
):
    def screening_entries(user):
        entries = selectors.timeline_entries(shandong_child, user)
        return [e for e in entries if e.kind == "心理测评"]

    for user in (shandong_director, county_staff):
        (entry,) = screening_entries(user)
        assert "PHQ-A" in entry.title and entry.summary == ""
    (entry,) = screening_entries(longsheng_supervisor)
    assert "无或极轻微" in entry.summary


def test_timeline_has_no_alert_for_directors(shandong_director, shandong_child, screening):
    kinds = {e.kind for e in selectors.timeline_entries(shandong_child, shandong_director)}
    assert "预警" not in kinds


@override_settings(SDQ_LICENSED=True)
@pytest.mark.parametrize("code", list(INSTRUMENTS))
def test_item_scores_add_up_to_the_stored_total(longsheng_supervisor, shandong_child, code):
    """The details page's item scores (with reversals) must agree with the scoring package."""
    instrument = INSTRUMENTS[code]
    given = {n: (n * 7) % (instrument.max_value + 1) for n in instrument.item_numbers}
    respondent = instrument.respondents[0]
    screening = screen(longsheng_supervisor, shandong_child, code, respondent=respondent)
    screening.answers = {str(k): v for k, v in given.items()}
    rows = selectors.screening_rows(screening)
    core = [row for row in rows if not row.supplementary]
    assert len(core) == instrument.item_count
    total = score(code, given).total
    if code.startswith("SDQ"):
        # Total difficulties leaves out the prosocial items (1, 4, 9, 17, 20).
        prosocial = {1, 4, 9, 17, 20}
        assert sum(r.item_score for r in core if r.number not in prosocial) == total
    else:
        assert sum(r.item_score for r in core) == total


def test_rows_show_option_labels(screening):
    rows = {row.number: row for row in selectors.screening_rows(screening)}
    assert rows[1].answer == "一半以上的天数" and rows[1].item_score == 2
    assert rows[9].text == ITEM9_TEXT
    assert rows[12].supplementary and rows[12].answer == "未作答"


def test_admin_shows_no_answers(client_for, county_admin, screening):
    response = client_for(county_admin).get(
        reverse("admin:care_screening_change", args=[screening.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "minimal" not in html and '"9": 1' not in html
    assert Screening.objects.count() == 1

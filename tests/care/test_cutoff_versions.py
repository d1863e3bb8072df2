"""The published cut-offs through the service: the positive flag raises risk, opens an alert
and counts in the report's 阳性结果; the county's SCARED norm is stored with each result;
an earlier result keeps its version and band, and the review page lists the results the
current tables would band or flag differently, without re-scoring them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Campaign
from care import services
from care.models import CareSettings, SafetyAlert, Screening
from reports.figures import township_figures
from tests.care.conftest import answers, screen

pytestmark = pytest.mark.django_db


def phq(total: int) -> dict:
    """Items 1–8 carry the total; item 9 (self-harm) stays 0."""
    result, left = {}, total
    for number in range(1, 9):
        result[f"i{number}"] = min(3, left)
        left -= result[f"i{number}"]
    return result


def gad(total: int) -> dict:
    result, left = {}, total
    for number in range(1, 8):
        result[f"i{number}"] = min(3, left)
        left -= result[f"i{number}"]
    return result


# SCARED answers with every subscale below its cut-off, summing to the total asked for
# (the total alone decides): panic 6, generalised 8, separation 4, social 7, school 2.
SCARED_SPREAD = {
    "panic_somatic": ((1, 6, 9, 12, 15, 18, 19, 22, 24, 27, 30, 34, 38), 6),
    "generalized_anxiety": ((5, 7, 14, 21, 23, 28, 33, 35, 37), 8),
    "separation": ((4, 8, 13, 16, 20, 25, 29, 31), 4),
    "social": ((3, 10, 26, 32, 39, 40, 41), 7),
    "school_avoidance": ((2, 11, 17, 36), 2),
}


def scared(total: int) -> dict:
    result, left = {}, total
    for items, most in SCARED_SPREAD.values():
        share = min(left, most)
        left -= share
        for number in items:
            result[f"i{number}"] = min(2, share)
            share -= result[f"i{number}"]
    assert left == 0
    return result


@pytest.mark.parametrize(
    ("code", "items", "total", "positive"),
    [
        ("PHQ9", phq(9), 9, False),
        ("PHQ9", phq(10), 10, True),
        ("PHQA", phq(10), 10, False),
        ("PHQA", phq(11), 11, True),
        ("GAD7", gad(9), 9, False),
        ("GAD7", gad(10), 10, True),
        ("SCARED", scared(24), 24, False),
        ("SCARED", scared(25), 25, True),
    ],
)
def test_boundary_vectors_flag_raise_risk_and_alert(
    longsheng_supervisor, shandong_child, code, items, total, positive
):
    screening = screen(longsheng_supervisor, shandong_child, code, **items)
    screening.refresh_from_db()
    shandong_child.refresh_from_db()
    assert (screening.total, screening.positive) == (total, positive)
    assert screening.cutoff_version.endswith("-2026.2")
    assert shandong_child.risk_level == ("orange" if positive else "yellow")
    alert = SafetyAlert.objects.filter(screening=screening).first()
    assert (alert is not None) is positive
    if positive:
        assert alert.kind == "positive_screening"
        # A positive screening is handled within 7 days by default.
        assert alert.due_at - alert.raised_at == dt.timedelta(days=7)


@pytest.mark.parametrize(("total", "positive"), [(22, False), (23, True)])
def test_scared_chinese_norm_as_the_county_setting_is_stored(
    longsheng_supervisor, shandong_child, county_admin, total, positive
):
    services.care_settings_update(actor=county_admin, data={"scared_norm": "chinese"})
    screening = screen(longsheng_supervisor, shandong_child, "SCARED", **scared(total))
    screening.refresh_from_db()
    assert (screening.total, screening.positive) == (total, positive)
    assert screening.norm == "chinese"
    assert screening.cutoff_version == "SCARED-CN-2026.2"


def test_scared_default_norm_is_birmaher_and_is_stored(longsheng_supervisor, shandong_child):
    screening = screen(longsheng_supervisor, shandong_child, "SCARED", **scared(23))
    screening.refresh_from_db()
    assert (screening.positive, screening.norm, screening.cutoff_version) == (
        False,
        "birmaher",
        "SCARED-2026.2",
    )


def test_a_scared_subscale_at_its_cutoff_makes_the_result_positive(
    longsheng_supervisor, shandong_child
):
    # School avoidance 3 (cut-off 3), total 3.
    screening = screen(longsheng_supervisor, shandong_child, "SCARED", i2=2, i11=1)
    assert screening.band == "negative"
    assert screening.positive is True
    assert screening.alerts == ["scared_school_avoidance"]
    assert screening.safety_alert.kind == "positive_screening"


def test_phqa_item_13_is_a_suicide_attempt_alert_with_24_hours(
    longsheng_supervisor, shandong_child
):
    screening = screen(longsheng_supervisor, shandong_child, "PHQA", i13=1)
    alert = screening.safety_alert
    assert alert.kind == "suicide_attempt"
    assert alert.get_kind_display() == "曾尝试自杀（自杀未遂）"
    assert alert.due_at - alert.raised_at == dt.timedelta(hours=24)
    shandong_child.refresh_from_db()
    assert shandong_child.risk_level == "red"


def test_positive_results_count_in_the_reports_positive_figure(
    longsheng_supervisor, shandong_child
):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        year=today.year + 5,
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=30),
        report_deadline=today + dt.timedelta(days=20),
    )
    screen(longsheng_supervisor, shandong_child, "PHQ9", **phq(10))  # moderate: positive now
    screen(longsheng_supervisor, shandong_child, "GAD7", **gad(9))  # mild: not positive
    figures = township_figures(campaign, shandong_child.township)
    assert figures["screening"]["positive"] == 1
    assert figures["screening"]["positive_children"] == 1


# --- earlier versions ------------------------------------------------------------------------


@pytest.fixture
def earlier_result(longsheng_supervisor, shandong_child):
    """A PHQ-9 of 12 stored under 2026.1 (moderate, not positive then), as it was saved."""
    return Screening.objects.create(
        child=shandong_child,
        screened_on=timezone.localdate() - dt.timedelta(days=100),
        instrument="PHQ9",
        respondent="self",
        answers={str(k): v for k, v in answers("PHQ9", 0, **phq(12)).items()},
        total=12,
        band="moderate",
        positive=False,
        severity=2,
        cutoff_version="PHQ9-2026.1",
        entered_by=longsheng_supervisor,
    )


def test_an_earlier_result_keeps_its_version_and_band(
    longsheng_supervisor, shandong_child, earlier_result
):
    screen(longsheng_supervisor, shandong_child, "PHQ9", **phq(12))  # scored now: positive
    earlier_result.refresh_from_db()
    assert earlier_result.cutoff_version == "PHQ9-2026.1"
    assert (earlier_result.band, earlier_result.positive) == ("moderate", False)
    assert not SafetyAlert.objects.filter(screening=earlier_result).exists()


def test_review_page_lists_results_the_new_version_would_flag(
    client_for, county_admin, longsheng_supervisor, shandong_child, earlier_result
):
    current = screen(longsheng_supervisor, shandong_child, "PHQ9", **phq(3))
    response = client_for(county_admin).get(reverse("care:cutoff_review"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.screening.pk for row in rows] == [earlier_result.pk]
    assert rows[0].new_positive is True and rows[0].new_version == "PHQ9-2026.2"
    assert current.pk not in [row.screening.pk for row in rows]
    # The view of named children's results is in the access log.
    from accounts.models import AccessLog

    entry = AccessLog.objects.get(action="view_screening", user=county_admin)
    assert entry.detail == {"screenings": [earlier_result.pk]}
    # Listed, not re-scored.
    earlier_result.refresh_from_db()
    assert (earlier_result.cutoff_version, earlier_result.positive) == ("PHQ9-2026.1", False)


def test_review_page_is_for_the_county_admin_only(
    client_for, county_staff, longsheng_supervisor, earlier_result
):
    assert client_for(county_staff).get(reverse("care:cutoff_review")).status_code == 403
    assert client_for(longsheng_supervisor).get(reverse("care:cutoff_review")).status_code == 403


def test_settings_page_changes_the_deadline_for_new_alerts_only(
    client_for, county_admin, longsheng_supervisor, shandong_child, pingdeng_supervisor
):
    first = screen(longsheng_supervisor, shandong_child, "PHQA", i9=1).safety_alert
    client = client_for(county_admin)
    response = client.post(
        reverse("care:settings"),
        {
            "scared_norm": "birmaher",
            "suicidal_ideation_hours": "6",
            "suicide_attempt_hours": "6",
            "positive_screening_hours": "72",
            "county_escalation_hours": "12",
        },
    )
    assert response.status_code == 302
    assert CareSettings.current().suicidal_ideation_hours == 6
    assert CareSettings.current().updated_by == county_admin
    second = screen(longsheng_supervisor, shandong_child, "PHQA", i9=2).safety_alert
    first.refresh_from_db()
    assert first.due_at - first.raised_at == dt.timedelta(hours=24)
    assert second.due_at - second.raised_at == dt.timedelta(hours=6)
    # Nobody else may change them.
    for user in (longsheng_supervisor, pingdeng_supervisor):
        assert client_for(user).get(reverse("care:settings")).status_code == 403


def test_settings_page_refuses_zero_hours_in_chinese(client_for, county_admin):
    response = client_for(county_admin).post(
        reverse("care:settings"),
        {
            "scared_norm": "birmaher",
            "suicidal_ideation_hours": "0",
            "suicide_attempt_hours": "24",
            "positive_screening_hours": "168",
            "county_escalation_hours": "24",
        },
    )
    assert response.status_code == 200
    assert "1 到 720" in response.content.decode()
    assert CareSettings.current().suicidal_ideation_hours == 24

"""Screenings: the saved record carries the score; risk is raised (never lowered); alerts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from care import choices, services
from care.models import SafetyAlert, Screening
from care.screening import score
from children.models import ChangeLog
from tests import factories
from tests.care.conftest import answers, screen

pytestmark = pytest.mark.django_db


def test_saved_screening_has_the_scores_total_band_and_version(
    longsheng_supervisor, shandong_child
):
    given = answers("GAD7", 0, i1=3, i2=3, i3=2, i4=2)  # total 10: moderate, positive
    expected = score("GAD7", given)
    screening = services.screening_record(
        actor=longsheng_supervisor,
        child=shandong_child,
        instrument="GAD7",
        respondent="self",
        screened_on=timezone.localdate(),
        answers=given,
    )
    screening.refresh_from_db()
    assert (screening.total, screening.band) == (10, "moderate")
    assert screening.total == expected.total
    assert screening.band == expected.band
    assert screening.cutoff_version == expected.version == "GAD7-2026.2"
    assert screening.answers == {str(k): v for k, v in given.items()}
    assert screening.positive is True  # GAD-7 >= 10 (Spitzer et al. 2006)
    assert screening.norm == ""  # only SCARED has norms
    assert screening.entered_by == longsheng_supervisor


def test_scared_subscales_and_alerts_are_stored(longsheng_supervisor, shandong_child):
    screening = screen(longsheng_supervisor, shandong_child, "SCARED", 1)
    screening.refresh_from_db()
    assert screening.total == 41 and screening.band == "positive"
    assert screening.subscales["school_avoidance"] == 4
    assert "scared_school_avoidance" in screening.alerts


def test_phq_item9_with_low_total_raises_alert_and_sets_risk_red(
    longsheng_supervisor, shandong_child
):
    assert shandong_child.risk_level == "yellow"
    screening = screen(longsheng_supervisor, shandong_child, "PHQA", 0, i9=1)
    assert screening.total == 1 and screening.band == "minimal"
    shandong_child.refresh_from_db()
    assert shandong_child.risk_level == "red"
    alert = SafetyAlert.objects.get(screening=screening)
    assert alert.kind == choices.AlertKind.SUICIDAL_IDEATION
    assert alert.status == choices.AlertStatus.OPEN
    assert alert.child == shandong_child


def test_phqa_supplementary_suicide_question_raises_the_alert(longsheng_supervisor, shandong_child):
    screening = screen(longsheng_supervisor, shandong_child, "PHQA", 0, i12=1)
    assert screening.safety_alert.kind == choices.AlertKind.SUICIDAL_IDEATION


def test_positive_without_suicidal_ideation_sets_orange_and_a_positive_alert(
    longsheng_supervisor, shandong_child
):
    screening = screen(longsheng_supervisor, shandong_child, "CESDC", 2)  # 36: positive
    shandong_child.refresh_from_db()
    assert shandong_child.risk_level == "orange"
    assert screening.safety_alert.kind == choices.AlertKind.POSITIVE_SCREENING


def test_severe_band_sets_red(longsheng_supervisor, shandong_child):
    screen(longsheng_supervisor, shandong_child, "GAD7", 3)  # 21: severe
    shandong_child.refresh_from_db()
    assert shandong_child.risk_level == "red"


def test_negative_result_never_lowers_an_existing_red_risk(longsheng_supervisor):
    child = factories.ChildFactory(risk_level="red")
    screening = screen(longsheng_supervisor, child, "GAD7", 0)
    child.refresh_from_db()
    assert child.risk_level == "red"
    assert not SafetyAlert.objects.filter(screening=screening).exists()


def test_orange_result_does_not_lower_red(longsheng_supervisor):
    child = factories.ChildFactory(risk_level="red")
    screen(longsheng_supervisor, child, "CESDC", 2)
    child.refresh_from_db()
    assert child.risk_level == "red"


def test_mild_result_leaves_risk_and_raises_no_alert(longsheng_supervisor, shandong_child):
    screening = screen(longsheng_supervisor, shandong_child, "PHQA", 0, i1=3, i2=3)  # 6: mild
    shandong_child.refresh_from_db()
    assert shandong_child.risk_level == "yellow"
    assert not SafetyAlert.objects.filter(screening=screening).exists()


def test_risk_mapping_is_the_documented_one():
    result = score("PHQA", answers("PHQA", 0, i9=1))
    assert choices.risk_for_result(result) == "red"
    assert choices.risk_for_result(score("GAD7", answers("GAD7", 3))) == "red"
    assert choices.risk_for_result(score("PHQA", answers("PHQA", 2, i9=0))) == "orange"  # 16
    assert choices.risk_for_result(score("SCARED", answers("SCARED", 1))) == "orange"
    assert choices.risk_for_result(score("PHQA", answers("PHQA", 1, i9=0))) is None  # 8: mild


def test_history_notes_carry_no_result(longsheng_supervisor, shandong_child):
    screen(longsheng_supervisor, shandong_child, "PHQA", 0, i9=1)
    notes = " ".join(ChangeLog.objects.filter(child=shandong_child).values_list("note", flat=True))
    assert "PHQ-A" in notes
    for secret in ("自杀", "suicid", "minimal", "阳性"):
        assert secret not in notes


def test_director_may_enter_a_screening(shandong_director, shandong_child):
    screening = screen(shandong_director, shandong_child, "GAD7", 0)
    assert screening.entered_by == shandong_director


def test_screening_of_a_child_outside_the_area_is_refused(pingdeng_supervisor, shandong_child):
    with pytest.raises(PermissionDenied):
        screen(pingdeng_supervisor, shandong_child, "GAD7", 0)
    assert not Screening.objects.exists()


def test_county_staff_may_not_enter_screenings(county_staff, shandong_child):
    with pytest.raises(PermissionDenied):
        screen(county_staff, shandong_child, "GAD7", 0)


def test_respondent_must_be_one_the_instrument_allows(longsheng_supervisor, shandong_child):
    with pytest.raises(ValidationError) as exc:
        screen(longsheng_supervisor, shandong_child, "GAD7", 0, respondent="teacher")
    assert "本人" in str(exc.value.message_dict["respondent"])


def test_future_date_is_refused(longsheng_supervisor, shandong_child):
    with pytest.raises(ValidationError) as exc:
        screen(
            longsheng_supervisor,
            shandong_child,
            "GAD7",
            0,
            on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "不能晚于今天" in str(exc.value.message_dict["screened_on"])


def test_missing_item_names_the_item_in_chinese(longsheng_supervisor, shandong_child):
    given = answers("GAD7", 0)
    del given[4]
    with pytest.raises(ValidationError) as exc:
        services.screening_record(
            actor=longsheng_supervisor,
            child=shandong_child,
            instrument="GAD7",
            respondent="self",
            screened_on=timezone.localdate(),
            answers=given,
        )
    assert exc.value.message_dict["item_4"] == ["请回答第 4 题。"]


def test_closed_case_gets_no_new_screening(longsheng_supervisor):
    child = factories.ChildFactory(status="closed", closed_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        screen(longsheng_supervisor, child, "GAD7", 0)


def test_sdq_is_refused_without_a_licence(longsheng_supervisor, shandong_child):
    with pytest.raises(ValidationError) as exc:
        screen(longsheng_supervisor, shandong_child, "SDQ_S", 0)
    assert "instrument" in exc.value.message_dict


@override_settings(SDQ_LICENSED=True)
def test_sdq_with_licence_is_scored_and_prorated(longsheng_supervisor, shandong_child):
    given = answers("SDQ_P", 1)
    del given[3]  # emotional: 4 of 5 answered → prorated
    screening = services.screening_record(
        actor=longsheng_supervisor,
        child=shandong_child,
        instrument="SDQ_P",
        respondent="parent",
        screened_on=timezone.localdate(),
        answers=given,
    )
    assert screening.total == score("SDQ_P", given).total


# --- the entry pages ---------------------------------------------------------------------


def test_entry_form_shows_chinese_item_texts_and_options(
    client_for, shandong_director, shandong_child
):
    url = reverse("care:screening_create", args=[shandong_child.pk])
    response = client_for(shandong_director).get(
        url, {"instrument": "PHQA", "respondent": "self", "screened_on": "2026-01-05"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "有不如死掉或用某种方式伤害自己的念头" in html
    assert "一半以上的天数" in html
    assert html.count('type="radio"') == 9 * 4 + 2 + 4 + 2 + 2  # 9 core + 4 supplementary


@override_settings(SDQ_LICENSED=True)
def test_sdq_form_shows_item_numbers_only(client_for, shandong_director, shandong_child):
    url = reverse("care:screening_create", args=[shandong_child.pk])
    response = client_for(shandong_director).get(
        url, {"instrument": "SDQ_T", "respondent": "teacher", "screened_on": "2026-01-05"}
    )
    html = response.content.decode()
    assert "第 25 题" in html
    assert "体贴" not in html  # no SDQ wording anywhere


def test_sdq_is_not_offered_without_licence(client_for, shandong_director, shandong_child):
    url = reverse("care:screening_create", args=[shandong_child.pk])
    html = client_for(shandong_director).get(url).content.decode()
    assert "PHQ-A" in html
    assert "SDQ" not in html


def test_wrong_respondent_on_step_one_is_a_chinese_error(
    client_for, shandong_director, shandong_child
):
    url = reverse("care:screening_create", args=[shandong_child.pk])
    response = client_for(shandong_director).get(
        url, {"instrument": "PHQA", "respondent": "parent", "screened_on": "2026-01-05"}
    )
    assert "该量表只能由本人填答" in response.content.decode()


def test_posting_with_a_missing_item_shows_the_item_and_saves_nothing(
    client_for, shandong_director, shandong_child
):
    url = reverse("care:screening_create", args=[shandong_child.pk])
    data = {"instrument": "GAD7", "respondent": "self", "screened_on": "2026-01-05"}
    data.update({f"item_{n}": "0" for n in range(1, 8) if n != 5})
    response = client_for(shandong_director).post(url, data)
    assert response.status_code == 200
    assert "请回答第 5 题。" in response.content.decode()
    assert not Screening.objects.exists()


def test_posting_a_complete_form_saves_and_shows_the_result_page(
    client_for, longsheng_supervisor, shandong_child
):
    url = reverse("care:screening_create", args=[shandong_child.pk])
    data = {"instrument": "PHQA", "respondent": "self", "screened_on": "2026-01-05"}
    data.update({f"item_{n}": "0" for n in range(1, 10)})
    data["item_9"] = "1"
    response = client_for(longsheng_supervisor).post(url, data, follow=True)
    screening = Screening.objects.get()
    assert response.redirect_chain[-1][0] == screening.get_absolute_url()
    html = response.content.decode()
    assert "待处置预警" in html
    assert "无或极轻微" in html  # the band, shown to a supervisor


def test_director_result_page_warns_but_shows_no_result(
    client_for, shandong_director, shandong_child
):
    url = reverse("care:screening_create", args=[shandong_child.pk])
    data = {"instrument": "PHQA", "respondent": "self", "screened_on": "2026-01-05"}
    data.update({f"item_{n}": "0" for n in range(1, 10)})
    data["item_9"] = "2"
    response = client_for(shandong_director).post(url, data, follow=True)
    html = response.content.decode()
    assert "已生成待处置预警" in html
    assert "无或极轻微" not in html and "总分" not in html

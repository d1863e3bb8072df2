"""Incidents and mandatory reporting (强制报告): details only for the roles that must act (and
the director who made the report), a flag for everyone who sees the child, every read in the
access log, the history without a detail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessLog
from care import choices, services
from care.models import Incident
from children.models import ChangeLog
from tests import factories

SECRET = "SENTINEL-INCIDENT-DETAIL"


def incident_data(**overrides):
    today = timezone.localdate()
    data = {
        "kind": choices.IncidentKind.ABUSE,
        "occurred_on": today - dt.timedelta(days=3),
        "description": f"邻居反映儿童身上多处淤青 {SECRET}",
        "reported_to": choices.ReportedTo.POLICE,
        "reported_on": today - dt.timedelta(days=2),
        "reported_by_name": "赵主任",
        "reference_number": "",
        "status": choices.IncidentStatus.REPORTED,
        "outcome": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def incident(longsheng_supervisor, shandong_child):
    return services.incident_record(
        actor=longsheng_supervisor, child=shandong_child, data=incident_data()
    )


@pytest.fixture
def shandong_director_2(db):
    """A second director of the same village (e.g. the one who took over)."""
    from accounts.choices import Role

    return factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="龙胜镇", village_name="山东村", username="t-sd2"
    )


def test_details_are_hidden_from_roles_without_the_right(
    client_for, incident, shandong_director, shandong_child
):
    """The village director sees the child and a flag, never the incident: its page is a
    404 like an absent one, the list is refused, the child page says only that one exists."""
    client = client_for(shandong_director)
    assert client.get(incident.get_absolute_url()).status_code == 404
    assert client.get(reverse("care:incident_edit", args=[incident.pk])).status_code == 404
    assert client.get(reverse("care:incident_list")).status_code == 403
    page = client.get(shandong_child.get_absolute_url()).content.decode()
    assert "该儿童有强制报告记录" in page
    assert SECRET not in page
    assert "虐待" not in page
    assert incident.get_absolute_url() not in page


@pytest.mark.parametrize("user", ["longsheng_supervisor", "county_staff", "county_admin"])
def test_the_roles_that_must_act_read_it_and_each_read_is_logged(
    client_for, incident, request, user
):
    reader = request.getfixturevalue(user)
    client = client_for(reader)
    page = client.get(incident.get_absolute_url())
    assert page.status_code == 200 and SECRET in page.content.decode()
    assert AccessLog.objects.filter(
        action=AccessAction.VIEW_INCIDENT, user=reader, target_id=str(incident.pk)
    ).exists()
    listing = client.get(reverse("care:incident_list"))
    assert listing.status_code == 200
    entry = AccessLog.objects.filter(action=AccessAction.VIEW_INCIDENT, user=reader).latest("at")
    assert entry.detail["incidents"] == [incident.pk]


def test_another_township_gets_404(client_for, incident, pingdeng_supervisor):
    client = client_for(pingdeng_supervisor)
    assert client.get(incident.get_absolute_url()).status_code == 404
    assert SECRET not in client.get(reverse("care:incident_list")).content.decode()


def test_a_director_rereads_their_own_report_only(
    client_for, shandong_director, shandong_director_2, shandong_child
):
    own = services.incident_record(
        actor=shandong_director, child=shandong_child, data=incident_data()
    )
    assert client_for(shandong_director).get(own.get_absolute_url()).status_code == 200
    assert client_for(shandong_director_2).get(own.get_absolute_url()).status_code == 404
    # A director follows nothing up: the supervisor does.
    with pytest.raises(PermissionDenied):
        services.incident_update(
            actor=shandong_director,
            incident=own,
            expected_version=own.version,
            data={"status": choices.IncidentStatus.INVESTIGATING},
        )


def test_the_history_names_the_record_never_a_detail(longsheng_supervisor, incident):
    services.incident_update(
        actor=longsheng_supervisor,
        incident=incident,
        expected_version=incident.version,
        data={
            "status": choices.IncidentStatus.RESOLVED,
            "outcome": "公安机关已立案 SENTINEL-OUTCOME",
            "reference_number": "龙公刑受字2026-001",
        },
    )
    entries = ChangeLog.objects.filter(record_type="incident")
    assert entries.count() == 2
    text = " ".join(f"{e.note} {e.changes}" for e in entries)
    assert "SENTINEL" not in text and "虐待" not in text and "龙公刑" not in text
    assert "处理状态" in text


def test_closing_needs_an_outcome_and_reports_follow_what_happened(
    longsheng_supervisor, shandong_child
):
    with pytest.raises(ValidationError) as exc:
        services.incident_record(
            actor=longsheng_supervisor,
            child=shandong_child,
            data=incident_data(status=choices.IncidentStatus.RESOLVED),
        )
    assert "outcome" in exc.value.message_dict
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.incident_record(
            actor=longsheng_supervisor,
            child=shandong_child,
            data=incident_data(occurred_on=today, reported_on=today - dt.timedelta(days=1)),
        )
    assert "reported_on" in exc.value.message_dict
    assert not Incident.objects.exists()


def test_reported_before_it_happened_is_refused_in_the_form(
    client_for, longsheng_supervisor, shandong_child
):
    """The constraint incident_reported_after_occurred, at its field through the page."""
    today = timezone.localdate()
    response = client_for(longsheng_supervisor).post(
        reverse("care:incident_create", args=[shandong_child.pk]),
        {
            "kind": "neglect",
            "occurred_on": today.isoformat(),
            "description": "长期无人照料",
            "reported_to": "civil_affairs",
            "reported_on": (today - dt.timedelta(days=1)).isoformat(),
            "reported_by_name": "王督导",
            "status": "reported",
        },
    )
    assert response.status_code == 200
    assert "报告日期不能早于发生（发现）日期" in response.content.decode()
    assert not Incident.objects.exists()


def test_a_stale_follow_up_keeps_the_first(longsheng_supervisor, county_admin, incident):
    services.incident_update(
        actor=county_admin,
        incident=incident,
        expected_version=1,
        data={"reference_number": "A-1"},
    )
    with pytest.raises(services.StaleEdit):
        services.incident_update(
            actor=longsheng_supervisor,
            incident=incident,
            expected_version=1,
            data={"reference_number": "B-2"},
        )
    incident.refresh_from_db()
    assert incident.reference_number == "A-1"


def test_export_is_for_the_roles_that_must_act(
    client_for, incident, longsheng_supervisor, county_staff
):
    response = client_for(longsheng_supervisor).get(
        reverse("care:incident_list"), {"export": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AccessLog.objects.filter(action=AccessAction.EXPORT, target_type="incident").exists()


def test_the_child_page_of_a_reader_shows_no_detail_unlogged(
    client_for, incident, longsheng_supervisor, shandong_child
):
    """The timeline and the notice say a report exists and its status; its kind and story
    are read only by opening it, which the access log records."""
    page = client_for(longsheng_supervisor).get(shandong_child.get_absolute_url())
    html = page.content.decode()
    assert incident.get_absolute_url() in html
    assert SECRET not in html and "虐待" not in html

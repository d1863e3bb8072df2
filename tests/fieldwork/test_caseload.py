"""The caseload a device keeps: the user's own area only, masked as online, logged."""

import datetime as dt
import json

from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from care import services as care_services
from care.screening import get_instrument
from fieldwork.models import OfflineSettings
from tests import factories
from tests.fieldwork.conftest import entry, post, visit_data


def _caseload(client):
    response = client.get(reverse("fieldwork:caseload"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_a_director_receives_the_children_of_their_village_only(
    client_for, shandong_director, shandong_child, other_village_child, pingdeng_child
):
    closed = factories.ChildFactory(
        name="已结案童",
        village=shandong_child.village,
        status="closed",
        closed_on=timezone.localdate(),
        close_reason="moved_out",
    )
    data = _caseload(client_for(shandong_director))
    assert [c["id"] for c in data["children"]] == [shandong_child.pk]
    raw = client_for(shandong_director).get(reverse("fieldwork:caseload")).content.decode()
    for outsider in (other_village_child, pingdeng_child, closed):
        assert outsider.name not in raw
    assert data["user"] == shandong_director.pk
    assert data["max_days_unrefreshed"] == 7


def test_a_supervisor_receives_their_township(
    client_for, longsheng_supervisor, shandong_child, other_village_child, pingdeng_child
):
    ids = {c["id"] for c in _caseload(client_for(longsheng_supervisor))["children"]}
    assert ids == {shandong_child.pk, other_village_child.pk}


def test_phones_are_masked_and_no_id_number_or_screening_result_is_sent(
    client_for, shandong_director, longsheng_supervisor
):
    child = factories.ChildFactory(
        name="王小明",
        village=factories.village("龙胜镇", "山东村"),
        guardian_name="王大山",
        guardian_phone="13912345678",
    )
    answers = dict.fromkeys(get_instrument("PHQA").item_numbers, 1)
    answers[9] = 2
    care_services.screening_record(
        actor=longsheng_supervisor,
        child=child,
        instrument="PHQA",
        respondent="self",
        screened_on=timezone.localdate(),
        answers=answers,
    )
    response = client_for(shandong_director).get(reverse("fieldwork:caseload"))
    text = response.content.decode()
    assert "13912345678" not in text and child.id_number not in text
    (row,) = response.json()["children"]
    assert row["guardian_phone"] == child.masked_guardian_phone
    assert row["guardian_name"] == "王大山"
    # A director may not see alerts (as online); the supervisor sees the open one.
    assert row["open_alerts"] == []
    assert "PHQ" not in text
    (sup_row,) = [
        c for c in _caseload(client_for(longsheng_supervisor))["children"] if c["id"] == child.pk
    ]
    assert len(sup_row["open_alerts"]) == 1


def test_each_read_is_in_the_access_log(client_for, shandong_director, shandong_child):
    _caseload(client_for(shandong_director))
    entry_ = AccessLog.objects.get(user=shandong_director, target_type="caseload")
    assert entry_.action == "view_child"
    assert entry_.detail["offline_caseload"] == [shandong_child.pk]


def test_the_visit_a_director_may_still_correct_comes_with_its_version(
    client_for, shandong_director, shandong_child
):
    client = client_for(shandong_director)
    created = post(client, entry("visit", child=shandong_child.pk, data=visit_data())).json()
    (row,) = _caseload(client)["children"]
    editable = row["editable_visit"]
    assert editable["id"] == created["record_id"] and editable["version"] == 1
    assert editable["values"]["place"] == "儿童家中"
    assert row["last_visit_date"] == (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def test_the_county_sets_how_long_a_device_keeps_it(client_for, shandong_director):
    OfflineSettings(max_days_unrefreshed=3).save()
    assert _caseload(client_for(shandong_director))["max_days_unrefreshed"] == 3


def test_roles_without_field_work_are_refused(client_for, county_staff):
    assert client_for(county_staff).get(reverse("fieldwork:caseload")).status_code == 403
    assert client_for(county_staff).get(reverse("fieldwork:app")).status_code == 403


def test_the_json_is_readable_text_so_leak_checks_see_names(
    client_for, shandong_director, shandong_child
):
    body = client_for(shandong_director).get(reverse("fieldwork:caseload")).content
    assert shandong_child.name.encode() in body
    json.loads(body)

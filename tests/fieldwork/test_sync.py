"""Sync of entries queued offline: each written exactly once, every online rule checked
again, refusals kept with a Chinese message, another area's records answered 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from care.models import FollowUp, SafetyAlert, Screening
from care.screening import get_instrument
from children.models import ChangeLog
from fieldwork.models import SyncReceipt
from notifications.models import Notification
from tests.fieldwork.conftest import entry, jpeg_data_url, post, visit_data
from visits.models import Visit, VisitAttachment


def test_a_visit_with_a_photo_is_created_once_however_often_it_is_sent(
    director_client, shandong_child
):
    payload = entry("visit", child=shandong_child.pk, data=visit_data(), photos=[jpeg_data_url()])
    first = post(director_client, payload)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "created"
    second = post(director_client, payload)
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert second.json()["record_id"] == first.json()["record_id"]
    assert Visit.objects.filter(child=shandong_child).count() == 1
    visit = Visit.objects.get(child=shandong_child)
    assert VisitAttachment.objects.filter(visit=visit).count() == 1
    assert visit.review_status == "pending"
    assert SyncReceipt.objects.filter(key=payload["key"], record_id=visit.pk).count() == 1


def test_a_refused_visit_says_why_in_chinese_and_writes_nothing(director_client, shandong_child):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    payload = entry(
        "visit",
        child=shandong_child.pk,
        data=visit_data(date=future, follow_up_needed=True, follow_up_note=""),
    )
    response = post(director_client, payload)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "refused"
    assert "走访日期不能晚于今天" in " ".join(body["errors"]["date"])
    assert "跟进事项" in " ".join(body["errors"]["follow_up_note"])
    assert body["message"]
    assert not Visit.objects.exists()
    # Nothing remembered: the corrected entry may be sent again with the same key.
    assert not SyncReceipt.objects.exists()
    payload["data"] = visit_data()
    assert post(director_client, payload).status_code == 201


def test_a_child_closed_meanwhile_is_refused_by_the_service(director_client, shandong_child):
    shandong_child.status = "closed"
    shandong_child.closed_on = timezone.localdate()
    shandong_child.close_reason = "moved"
    shandong_child.save()
    response = post(director_client, entry("visit", child=shandong_child.pk, data=visit_data()))
    assert response.status_code == 422
    assert "已结案" in response.json()["message"]


def test_a_child_of_another_village_is_404(director_client, other_village_child, pingdeng_child):
    for child in (other_village_child, pingdeng_child):
        response = post(director_client, entry("visit", child=child.pk, data=visit_data()))
        assert response.status_code == 404
        response = post(
            director_client,
            entry(
                "screening",
                child=child.pk,
                data={"instrument": "GAD7", "respondent": "self", "screened_on": "2026-01-01"},
            ),
        )
        assert response.status_code == 404
    assert post(director_client, entry("visit", child=999999, data=visit_data())).status_code == 404
    assert not Visit.objects.exists() and not SyncReceipt.objects.exists()


def test_a_pairing_or_visit_of_another_village_is_404(
    client_for, nanmen_director, pairing, shandong_director, shandong_child
):
    visit = post(
        client_for(shandong_director), entry("visit", child=shandong_child.pk, data=visit_data())
    ).json()
    outsider = client_for(nanmen_director)
    response = post(
        outsider,
        entry(
            "follow_up",
            pairing=pairing.pk,
            data={
                "followed_on": timezone.localdate().isoformat(),
                "by_name": "x",
                "condition": "y",
            },
        ),
    )
    assert response.status_code == 404
    response = post(
        outsider,
        entry("visit_edit", visit=visit["record_id"], version=1, base={}, data={"place": "x"}),
    )
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def _phqa_answers(ideation: bool) -> dict:
    answers = {str(n): 0 for n in get_instrument("PHQA").item_numbers}
    if ideation:
        answers["9"] = 2
    return answers


def test_a_screening_is_scored_at_sync_and_raises_the_alert_from_sync_time(
    director_client, shandong_child, longsheng_supervisor
):
    before = timezone.now()
    payload = entry(
        "screening",
        child=shandong_child.pk,
        queued_at=(before - dt.timedelta(days=2)).isoformat(),
        data={
            "instrument": "PHQA",
            "respondent": "self",
            "screened_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
            "answers": _phqa_answers(ideation=True),
        },
    )
    response = post(director_client, payload)
    assert response.status_code == 201, response.content
    screening = Screening.objects.get(child=shandong_child)
    assert "suicidal_ideation" in screening.alerts
    alert = SafetyAlert.objects.get(screening=screening)
    # The same path as online: deadline from the county's hours, counted from the sync.
    assert alert.raised_at >= before
    assert alert.due_at >= before + dt.timedelta(hours=23)
    assert Notification.objects.filter(
        recipient=longsheng_supervisor, key=f"alert:{alert.pk}:raised"
    ).exists()
    # The director's answer names no result.
    assert "band" not in response.json() and "alerts" not in response.json()
    assert post(director_client, payload).json()["status"] == "duplicate"
    assert Screening.objects.count() == 1 and SafetyAlert.objects.count() == 1


def test_an_incomplete_screening_is_refused_naming_the_item(director_client, shandong_child):
    answers = _phqa_answers(ideation=False)
    del answers["3"]
    response = post(
        director_client,
        entry(
            "screening",
            child=shandong_child.pk,
            data={
                "instrument": "PHQA",
                "respondent": "self",
                "screened_on": timezone.localdate().isoformat(),
                "answers": answers,
            },
        ),
    )
    assert response.status_code == 422
    assert "第 3 题" in response.json()["message"]
    assert not Screening.objects.exists()


def test_a_follow_up_is_recorded_once(director_client, pairing):
    payload = entry(
        "follow_up",
        pairing=pairing.pk,
        data={
            "followed_on": timezone.localdate().isoformat(),
            "by_name": "村主任",
            "condition": "情绪平稳，按时上学",
            "next_step": "",
        },
    )
    assert post(director_client, payload).status_code == 201
    assert post(director_client, payload).status_code == 200
    assert FollowUp.objects.filter(pairing=pairing).count() == 1


def test_the_entry_must_be_well_formed(director_client, shandong_child):
    url = reverse("fieldwork:sync")
    assert (
        director_client.post(url, data="not json", content_type="application/json").status_code
        == 400
    )
    assert post(director_client, {"kind": "nope"}).status_code == 422
    bad_key = {"key": "x", "kind": "visit", "child": shandong_child.pk, "data": visit_data()}
    assert post(director_client, bad_key).status_code == 422
    bad_photo = entry("visit", child=shandong_child.pk, data=visit_data(), photos=["data:x"])
    response = post(director_client, bad_photo)
    assert response.status_code == 422 and "attachments" in response.json()["errors"]
    assert director_client.get(url).status_code == 405


def test_csrf_is_required(shandong_director, shandong_child):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(shandong_director)
    response = post(client, entry("visit", child=shandong_child.pk, data=visit_data()))
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_a_user_without_the_right_is_refused(client_for, county_staff, shandong_child):
    response = post(
        client_for(county_staff), entry("visit", child=shandong_child.pk, data=visit_data())
    )
    assert response.status_code == 403
    assert AccessLog.objects.filter(action="denied").exists()


def test_a_key_of_another_user_is_not_theirs(
    client_for, longsheng_supervisor, director_client, shandong_child
):
    payload = entry("visit", child=shandong_child.pk, data=visit_data())
    assert post(director_client, payload).status_code == 201
    response = post(client_for(longsheng_supervisor), payload)
    assert response.json()["status"] == "refused"
    assert Visit.objects.count() == 1


# --- an offline edit of a visit: field by field ---------------------------------------------


@pytest.fixture
def recorded(director_client, shandong_child):
    response = post(director_client, entry("visit", child=shandong_child.pk, data=visit_data()))
    visit = Visit.objects.get(pk=response.json()["record_id"])
    return visit


def _base(visit):
    from fieldwork.selectors import visit_values

    return visit_values(visit)


def _server_edit(visit, actor, **changes):
    from visits import services

    data = {name: getattr(visit, name) for name in services.EDITABLE_FIELDS}
    data.update(changes)
    return services.visit_update(
        actor=actor, visit=visit, expected_version=visit.version, data=data
    )


def test_an_edit_of_an_unchanged_visit_is_applied(director_client, recorded):
    base = _base(recorded)
    response = post(
        director_client,
        entry(
            "visit_edit",
            visit=recorded.pk,
            version=recorded.version,
            base=base,
            data={**base, "place": "村委会"},
        ),
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "updated"
    recorded.refresh_from_db()
    assert recorded.place == "村委会"


def test_one_sided_changes_merge_and_the_history_says_so(
    director_client, recorded, shandong_director
):
    base = _base(recorded)
    _server_edit(recorded, shandong_director, actions_taken="服务器上补充的措施")
    response = post(
        director_client,
        entry(
            "visit_edit", visit=recorded.pk, version=1, base=base, data={**base, "place": "村委会"}
        ),
    )
    assert response.json()["status"] == "updated", response.content
    recorded.refresh_from_db()
    assert recorded.place == "村委会"
    assert recorded.actions_taken == "服务器上补充的措施"
    note = ChangeLog.objects.filter(record_type="visit", record_id=recorded.pk).latest("pk").note
    assert "合并" in note and "采取的措施" in note


def test_a_field_both_changed_is_returned_and_the_persons_choice_kept(
    director_client, recorded, shandong_director
):
    base = _base(recorded)
    _server_edit(recorded, shandong_director, place="学校", actions_taken="服务器措施")
    payload = entry(
        "visit_edit",
        visit=recorded.pk,
        version=1,
        base=base,
        data={**base, "place": "村委会", "emotion_note": "有些低落"},
    )
    response = post(director_client, payload)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict"
    (conflict,) = body["conflicts"]
    assert conflict["field"] == "place"
    assert (conflict["mine_display"], conflict["theirs_display"]) == ("村委会", "学校")
    recorded.refresh_from_db()
    assert recorded.place == "学校" and recorded.emotion_note == ""  # nothing written yet
    assert not SyncReceipt.objects.filter(key=payload["key"]).exists()

    payload.update(choices={"place": "mine"}, choices_version=body["version"])
    response = post(director_client, payload)
    assert response.json()["status"] == "updated", response.content
    recorded.refresh_from_db()
    assert recorded.place == "村委会"
    assert recorded.emotion_note == "有些低落"
    assert recorded.actions_taken == "服务器措施"
    note = ChangeLog.objects.filter(record_type="visit", record_id=recorded.pk).latest("pk").note
    assert "采用本机填写：走访地点" in note


def test_keeping_the_servers_value(director_client, recorded, shandong_director):
    base = _base(recorded)
    _server_edit(recorded, shandong_director, place="学校")
    payload = entry(
        "visit_edit", visit=recorded.pk, version=1, base=base, data={**base, "place": "村委会"}
    )
    version = post(director_client, payload).json()["version"]
    payload.update(choices={"place": "theirs"}, choices_version=version)
    response = post(director_client, payload)
    assert response.json()["status"] == "unchanged"
    recorded.refresh_from_db()
    assert recorded.place == "学校"


def test_a_choice_made_on_an_older_version_is_asked_again(
    director_client, recorded, shandong_director
):
    base = _base(recorded)
    _server_edit(recorded, shandong_director, place="学校")
    payload = entry(
        "visit_edit", visit=recorded.pk, version=1, base=base, data={**base, "place": "村委会"}
    )
    version = post(director_client, payload).json()["version"]
    recorded.refresh_from_db()
    _server_edit(recorded, shandong_director, place="卫生室")
    payload.update(choices={"place": "mine"}, choices_version=version)
    response = post(director_client, payload)
    assert response.status_code == 409
    assert response.json()["conflicts"][0]["theirs_display"] == "卫生室"


def test_an_approved_visit_can_no_longer_be_edited_offline(
    director_client, recorded, longsheng_supervisor
):
    from visits import services

    services.visit_approve(actor=longsheng_supervisor, visit=recorded)
    base = _base(recorded)
    response = post(
        director_client,
        entry("visit_edit", visit=recorded.pk, version=1, base=base, data={**base, "place": "x"}),
    )
    assert response.status_code == 422
    assert "审核通过" in response.json()["message"]

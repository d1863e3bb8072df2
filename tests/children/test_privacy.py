"""Editing without revealing, and reads of full values logged (issue 22, parts 1 and 2).

A role without the reveal right (the village director, the county staff) gets an edit form
that holds no full ID number, phone or birth date: the masked value is shown and the input is
replace-only (empty keeps the value, a new full value replaces it). A role with the right
gets the full values, and the read is in the access log."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AccessAction, AccessLog
from children import services
from children.models import ChangeLog, Child
from children.privacy import HIDDEN_DATE, masked_changes
from core.validators import make_synthetic_id_number, mask_id_number
from tests import factories
from tests.security.fixtures_matrix import form_posting_to

PHONE = "13912345678"
FATHER_PHONE = "13700001234"


@pytest.fixture
def child(db):
    return factories.ChildFactory(
        name="张小花",
        village=factories.village("龙胜镇", "山东村"),
        guardian_phone=PHONE,
        father_phone=FATHER_PHONE,
        guardian_name="张奶奶",
    )


def edit_url(child):
    return reverse("children:edit", args=[child.pk])


def test_the_edit_form_holds_no_full_id_phone_or_birth_date_without_the_right(
    client_for, shandong_director, child
):
    response = client_for(shandong_director).get(edit_url(child))
    assert response.status_code == 200
    page = response.content.decode()
    assert child.id_number not in page
    assert PHONE not in page and FATHER_PHONE not in page
    assert child.birth_date.isoformat() not in page
    assert "更正身份证号" in page and "更正监护人电话" in page
    assert mask_id_number(child.id_number) in page  # the masked value, read-only
    assert "139****5678" in page
    # Nothing full was shown, so nothing to log as a reveal.
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL_ID).exists()


def test_an_empty_replace_only_field_keeps_the_value(client_for, shandong_director, child):
    client = client_for(shandong_director)
    form = form_posting_to(client, edit_url(child))
    data = form.data()
    data["school"] = ["龙胜中心小学"]
    response = client.post(edit_url(child), data)
    assert response.status_code == 302, response.context["form"].errors
    child.refresh_from_db()
    assert child.school == "龙胜中心小学"
    assert child.guardian_phone == PHONE and child.father_phone == FATHER_PHONE
    assert child.id_number and child.birth_date
    entry = ChangeLog.objects.filter(child=child).latest("at")
    assert set(entry.changes) == {"学校"}


def test_a_new_value_replaces_the_old_one(client_for, shandong_director, child):
    client = client_for(shandong_director)
    data = form_posting_to(client, edit_url(child)).data()
    new_id = make_synthetic_id_number("450328", dt.date(2013, 2, 3), 902, "F")
    data["id_number"] = [new_id]
    data["guardian_phone"] = ["13600002222"]
    response = client.post(edit_url(child), data)
    assert response.status_code == 302, response.context["form"].errors
    child.refresh_from_db()
    assert child.id_number == new_id
    assert child.birth_date == dt.date(2013, 2, 3)  # from the corrected number
    assert child.guardian_phone == "13600002222"
    entry = ChangeLog.objects.filter(child=child).latest("at")
    assert entry.changes["公民身份号码"][1] == "*" * 14 + new_id[-4:]


def test_a_birth_date_alone_cannot_be_tried_against_the_kept_number(
    client_for, shandong_director, child
):
    """Else the answer ("does not match the ID, which says …") would tell the date."""
    client = client_for(shandong_director)
    data = form_posting_to(client, edit_url(child)).data()
    tried = child.birth_date - dt.timedelta(days=400)  # a guess, not the child's date
    data["birth_date"] = [tried.isoformat()]
    response = client.post(edit_url(child), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["birth_date"])
    assert "以身份证号为准" in errors
    page = response.content.decode()
    assert child.birth_date.isoformat() not in page
    child.refresh_from_db()
    assert child.version == 1


def test_the_edit_form_of_a_role_with_the_right_is_full_and_logged(
    client_for, longsheng_supervisor, child
):
    response = client_for(longsheng_supervisor).get(edit_url(child))
    page = response.content.decode()
    assert f'value="{child.id_number}"' in page and f'value="{PHONE}"' in page
    entry = AccessLog.objects.get(action=AccessAction.REVEAL_ID)
    assert (entry.user, entry.target_id, entry.detail) == (
        longsheng_supervisor,
        str(child.pk),
        {"where": "edit"},
    )


def test_the_reveal_shows_the_birth_date_and_is_logged(client_for, longsheng_supervisor, child):
    response = client_for(longsheng_supervisor).post(reverse("children:reveal", args=[child.pk]))
    page = response.content.decode()
    assert child.id_number in page and child.birth_date.isoformat() in page
    assert AccessLog.objects.filter(action=AccessAction.REVEAL_ID, detail__where="reveal").exists()


def test_the_child_page_shows_the_age_not_the_birth_date(client_for, longsheng_supervisor, child):
    page = client_for(longsheng_supervisor).get(child.get_absolute_url()).content.decode()
    assert child.birth_date.isoformat() not in page
    assert f"{child.age}岁" in page


def test_history_hides_birth_dates_and_old_masks_from_a_role_without_the_right(
    client_for, shandong_director, longsheng_supervisor, child
):
    services.record_change(
        child=child,
        actor=longsheng_supervisor,
        action="update",
        changes={
            "出生日期": ["2012-01-05", "2012-01-06"],
            "Date of birth": ["2012-01-05", "2012-01-06"],
            "公民身份号码": ["450328********0018", "450328********0026"],
            "学校": ["甲", "乙"],
        },
    )
    director_page = client_for(shandong_director).get(child.get_absolute_url()).content.decode()
    assert "2012-01-05" not in director_page and "450328**" not in director_page
    assert HIDDEN_DATE in director_page and "*" * 14 + "0018" in director_page
    supervisor_page = (
        client_for(longsheng_supervisor).get(child.get_absolute_url()).content.decode()
    )
    assert "2012-01-05" in supervisor_page and "450328**" not in supervisor_page


def test_masked_changes_leaves_other_fields_alone():
    changes = {"学校": ["a", "b"], "监护人电话": ["13912345678", ""]}
    assert masked_changes(changes, reveal=False) == {
        "学校": ["a", "b"],
        "监护人电话": ["139****5678", ""],
    }


def test_a_search_by_a_guessed_full_id_confirms_nothing_without_the_right(
    client_for, shandong_director, longsheng_supervisor, child
):
    """Without the right only the last 4 characters of a number are searched: a guessed
    full number finds every child ending so, and a wrong guess with the same tail too."""
    wrong_middle = "1231" if child.id_number[10:14] != "1231" else "1230"
    same_tail = child.id_number[:10] + wrong_middle + child.id_number[14:]
    found = {}
    for user in (shandong_director, longsheng_supervisor):
        response = client_for(user).get(reverse("children:list"), {"q": same_tail})
        found[user.username] = "张小花" in response.content.decode()
    assert found == {shandong_director.username: True, longsheng_supervisor.username: False}


def test_only_the_fields_of_the_identity_are_replace_only(shandong_director, child):
    from children.forms import REPLACE_ONLY, ChildEditForm

    form = ChildEditForm(instance=child, user=shandong_director)
    assert {name for name in form.fields if form.initial.get(name) is None} >= set(REPLACE_ONLY)
    assert form.initial["name"] == "张小花"
    assert Child.objects.get(pk=child.pk).guardian_phone == PHONE

"""No existence oracle (issue 22, part 4): a number registered to a child outside the person's
area is refused with the same words whoever holds it, where and in what state; the attempt
goes to the county center (DuplicateCheck), which resolves it."""

import datetime as dt

import pytest
from django.urls import reverse

from children import services
from children.choices import ChangeAction, TransferState
from children.models import Child, ChildTransfer, DuplicateCheck, DuplicateCheckStatus
from tests import factories
from tests.security.fixtures_matrix import form_posting_to

NEUTRAL = str(services.DUPLICATE_ELSEWHERE)


@pytest.fixture
def elsewhere(db):
    """A child of 平等镇 罗汉村: outside the 山东村 director's and the 龙胜镇 supervisor's area."""
    return factories.ChildFactory(
        name="罗平安", village=factories.village("平等镇", "罗汉村"), sex="M"
    )


def register_form(village, **overrides):
    data = {
        "township": village.township_id,
        "village": village.pk,
        "name": "韦小明",
        "health": "healthy",
        "benefit_category": "none",
        "risk_level": "yellow",
        "registered_on": dt.date.today().isoformat(),
    }
    return data | overrides


def register(client, **overrides):
    village = factories.village("龙胜镇", "山东村")
    return client.post(reverse("children:create"), register_form(village, **overrides))


def test_a_number_registered_elsewhere_says_nothing_of_it_and_goes_to_the_county(
    client_for, shandong_director, elsewhere
):
    response = register(client_for(shandong_director), id_number=elsewhere.id_number)
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [NEUTRAL]
    page = response.content.decode()
    for hint in ("罗平安", "罗汉村", "平等镇", "其他辖区", "已登记"):
        assert hint not in page, hint
    check = DuplicateCheck.objects.get()
    assert (check.requested_by, check.existing, check.village.name, check.name) == (
        shandong_director,
        elsewhere,
        "山东村",
        "韦小明",
    )
    assert (check.source, check.status) == ("register", DuplicateCheckStatus.OPEN)
    assert Child.objects.count() == 1


def test_the_answer_is_the_same_for_an_active_and_a_closed_child(
    client_for, shandong_director, elsewhere, longsheng_supervisor
):
    """Not "registered elsewhere" for one and something else for the other."""
    closed = factories.ChildFactory(
        name="罗安", village=factories.village("平等镇", "罗汉村"), sex="M"
    )
    Child.objects.filter(pk=closed.pk).update(
        status="closed", closed_on=dt.date.today(), close_reason="moved_out"
    )
    client = client_for(shandong_director)
    answers = [
        register(client, id_number=child.id_number).context["form"].errors["id_number"]
        for child in (elsewhere, closed)
    ]
    assert answers == [[NEUTRAL], [NEUTRAL]]
    assert DuplicateCheck.objects.count() == 2  # every attempt


def test_a_duplicate_in_ones_own_area_is_named_plainly(client_for, shandong_director):
    mine = factories.ChildFactory(name="张小花", village=factories.village("龙胜镇", "山东村"))
    response = register(client_for(shandong_director), id_number=mine.id_number)
    message = " ".join(response.context["form"].errors["id_number"])
    assert "张小花" in message and "已登记" in message
    assert not DuplicateCheck.objects.exists()


def test_typing_such_a_number_into_an_edit_form_is_refused_the_same_way(
    client_for, shandong_director, elsewhere
):
    mine = factories.ChildFactory(
        name="张小军", village=factories.village("龙胜镇", "山东村"), sex="M"
    )
    client = client_for(shandong_director)
    url = reverse("children:edit", args=[mine.pk])
    data = form_posting_to(client, url).data()
    data["id_number"] = [elsewhere.id_number]
    response = client.post(url, data)
    assert response.context["form"].errors["id_number"] == [NEUTRAL]
    assert "罗平安" not in response.content.decode()
    check = DuplicateCheck.objects.get()
    assert (check.source, check.edited, check.existing) == ("edit", mine, elsewhere)


def test_the_county_center_sees_every_attempt_and_others_do_not(
    client_for, shandong_director, county_admin, county_staff, longsheng_supervisor, elsewhere
):
    register(client_for(shandong_director), id_number=elsewhere.id_number)
    url = reverse("children:duplicate_checks")
    for user in (county_admin, county_staff):
        page = client_for(user).get(url).content.decode()
        assert "罗平安" in page and "韦小明" in page and "山东村" in page
    assert client_for(shandong_director).get(url).status_code == 403
    assert client_for(longsheng_supervisor).get(url).status_code == 403
    # The staff may read, not answer.
    check = DuplicateCheck.objects.get()
    response = client_for(county_staff).post(url, {"check": check.pk, "decision": "reject"})
    assert response.status_code == 403


def test_the_county_asks_to_move_the_child_to_the_village_that_asked(
    client_for, shandong_director, county_admin, elsewhere
):
    client = client_for(shandong_director)
    register(client, id_number=elsewhere.id_number)
    register(client, id_number=elsewhere.id_number)  # tried twice
    first = DuplicateCheck.objects.order_by("pk").first()
    response = client_for(county_admin).post(
        reverse("children:duplicate_checks"),
        {"check": first.pk, "decision": "transfer", "note": "已核实：该儿童随母亲迁入山东村"},
    )
    assert response.status_code == 302
    # A transfer request like any other: the child stays until 山东村's side accepts it.
    elsewhere.refresh_from_db()
    assert elsewhere.village.name != "山东村"
    waiting = ChildTransfer.objects.get(child=elsewhere, state=TransferState.REQUESTED)
    assert waiting.to_village.name == "山东村" and waiting.created_by == county_admin
    assert set(DuplicateCheck.objects.values_list("status", flat=True)) == {"transferred"}
    assert all(c.resolved_by == county_admin for c in DuplicateCheck.objects.all())
    assert elsewhere.change_log.filter(action=ChangeAction.TRANSFER_REQUEST).exists()


def test_a_rejection_needs_a_note(client_for, shandong_director, county_admin, elsewhere):
    register(client_for(shandong_director), id_number=elsewhere.id_number)
    check = DuplicateCheck.objects.get()
    client = client_for(county_admin)
    url = reverse("children:duplicate_checks")
    response = client.post(url, {"check": check.pk, "decision": "reject", "note": ""})
    assert response.status_code == 200 and "驳回时请填写说明" in response.content.decode()
    response = client.post(url, {"check": check.pk, "decision": "reject", "note": "号码填错"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.status, check.resolution_note) == ("rejected", "号码填错")
    elsewhere.refresh_from_db()
    assert elsewhere.village.name == "罗汉村"


def test_the_import_row_says_the_same_and_goes_to_the_county(longsheng_supervisor, elsewhere):
    from children.io.ledger_import import preview_ledger
    from tests.children.conftest import build_ledger, child_row

    row = child_row(
        **{
            "姓名": "韦小明",
            "公民身份号码": elsewhere.id_number,
            "出生日期": elsewhere.birth_date.isoformat(),
            "性别": "男",
        }
    )
    preview = preview_ledger(
        actor=longsheng_supervisor, township=factories.township("龙胜镇"), data=build_ledger([row])
    )
    messages = [str(error.message) for error in preview.errors]
    assert NEUTRAL in messages
    assert not any("罗平安" in m or "平等镇" in m or "罗汉村" in m for m in messages)
    check = DuplicateCheck.objects.get()
    assert (check.source, check.existing, check.requested_by) == (
        "import",
        elsewhere,
        longsheng_supervisor,
    )
    assert check.import_row is not None


def test_a_namesake_without_a_number_elsewhere_is_not_mentioned_and_goes_to_the_county(
    client_for, shandong_director, county_admin
):
    hidden = factories.ChildFactory(
        name="蒙小雨",
        birth_date=dt.date(2016, 4, 4),
        id_number=None,
        no_hukou=True,
        guardian_name="蒙奶奶",
        village=factories.village("平等镇", "罗汉村"),
    )
    response = register(
        client_for(shandong_director),
        name="蒙小雨",
        birth_date="2016-04-04",
        sex="F",
        no_hukou="on",
        guardian_name="蒙奶奶",
    )
    assert response.status_code == 302  # registered, nothing asked, nothing said
    check = DuplicateCheck.objects.get()
    assert (check.kind, check.existing, check.edited.village.name) == ("person", hidden, "山东村")
    # Both records exist: the county closes one on the children's pages, not by a transfer.
    response = client_for(county_admin).post(
        reverse("children:duplicate_checks"), {"check": check.pk, "decision": "transfer"}
    )
    assert response.status_code == 200
    check.refresh_from_db()
    assert check.status == "open"

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.choices import Role, VillageStatus
from accounts.models import User, Village, VillageChange
from children.models import ChangeLog, Child
from children.services_villages import village_merge, village_split
from tests import factories
from tests.visits.conftest import record
from visits.models import Visit


@pytest.fixture
def nanmen(db):
    return factories.village("龙胜镇", "南门村")


@pytest.fixture
def shandong(db):
    return factories.village("龙胜镇", "山东村")


def test_merge_moves_children_visits_and_accounts_with_a_history_entry_each(
    county_admin, shandong_director, shandong, nanmen
):
    first = factories.ChildFactory(village=shandong, registered_on=dt.date(2026, 5, 1))
    second = factories.ChildFactory(village=shandong)
    visit = record(county_admin, first, dt.date(2026, 5, 10))
    elsewhere = factories.ChildFactory(village=nanmen)

    result = village_merge(
        actor=county_admin, source=shandong, target=nanmen, note="龙政〔2026〕1号"
    )

    assert (result.children, result.accounts) == (2, 1)
    for child in (first, second):
        child.refresh_from_db()
        assert child.village_id == nanmen.pk and child.township_id == nanmen.township_id
        entry = ChangeLog.objects.filter(child=child).latest("pk")
        assert entry.actor == county_admin and "撤并" in entry.note
        assert entry.changes == {"村/社区": ["龙胜镇 山东村", "龙胜镇 南门村"]}
    assert Visit.objects.get(pk=visit.pk).child.village_id == nanmen.pk
    shandong_director.refresh_from_db()
    assert shandong_director.village_id == nanmen.pk
    # The director now sees the merged village's children, and the old village is kept.
    assert set(Child.objects.visible_to(shandong_director)) >= {first, second, elsewhere}
    shandong.refresh_from_db()
    assert shandong.status == VillageStatus.MERGED and shandong.merged_into == nanmen
    change = VillageChange.objects.get(kind="merge", village=shandong)
    assert change.actor == county_admin and change.detail == {"children": 2, "accounts": 1}


def test_merge_is_the_county_admins_alone(longsheng_supervisor, shandong, nanmen):
    factories.ChildFactory(village=shandong)
    with pytest.raises(PermissionDenied):
        village_merge(actor=longsheng_supervisor, source=shandong, target=nanmen, note="x")
    assert Child.objects.filter(village=shandong).exists()


@pytest.mark.parametrize("case", ["self", "retired target", "no note"])
def test_merge_refuses_nonsense_at_the_field(county_admin, shandong, nanmen, case):
    target, note = nanmen, "依据"
    if case == "self":
        target = shandong
    elif case == "retired target":
        Village.objects.filter(pk=nanmen.pk).update(status=VillageStatus.MERGED)
    else:
        note = " "
    with pytest.raises(ValidationError) as caught:
        village_merge(actor=county_admin, source=shandong, target=target, note=note)
    assert set(caught.value.message_dict) <= {"target", "note"}


def test_split_sends_each_child_and_account_where_chosen(
    county_admin, shandong_director, shandong, nanmen
):
    chengnan = Village.objects.get(code="450328100001")
    one, two, stays = (factories.ChildFactory(village=shandong) for _ in range(3))
    result = village_split(
        actor=county_admin,
        source=shandong,
        children={one.pk: nanmen, two.pk: chengnan},
        accounts={shandong_director.pk: chengnan},
        note="拆分依据",
    )
    assert (result.children, result.accounts) == (2, 1)
    assert Child.objects.get(pk=one.pk).village == nanmen
    assert Child.objects.get(pk=two.pk).village == chengnan
    assert Child.objects.get(pk=stays.pk).village == shandong
    assert User.objects.get(pk=shandong_director.pk).village == chengnan
    assert VillageChange.objects.filter(kind="split", village=shandong).count() == 2
    shandong.refresh_from_db()
    assert shandong.status == VillageStatus.ACTIVE


def test_split_retiring_the_village_needs_a_destination_for_everyone(
    county_admin, shandong, nanmen
):
    one, _two = factories.ChildFactory(village=shandong), factories.ChildFactory(village=shandong)
    with pytest.raises(ValidationError):
        village_split(
            actor=county_admin,
            source=shandong,
            children={one.pk: nanmen},
            retire_source=True,
            note="依据",
        )
    assert Child.objects.get(pk=one.pk).village == shandong  # nothing written


def test_merge_page_moves_everyone_and_says_so(client_for, county_admin, shandong, nanmen):
    factories.ChildFactory(village=shandong)
    client = client_for(county_admin)
    url = reverse("children:village_merge", args=[shandong.pk])
    page = client.get(url)
    assert page.status_code == 200 and "现有儿童 1 名" in page.content.decode()
    refused = client.post(url, {"target": nanmen.pk, "note": "依据"})  # not confirmed
    assert refused.status_code == 200 and Child.objects.filter(village=shandong).exists()
    done = client.post(url, {"target": nanmen.pk, "note": "依据", "confirm": "on"}, follow=True)
    assert "移动儿童 1 名" in done.content.decode()
    assert not Child.objects.filter(village=shandong).exists()


def test_merge_page_refuses_other_roles(client_for, shandong):
    supervisor = factories.make_user(Role.TOWNSHIP_SUPERVISOR, township_name="龙胜镇")
    response = client_for(supervisor).get(reverse("children:village_merge", args=[shandong.pk]))
    assert response.status_code == 403


def test_split_page_lists_each_child_with_a_destination(client_for, county_admin, shandong, nanmen):
    child = factories.ChildFactory(village=shandong, name="李小拆")
    client = client_for(county_admin)
    url = reverse("children:village_split", args=[shandong.pk])
    assert "李小拆" in client.get(url).content.decode()
    client.post(url, {f"child_{child.pk}": nanmen.pk, "note": "依据"})
    assert Child.objects.get(pk=child.pk).village == nanmen


def test_no_child_is_registered_or_transferred_into_a_merged_village(
    county_admin, shandong, nanmen
):
    from children import services, services_transfer

    child = factories.ChildFactory(village=nanmen)
    village_merge(actor=county_admin, source=shandong, target=nanmen, note="依据")
    shandong.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services_transfer.transfer_request(
            actor=county_admin, child=child, to_village=shandong, reason="迁居"
        )
    assert "已撤并" in caught.value.message_dict["to_village"][0]
    with pytest.raises(ValidationError):
        services.child_register(
            actor=county_admin,
            township=shandong.township,
            village=shandong,
            data={"name": "韦小明", "id_number": "450328201206010018"},
        )

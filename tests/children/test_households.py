"""Households (家庭户): siblings and their shared guardian; a change of guardian updates every
member, each with its own history entry; scoped like the ledger."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from children import services_households
from children.models import ChangeLog, Child
from core.versioning import StaleEdit
from tests import factories

SHANDONG = ("龙胜镇", "山东村")


@pytest.fixture
def siblings(db):
    village = factories.village(*SHANDONG)
    return [
        factories.ChildFactory(
            name=name,
            village=village,
            guardian_name="王奶奶",
            guardian_relation="grandparent",
            guardian_phone="13800001111",
        )
        for name in ("张大妹", "张二妹", "张小弟")
    ]


@pytest.fixture
def household(shandong_director, siblings):
    return services_households.household_create(
        actor=shandong_director,
        village=siblings[0].village,
        data={
            "name": "张家",
            "address": "山东村三组",
            "guardian_name": "王奶奶",
            "guardian_relation": "grandparent",
            "guardian_phone": "13800001111",
        },
        members=siblings,
    )


def test_a_household_links_siblings(household, siblings):
    assert set(household.members.values_list("pk", flat=True)) == {c.pk for c in siblings}
    for child in siblings:
        assert ChangeLog.objects.filter(
            child=child, record_type="household", record_id=household.pk
        ).exists()


def test_a_change_of_guardian_updates_every_child_with_history(
    household, siblings, longsheng_supervisor
):
    services_households.household_change_guardian(
        actor=longsheng_supervisor,
        household=household,
        expected_version=household.version,
        data={
            "guardian_name": "张妈妈",
            "guardian_relation": "mother",
            "guardian_phone": "13900002222",
        },
        note="母亲返乡",
    )
    for child in Child.objects.filter(pk__in=[c.pk for c in siblings]):
        assert (child.guardian_name, child.guardian_relation, child.guardian_phone) == (
            "张妈妈",
            "mother",
            "13900002222",
        )
        entry = ChangeLog.objects.filter(child=child, record_type="household").latest("at")
        assert entry.changes["实际监护人"] == ["王奶奶", "张妈妈"]
        assert "母亲返乡" in entry.note
        # Phones are masked in the history, as everywhere.
        assert "13900002222" not in str(entry.changes)
        assert child.version > 1


def test_a_stale_guardian_change_writes_nothing(household, siblings, longsheng_supervisor):
    services_households.household_change_guardian(
        actor=longsheng_supervisor,
        household=household,
        expected_version=household.version,
        data={"guardian_name": "张妈妈", "guardian_relation": "mother", "guardian_phone": ""},
    )
    with pytest.raises(StaleEdit):
        services_households.household_change_guardian(
            actor=longsheng_supervisor,
            household=household,
            expected_version=1,
            data={"guardian_name": "张爸爸", "guardian_relation": "father", "guardian_phone": ""},
        )
    assert set(
        Child.objects.filter(household=household).values_list("guardian_name", flat=True)
    ) == {"张妈妈"}


def test_members_must_be_of_the_village_and_in_no_other_household(
    household, shandong_director, nanmen_director
):
    other_village = factories.ChildFactory(
        name="李外村", village=factories.village("龙胜镇", "南门村")
    )
    with pytest.raises(PermissionDenied):  # not in the director's area at all
        services_households.household_update(
            actor=shandong_director,
            household=household,
            expected_version=household.version,
            data={},
            members=[*household.members.all(), other_village],
        )
    sibling = household.members.first()
    with pytest.raises(ValidationError) as exc:
        services_households.household_create(
            actor=shandong_director,
            village=sibling.village,
            data={"name": "另一户", "guardian_name": "某人"},
            members=[sibling],
        )
    assert "members" in exc.value.message_dict
    with pytest.raises(PermissionDenied):  # another village's director
        services_households.household_change_guardian(
            actor=nanmen_director,
            household=household,
            expected_version=household.version,
            data={"guardian_name": "外人"},
        )


def test_removing_a_member_is_in_its_history(household, siblings, shandong_director):
    services_households.household_update(
        actor=shandong_director,
        household=household,
        expected_version=household.version,
        data={"name": "张家"},
        members=siblings[:2],
    )
    siblings[2].refresh_from_db()
    assert siblings[2].household is None
    entry = ChangeLog.objects.filter(child=siblings[2], record_type="household").latest("at")
    assert entry.changes["家庭户"] == ["张家", ""]


def test_pages_scoped_and_guardian_change_through_the_form(
    client_for, household, siblings, longsheng_supervisor, pingdeng_supervisor, nanmen_director
):
    for user in (pingdeng_supervisor, nanmen_director):
        client = client_for(user)
        for name in ("household_detail", "household_edit", "household_guardian"):
            assert client.get(reverse(f"children:{name}", args=[household.pk])).status_code == 404
        assert "张家" not in client.get(reverse("children:household_list")).content.decode()
    client = client_for(longsheng_supervisor)
    page = client.get(household.get_absolute_url()).content.decode()
    assert all(child.name in page for child in siblings)
    assert "13800001111" not in page  # masked
    response = client.post(
        reverse("children:household_guardian", args=[household.pk]),
        {
            "guardian_name": "张妈妈",
            "guardian_relation": "mother",
            "guardian_phone": "13900002222",
            "note": "",
            "version": household.version,
        },
    )
    assert response.status_code == 302
    assert set(
        Child.objects.filter(household=household).values_list("guardian_name", flat=True)
    ) == {"张妈妈"}


def test_household_created_from_the_child_page(client_for, siblings, shandong_director):
    first = siblings[0]
    client = client_for(shandong_director)
    assert (
        reverse("children:household_create", args=[first.pk])
        in client.get(first.get_absolute_url()).content.decode()
    )
    response = client.post(
        reverse("children:household_create", args=[first.pk]),
        {
            "name": "张家",
            "address": "",
            "guardian_name": "王奶奶",
            "guardian_relation": "grandparent",
            "guardian_phone": "",  # a director is never shown the full phone
            "note": "",
            "members": [c.pk for c in siblings],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    first.refresh_from_db()
    assert first.household is not None
    # The blank phone of the same guardian kept the one on record.
    assert first.guardian_phone == "13800001111"


def test_household_list_exports(client_for, household, longsheng_supervisor):
    import io

    import openpyxl

    response = client_for(longsheng_supervisor).get(
        reverse("children:household_list"), {"export": "xlsx"}
    )
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert rows[2][0] == "张家" and rows[2][2] == 3
    assert "13800001111" not in str(rows)


@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
def test_the_household_list_pages_in_a_stable_order(client_for, household, longsheng_supervisor):
    from children.households import household_list

    # Counting the members groups the rows, which drops the model's default ordering.
    assert household_list(longsheng_supervisor).query.order_by
    response = client_for(longsheng_supervisor).get(reverse("children:household_list"))
    assert response.status_code == 200 and "张家" in response.content.decode()

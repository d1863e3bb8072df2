"""Rules of the ledger services: IDs, duplicates, optimistic locking, history, closing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from children import services, services_transfer
from children.choices import CaseStatus, ChangeAction
from children.models import BenefitCategoryPeriod, ChangeLog, Child
from tests import factories

VALID_ID = "450328201206010018"  # male, born 2012-06-01 (docs/domain.md §8 test vector)


def register(actor, *, village=None, confirm=False, **data):
    village = village or factories.village("龙胜镇", "山东村")
    fields = {"name": "韦小明", "id_number": VALID_ID} | data
    return services.child_register(
        actor=actor,
        township=village.township,
        village=village,
        data=fields,
        circumstances=["left_behind", "living_difficulty"],
        confirm_duplicate=confirm,
    )


def field_errors(exc_info, field):
    return exc_info.value.message_dict.get(field, [])


def test_register_derives_birth_date_and_sex_from_the_id(longsheng_supervisor):
    child = register(longsheng_supervisor)
    assert child.birth_date == dt.date(2012, 6, 1)
    assert child.sex == "M"
    assert set(child.circumstances.values_list("code", flat=True)) == {
        "left_behind",
        "living_difficulty",
    }
    assert child.benefit_periods.get().ended_on is None
    assert ChangeLog.objects.get(child=child).action == ChangeAction.CREATE


def test_id_is_normalised_from_full_width_and_lower_case(longsheng_supervisor):
    child = register(
        longsheng_supervisor, name="石丽", id_number=" １１０１０５２０１４１２３１９０８x "
    )
    assert child.id_number == "11010520141231908X"


@pytest.mark.parametrize(
    ("id_number", "expected"),
    [
        ("450328201206010019", "校验位"),  # a changed check digit
        ("45032820120601001", "18位"),  # 17 characters
        ("450328201502300015", "出生日期"),  # 30 February
        ("450328209901010012", "出生日期"),  # a future birth date
    ],
)
def test_bad_ids_are_refused_with_a_field_message(longsheng_supervisor, id_number, expected):
    with pytest.raises(ValidationError) as exc_info:
        register(longsheng_supervisor, id_number=id_number)
    assert any(expected in message for message in field_errors(exc_info, "id_number"))
    assert not Child.objects.exists()


def test_typed_sex_contradicting_the_id_is_refused(longsheng_supervisor):
    with pytest.raises(ValidationError) as exc_info:
        register(longsheng_supervisor, sex="F")
    assert field_errors(exc_info, "sex")


def test_typed_birth_date_contradicting_the_id_is_refused(longsheng_supervisor):
    with pytest.raises(ValidationError) as exc_info:
        register(longsheng_supervisor, birth_date=dt.date(2012, 6, 2))
    assert field_errors(exc_info, "birth_date")


def test_child_without_hukou_is_allowed_and_marked(longsheng_supervisor):
    child = register(
        longsheng_supervisor, id_number="", no_hukou=True, sex="F", birth_date=dt.date(2016, 3, 5)
    )
    assert child.id_number is None and child.no_hukou
    assert child.masked_id_number == "未登记户口"


def test_same_id_in_own_area_names_the_registered_child(longsheng_supervisor):
    register(longsheng_supervisor)
    with pytest.raises(ValidationError) as exc_info:
        register(longsheng_supervisor, name="韦小明二")
    assert "韦小明" in " ".join(field_errors(exc_info, "id_number"))
    assert Child.objects.count() == 1


def test_same_id_in_another_area_says_only_to_contact_the_county(
    longsheng_supervisor, pingdeng_supervisor
):
    register(longsheng_supervisor, name="韦秘密")
    with pytest.raises(ValidationError) as exc_info:
        register(pingdeng_supervisor, village=factories.village("平等镇", "罗汉村"))
    message = " ".join(field_errors(exc_info, "id_number"))
    assert "县未保中心" in message
    assert "韦秘密" not in message and "龙胜" not in message and "山东村" not in message
    assert Child.objects.count() == 1


def test_same_name_and_birth_date_in_village_asks_for_confirmation(longsheng_supervisor):
    first = register(longsheng_supervisor, id_number="", no_hukou=True, sex="M",
                     birth_date=dt.date(2012, 6, 1))  # fmt: skip
    with pytest.raises(services.PossibleDuplicate) as exc_info:
        register(longsheng_supervisor)
    assert exc_info.value.matches == [first]
    second = register(longsheng_supervisor, confirm=True)
    assert Child.objects.count() == 2 and second.pk != first.pk


def test_director_cannot_register_in_another_village(shandong_director):
    with pytest.raises(PermissionDenied):
        register(shandong_director, village=factories.village("龙胜镇", "南门村"))
    assert not Child.objects.exists()


def test_update_keeps_history_before_and_after(longsheng_supervisor):
    child = register(longsheng_supervisor)
    services.child_update(
        actor=longsheng_supervisor,
        child=child,
        expected_version=child.version,
        data={"guardian_name": "韦奶奶", "risk_level": "red"},
        circumstances=["left_behind"],
    )
    entry = ChangeLog.objects.filter(child=child, action=ChangeAction.UPDATE).get()
    assert entry.changes["实际监护人"] == ["", "韦奶奶"]
    assert entry.changes["风险等级"] == ["黄（一般风险）", "红（高风险）"]
    assert entry.changes["困境情形"] == ["生活困难、留守", "留守"]
    assert entry.actor == longsheng_supervisor


def test_optimistic_lock_keeps_the_first_edit(longsheng_supervisor, shandong_director):
    child = register(longsheng_supervisor)
    opened_version = child.version  # both open the form now
    services.child_update(
        actor=longsheng_supervisor,
        child=child,
        expected_version=opened_version,
        data={"guardian_name": "第一位"},
    )
    with pytest.raises(services.StaleEdit) as exc_info:
        services.child_update(
            actor=shandong_director,
            child=child,
            expected_version=opened_version,
            data={"guardian_name": "第二位"},
        )
    child.refresh_from_db()
    assert child.guardian_name == "第一位"
    assert exc_info.value.current.guardian_name == "第一位"
    assert exc_info.value.theirs[0]["changes"]["实际监护人"] == ["", "第一位"]


def test_id_in_history_is_masked(longsheng_supervisor):
    child = register(longsheng_supervisor)
    services.child_update(
        actor=longsheng_supervisor,
        child=child,
        expected_version=child.version,
        data={"id_number": "11010520141231908X", "sex": "F", "birth_date": None},
    )
    entry = ChangeLog.objects.filter(child=child, action=ChangeAction.UPDATE).get()
    assert entry.changes["公民身份号码"] == ["**************0018", "**************908X"]


def test_benefit_category_change_is_dated_and_kept(longsheng_supervisor):
    child = register(longsheng_supervisor)
    services.child_update(
        actor=longsheng_supervisor,
        child=child,
        expected_version=child.version,
        data={"benefit_category": "de_facto_unsupported"},
        benefit_changed_on=dt.date(2026, 3, 1),
    )
    periods = list(BenefitCategoryPeriod.objects.filter(child=child).order_by("pk"))
    assert [(p.category, p.ended_on) for p in periods] == [
        ("none", dt.date(2026, 3, 1)),
        ("de_facto_unsupported", None),
    ]


def test_close_and_reopen_are_dated_and_in_history(longsheng_supervisor):
    child = register(longsheng_supervisor)
    services.child_close(
        actor=longsheng_supervisor, child=child, reason="moved_out", closed_on=dt.date(2026, 5, 1)
    )
    child.refresh_from_db()
    assert (child.status, child.closed_on, child.close_reason) == (
        CaseStatus.CLOSED,
        dt.date(2026, 5, 1),
        "moved_out",
    )
    services.child_reopen(actor=longsheng_supervisor, child=child, note="回迁")
    child.refresh_from_db()
    assert child.status == CaseStatus.ACTIVE and child.closed_on is None
    actions = list(ChangeLog.objects.filter(child=child).values_list("action", flat=True))
    assert ChangeAction.CLOSE in actions and ChangeAction.REOPEN in actions
    assert Child.objects.filter(pk=child.pk).exists()  # never deleted


def test_director_may_not_close(shandong_director, shandong_child):
    with pytest.raises(PermissionDenied):
        services.child_close(actor=shandong_director, child=shandong_child, reason="other")


def test_township_transfers_its_child_elsewhere_and_loses_sight_of_it(
    longsheng_supervisor, pingdeng_supervisor, shandong_child
):
    target = factories.village("平等镇", "罗汉村")
    transfer = services_transfer.transfer_request(
        actor=longsheng_supervisor, child=shandong_child, to_village=target, reason="随母迁居"
    )
    services_transfer.transfer_accept(actor=pingdeng_supervisor, transfer=transfer)
    assert not Child.objects.visible_to(longsheng_supervisor).filter(pk=shandong_child.pk)
    assert Child.objects.visible_to(pingdeng_supervisor).filter(pk=shandong_child.pk).exists()
    entry = ChangeLog.objects.get(child=shandong_child, action=ChangeAction.TRANSFER)
    assert entry.changes["村/社区"] == ["龙胜镇 山东村", "平等镇 罗汉村"]


def test_township_cannot_transfer_a_child_it_does_not_hold(longsheng_supervisor, pingdeng_child):
    target = factories.village("龙胜镇", "山东村")
    with pytest.raises(PermissionDenied):
        services_transfer.transfer_request(
            actor=longsheng_supervisor, child=pingdeng_child, to_village=target, reason="迁居"
        )
    pingdeng_child.refresh_from_db()
    assert pingdeng_child.village.name == "罗汉村"


def test_raise_risk_never_lowers(longsheng_supervisor, shandong_child):
    assert services.child_raise_risk(
        actor=longsheng_supervisor, child=shandong_child, level="red", reason="测评阳性"
    )
    assert not services.child_raise_risk(
        actor=longsheng_supervisor, child=shandong_child, level="orange", reason="测评"
    )
    shandong_child.refresh_from_db()
    assert shandong_child.risk_level == "red"

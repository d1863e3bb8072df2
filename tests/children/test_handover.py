"""Caseload hand-over (工作移交): one step moves everything assigned to an account, nothing
is left on it, the old account is deactivated; who may do it; the orphan check."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from care import choices as care_choices
from care import services as care_services
from care.models import CarePlan
from children import caseload
from children.choices import ChangeAction
from children.models import CaseloadHandover, ChangeLog, Child
from children.services_handover import caseload_handover, held_by, orphans
from tests import factories
from tests.children.conftest import visit_data
from visits import services as visit_services
from visits.models import Visit


@pytest.fixture
def successor(db):
    user = factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="龙胜镇", village_name="山东村", username="t-new"
    )
    user.name = "新主任"
    user.save(update_fields=["name"])
    return user


@pytest.fixture
def caseload_of(shandong_director, longsheng_supervisor):
    """Two children, an open plan, a pending visit and a returned one of the 山东村
    director; a finished plan, which is history and stays."""
    village = factories.village("龙胜镇", "山东村")
    children = [
        factories.ChildFactory(village=village, responsible_director=shandong_director)
        for _ in range(2)
    ]
    today = timezone.localdate()

    def plan(status=None):
        made = care_services.care_plan_create(
            actor=longsheng_supervisor,
            child=children[0],
            data={
                "goals": "稳定情绪",
                "measures": "每两周辅导",
                "responsible_name": "山东村主任",
                "responsible_user": shandong_director,
                "started_on": today,
                "review_on": today + dt.timedelta(days=30),
            },
            services=[care_choices.CareService.COUNSELLING],
        )
        if status:
            CarePlan.objects.filter(pk=made.pk).update(status=status)
        return made

    open_plan, done_plan = plan(), plan(care_choices.PlanStatus.COMPLETED)
    pending = visit_services.visit_record(
        actor=shandong_director, child=children[1], data=visit_data(today)
    )
    returned = visit_services.visit_record(
        actor=shandong_director, child=children[0], data=visit_data(today)
    )
    visit_services.visit_return(
        actor=longsheng_supervisor,
        visit=returned,
        expected_version=returned.version,
        comment="请补充照片",
    )
    return {
        "children": children,
        "open_plan": open_plan,
        "done_plan": done_plan,
        "pending": pending,
        "returned": returned,
    }


def test_every_assignment_fk_is_declared():
    """The FKs to a user that mean "responsible now" are each an Assignment: a new one must
    be added to its app's handover_providers."""
    declared = {(p.queryset().model._meta.label, p.field) for p in caseload.assignments()}
    assert declared == {
        ("children.Child", "responsible_director"),
        ("care.CarePlan", "responsible_user"),
        ("visits.Visit", "created_by"),
    }


def test_a_hand_over_leaves_nothing_on_the_old_account(
    longsheng_supervisor, shandong_director, successor, caseload_of
):
    assert held_by(shandong_director).total == 5  # 2 children, 1 open plan, 2 visits
    handover = caseload_handover(
        actor=longsheng_supervisor,
        from_user=shandong_director,
        to_user=successor,
        note="调离",
    )
    assert held_by(shandong_director).total == 0
    assert held_by(successor).total == 5
    shandong_director.refresh_from_db()
    assert not shandong_director.is_active
    assert orphans() == []
    # History: the finished plan and who visited stay as they were.
    caseload_of["done_plan"].refresh_from_db()
    assert caseload_of["done_plan"].responsible_user == shandong_director
    for visit in Visit.objects.filter(pk__in=[caseload_of["pending"].pk]):
        assert visit.visitor == shandong_director and visit.created_by == successor
    # Audited: the record, and a line in each child's history naming both.
    assert handover.counts["责任儿童"] == 2
    assert handover.counts["关爱方案（责任人账号）"] == 1
    assert handover.counts["待审核/退回的家访记录（填报人）"] == 2
    assert handover.actor == longsheng_supervisor and handover.deactivated
    for child in caseload_of["children"]:
        entry = ChangeLog.objects.get(child=child, action=ChangeAction.HANDOVER)
        assert "新主任" in entry.note and entry.actor == longsheng_supervisor
    # The returned visit is now on the successor's to-do list and theirs to correct.
    assert visit_services.can_edit(successor, Visit.objects.get(pk=caseload_of["returned"].pk))


def test_a_hand_over_is_all_or_nothing(
    longsheng_supervisor, shandong_director, nanmen_director, caseload_of
):
    # 南门村's director cannot see 山东村's children: refused, nothing moved or deactivated.
    with pytest.raises(ValidationError) as caught:
        caseload_handover(
            actor=longsheng_supervisor,
            from_user=shandong_director,
            to_user=nanmen_director,
            note="调离",
        )
    assert "to_user" in caught.value.message_dict
    assert held_by(shandong_director).total == 5
    shandong_director.refresh_from_db()
    assert shandong_director.is_active
    assert not CaseloadHandover.objects.exists()


def test_who_may_hand_over(
    shandong_director,
    nanmen_director,
    pingdeng_supervisor,
    county_staff,
    county_admin,
    successor,
    longsheng_supervisor,
):
    for actor in (nanmen_director, county_staff, pingdeng_supervisor):
        with pytest.raises(PermissionDenied):
            caseload_handover(
                actor=actor, from_user=shandong_director, to_user=successor, note="调离"
            )
    # A supervisor may not hand over another supervisor; the county admin may.
    with pytest.raises(PermissionDenied):
        caseload_handover(
            actor=pingdeng_supervisor,
            from_user=longsheng_supervisor,
            to_user=successor,
            note="调离",
        )
    caseload_handover(
        actor=county_admin, from_user=shandong_director, to_user=successor, note="换届"
    )


def test_the_receiver_must_be_active_and_someone_else(
    longsheng_supervisor, shandong_director, successor
):
    successor.is_active = False
    successor.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        caseload_handover(
            actor=longsheng_supervisor,
            from_user=shandong_director,
            to_user=successor,
            note="调离",
        )
    with pytest.raises(ValidationError):
        caseload_handover(
            actor=longsheng_supervisor,
            from_user=shandong_director,
            to_user=shandong_director,
            note="调离",
        )


def test_the_orphan_check_lists_records_of_an_inactive_account(
    shandong_director, longsheng_supervisor, pingdeng_supervisor, successor, caseload_of
):
    shandong_director.is_active = False
    shandong_director.save(update_fields=["is_active"])
    rows = {(row.kind, row.user.pk): row.count for row in orphans()}
    assert rows == {
        ("责任儿童", shandong_director.pk): 2,
        ("关爱方案（责任人账号）", shandong_director.pk): 1,
        ("待审核/退回的家访记录（填报人）", shandong_director.pk): 2,
    }
    assert orphans(pingdeng_supervisor) == []  # another township's orphans are not shown
    with pytest.raises(CommandError):
        call_command("check_orphans", stdout=io.StringIO())
    # An inactive account's leftovers can still be handed over.
    caseload_handover(
        actor=longsheng_supervisor,
        from_user=shandong_director,
        to_user=successor,
        note="补办移交",
    )
    out = io.StringIO()
    call_command("check_orphans", stdout=out)
    assert "no record" in out.getvalue()


def test_the_pages(
    client_for, longsheng_supervisor, shandong_director, successor, caseload_of, county_admin
):
    client = client_for(longsheng_supervisor)
    page = client.get(reverse("children:handover") + f"?from={shandong_director.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "责任儿童 2" in html
    response = client.post(
        reverse("children:handover"),
        {
            "from_user": shandong_director.pk,
            "to_user": successor.pk,
            "note": "调离",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    assert Child.objects.filter(responsible_director=successor).count() == 2
    assert "新主任" in client.get(reverse("children:handover")).content.decode()
    orphans_page = client_for(county_admin).get(reverse("children:orphans"))
    assert "没有停用账号名下的记录" in orphans_page.content.decode()


def test_a_director_has_no_hand_over_page(client_for, shandong_director):
    assert client_for(shandong_director).get(reverse("children:handover")).status_code == 403
    assert client_for(shandong_director).get(reverse("children:orphans")).status_code == 403


def test_the_receiver_holds_the_same_role(
    longsheng_supervisor, county_admin, shandong_director, caseload_of
):
    with pytest.raises(ValidationError) as caught:
        caseload_handover(
            actor=county_admin,
            from_user=shandong_director,
            to_user=longsheng_supervisor,
            note="调离",
        )
    assert "to_user" in caught.value.message_dict
    assert held_by(shandong_director).total == 5

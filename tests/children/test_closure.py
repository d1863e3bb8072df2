"""Closing a case (结案/销号) through a request the township supervisor approves: the child
stays on the ledger until then; who may ask, approve or return; the trail in the history."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from care import selectors as care_selectors
from children import services_closure as services
from children.models import Child, ClosureRequest
from core.versioning import StaleEdit

pytestmark = pytest.mark.django_db


def ask(actor, child, **kwargs):
    return services.closure_request_create(
        actor=actor,
        child=child,
        reason=kwargs.pop("reason", "moved_out"),
        closed_on=kwargs.pop("closed_on", timezone.localdate() - dt.timedelta(days=1)),
        note=kwargs.pop("note", "随父母迁往柳州"),
    )


def status(child) -> str:
    return Child.objects.get(pk=child.pk).status


def test_a_directors_request_leaves_the_child_open_until_approved(
    shandong_director, longsheng_supervisor, shandong_child
):
    request = ask(shandong_director, shandong_child)
    assert request.status == "pending" and status(shandong_child) == "active"
    # One request at a time.
    with pytest.raises(ValidationError, match="已有待审批的结案申请"):
        ask(shandong_director, shandong_child)
    request = services.closure_request_approve(
        actor=longsheng_supervisor, request=request, expected_version=1, comment="核实无误"
    )
    child = Child.objects.get(pk=shandong_child.pk)
    assert request.status == "approved" and request.decided_by == longsheng_supervisor
    assert child.status == "closed" and child.close_reason == "moved_out"
    assert child.closed_on == request.closed_on
    notes = list(
        shandong_child.change_log.order_by("pk").values_list("record_type", "note", "actor")
    )
    assert notes[-3:] == [
        ("closure_request", "申请结案：迁出本县 随父母迁往柳州", shandong_director.pk),
        ("closure_request", "批准结案申请：核实无误", longsheng_supervisor.pk),
        ("child", "结案：迁出本县 随父母迁往柳州", longsheng_supervisor.pk),
    ]


def test_a_director_cannot_approve(shandong_director, shandong_child):
    request = ask(shandong_director, shandong_child)
    with pytest.raises(PermissionDenied):
        services.closure_request_approve(
            actor=shandong_director, request=request, expected_version=1
        )
    assert status(shandong_child) == "active"


def test_only_the_childs_township_or_the_county_admin_approves(
    shandong_director, pingdeng_supervisor, county_staff, county_admin, shandong_child
):
    request = ask(shandong_director, shandong_child)
    for outsider in (pingdeng_supervisor, county_staff):
        with pytest.raises(PermissionDenied):
            services.closure_request_approve(actor=outsider, request=request, expected_version=1)
    services.closure_request_approve(actor=county_admin, request=request, expected_version=1)
    assert status(shandong_child) == "closed"


def test_returned_with_a_reason_the_child_stays(
    shandong_director, longsheng_supervisor, shandong_child
):
    request = ask(shandong_director, shandong_child)
    with pytest.raises(ValidationError) as exc:
        services.closure_request_return(
            actor=longsheng_supervisor, request=request, expected_version=1, comment=""
        )
    assert exc.value.message_dict["comment"] == ["退回时请填写原因。"]
    services.closure_request_return(
        actor=longsheng_supervisor, request=request, expected_version=1, comment="尚未办理迁出"
    )
    assert status(shandong_child) == "active"
    with pytest.raises(StaleEdit):
        services.closure_request_approve(
            actor=longsheng_supervisor, request=request, expected_version=1
        )
    # A new request may follow.
    assert ask(shandong_director, shandong_child).status == "pending"


def test_a_supervisors_own_request_closes_at_once(longsheng_supervisor, shandong_child):
    request = ask(longsheng_supervisor, shandong_child, reason="improved", note="")
    assert request.status == "approved" and status(shandong_child) == "closed"


def test_other_needs_a_note(shandong_director, shandong_child):
    with pytest.raises(ValidationError) as exc:
        ask(shandong_director, shandong_child, reason="other", note="")
    assert "note" in exc.value.message_dict


def test_the_pages_ask_show_and_decide(
    client_for, shandong_director, longsheng_supervisor, pingdeng_supervisor, shandong_child
):
    director = client_for(shandong_director)
    response = director.post(
        reverse("children:close", args=[shandong_child.pk]),
        {"reason": "moved_out", "closed_on": timezone.localdate().isoformat(), "note": "迁出"},
    )
    assert response.status_code == 302 and status(shandong_child) == "active"
    request = ClosureRequest.objects.get()
    page = director.get(shandong_child.get_absolute_url()).content.decode()
    assert "结案待审批" in page and request.get_absolute_url() in page
    # The director sees the request, without the decision form.
    assert 'id="closure-decision"' not in director.get(request.get_absolute_url()).content.decode()
    assert director.post(request.get_absolute_url(), {"version": 1}).status_code == 403
    # On the supervisor's to-do list, and decided there.
    supervisor = client_for(longsheng_supervisor)
    assert [c.pk for c in care_selectors.closures_awaiting(longsheng_supervisor)] == [request.pk]
    todo = supervisor.get(reverse("care:approvals")).content.decode()
    assert request.get_absolute_url() in todo
    assert client_for(pingdeng_supervisor).get(request.get_absolute_url()).status_code == 404
    supervisor.get(request.get_absolute_url())
    entry = AccessLog.objects.order_by("-pk").first()
    assert entry.user == longsheng_supervisor and entry.target_type == "closurerequest"
    response = supervisor.post(
        request.get_absolute_url(), {"version": 1, "decision": "approve", "comment": ""}
    )
    assert response.status_code == 302 and status(shandong_child) == "closed"
    assert care_selectors.closures_awaiting(longsheng_supervisor).count() == 0

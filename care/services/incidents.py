"""Incidents and mandatory reporting (强制报告, 未成年人保护法 第十一条).

The child's history is shown to every role that sees the child, most of whom may not read an
incident: its entries name the record and which fields changed, never a value (the kind, the
description, the outcome stay in the incident)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from care import choices
from care.models import Incident
from care.services.common import check_child, not_future
from children.choices import ChangeAction
from children.models import Child
from children.services import record_change
from core.permissions import require_perm
from core.versioning import AuditedUpdate, field_labels

RECORD_TYPE = "incident"

INCIDENT_FIELDS = [
    "kind",
    "occurred_on",
    "description",
    "reported_to",
    "reported_on",
    "reported_by_name",
    "reference_number",
    "status",
    "outcome",
]
# Fields set when the report is made; the follow-up (status, outcome, reference) comes later.
CREATE_FIELDS = INCIDENT_FIELDS


def _validate(incident: Incident) -> None:
    for name in ("description", "reported_by_name", "reference_number", "outcome"):
        setattr(incident, name, (getattr(incident, name) or "").strip())
    birth = incident.child.birth_date
    not_future(incident.occurred_on, "occurred_on", _("发生（发现）日期"), birth_date=birth)
    not_future(incident.reported_on, "reported_on", _("报告日期"), birth_date=birth)
    if (
        incident.occurred_on
        and incident.reported_on
        and incident.reported_on < incident.occurred_on
    ):
        raise ValidationError({"reported_on": _("报告日期不能早于发生（发现）日期。")})
    if (
        incident.status
        in (
            choices.IncidentStatus.UNFOUNDED,
            choices.IncidentStatus.RESOLVED,
        )
        and not incident.outcome
    ):
        raise ValidationError({"outcome": _("办结时请填写处理结果。")})
    incident.full_clean(exclude=["version", "created_by", "child"])


@transaction.atomic
def incident_record(*, actor, child: Child, data: dict) -> Incident:
    """Record a mandatory report made for a child (a closed case too: the infringement
    matters whatever the ledger says)."""
    child = check_child(actor, child, perm="care.add_incident", new_record=False)
    incident = Incident(child=child, created_by=actor)
    for name in CREATE_FIELDS:
        if name in data:
            setattr(incident, name, data[name])
    _validate(incident)
    incident.save()
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type=RECORD_TYPE,
        record_id=incident.pk,
        note=_("记录强制报告（详情仅有权限的人员可见）"),
    )
    return incident


@transaction.atomic
def incident_update(*, actor, incident: Incident, expected_version: int, data: dict) -> Incident:
    """Follow a report up (status, reference number, outcome) or correct it."""
    require_perm(actor, "care.change_incident")
    current = (
        Incident.objects.readable_by(actor)
        .select_for_update(of=("self",))
        .select_related("child")
        .filter(pk=incident.pk)
        .first()
    )
    if current is None:
        raise PermissionDenied
    incident = current
    names = [n for n in INCIDENT_FIELDS if n in data]
    update = AuditedUpdate(incident, names)
    for name in names:
        setattr(incident, name, data[name])
    _validate(incident)
    changes = update.changes()
    labels = field_labels(Incident, names)
    changed_fields = [label for name, label in labels.items() if label in changes]
    update.commit(
        changes,
        expected_version=expected_version,
        record=lambda _changes: record_change(
            child=incident.child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type=RECORD_TYPE,
            record_id=incident.pk,
            # Which fields changed, never their values (see the module's docstring).
            note=_("修改强制报告：%(fields)s") % {"fields": "、".join(changed_fields)},
        ),
    )
    return incident

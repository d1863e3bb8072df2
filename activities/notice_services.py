"""Writes of the notice's records (活动方案, 励志故事/榜样, 摸清需求): each checks the actor's
permission and area, validates, claims the version on an edit (of two people saving the
same form, one wins) and writes in one transaction; a need for a ledger child is written to
the child's history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from activities.notice_records import ActivityPlan, NeedFound, RoleModelStory
from activities.services import _check_township, _check_visible
from children.choices import ChangeAction
from children.models import Child
from children.services import record_change
from core.permissions import require_perm
from core.versioning import claim_version

PLAN_FIELDS = ["campaign", "township", "title", "content", "reported_to_party_on", "issues_raised"]
STORY_FIELDS = ["campaign", "township", "title", "role_model", "story", "activity"]
NEED_FIELDS = [
    "campaign", "township", "kind", "description", "child", "group", "found_on", "due_on",
    "resolved_on", "resolution",
]  # fmt: skip


def _save(model, *, actor, record, fields, data, expected_version, check=None):
    perm = "add" if record.pk is None else "change"
    require_perm(actor, f"activities.{perm}_{model._meta.model_name}")
    if record.pk is not None:
        _check_visible(model, actor, record)
        record = model.objects.select_for_update().get(pk=record.pk)
    for name in fields:
        if name in data:
            setattr(record, name, data[name])
    _check_township(actor, record.township)
    if check is not None:
        check(actor, record)
    record.full_clean(exclude=["version"])
    if expected_version is not None:
        claim_version(record, expected_version)
    record.save()
    _check_visible(model, actor, record)
    return record


@transaction.atomic
def plan_save(*, actor, data: dict, plan: ActivityPlan | None = None, expected_version=None):
    """Record or edit the township's 活动方案 (and when it was reported to the 党委政府)."""
    return _save(
        ActivityPlan,
        actor=actor,
        record=plan or ActivityPlan(created_by=actor),
        fields=PLAN_FIELDS,
        data=data,
        expected_version=expected_version,
    )


def _check_story(actor, story: RoleModelStory) -> None:
    activity = story.activity
    if activity is not None and (
        activity.township_id != story.township_id or activity.campaign_id != story.campaign_id
    ):
        raise ValidationError({"activity": _("只能选择本乡镇、本年度的活动。")})


@transaction.atomic
def story_save(*, actor, data: dict, story: RoleModelStory | None = None, expected_version=None):
    """Record or edit a 励志故事/榜样 and the activity it was used in."""
    return _save(
        RoleModelStory,
        actor=actor,
        record=story or RoleModelStory(created_by=actor),
        fields=STORY_FIELDS,
        data=data,
        expected_version=expected_version,
        check=_check_story,
    )


def _check_need(actor, need: NeedFound) -> None:
    errors = {}
    if need.child_id is None and not (need.group or "").strip():
        errors["group"] = _("请选择台账儿童或填写群体。")
    if need.child_id is not None:
        visible = Child.objects.visible_to(actor).filter(pk=need.child_id).first()
        # A township's need is for one of its children; the county's own may be for any.
        elsewhere = (
            visible is not None
            and need.township_id is not None
            and visible.township_id != need.township_id
        )
        if visible is None or elsewhere:
            errors["child"] = _("只能选择本乡镇台账中的儿童。")
    if need.resolved_on is not None and need.resolved_on < need.found_on:
        errors["resolved_on"] = _("解决日期不能早于发现日期。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def need_save(*, actor, data: dict, need: NeedFound | None = None, expected_version=None):
    """Record or edit a need found (急难愁盼): what, for whom, by when, resolved or not."""
    new = need is None
    need = _save(
        NeedFound,
        actor=actor,
        record=need or NeedFound(created_by=actor),
        fields=NEED_FIELDS,
        data=data,
        expected_version=expected_version,
        check=_check_need,
    )
    if need.child_id is not None:
        record_change(
            child=need.child,
            actor=actor,
            action=ChangeAction.RECORD if new else ChangeAction.UPDATE,
            record_type="need",
            record_id=need.pk,
            note=_("摸清需求：%(k)s") % {"k": need.get_kind_display()},
        )
    return need

"""Writes to home visits. Each service checks the actor's permission and area, validates,
writes the record and the child's history entry in one transaction. Views, the admin, the
demo seed and commands call these only."""

from collections.abc import Iterable
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children.choices import CaseStatus, ChangeAction
from children.models import Child, Household
from children.services import record_change
from core.permissions import require_perm
from core.versioning import claim_version, diff, snapshot
from visits.attachments import MAX_ATTACHMENTS_PER_VISIT, CleanImage, clean_image
from visits.choices import Problem, ReviewStatus
from visits.models import Visit, VisitAttachment, VisitProblem, VisitRule, VisitScheduleSetting

RECORD_TYPE = "visit"

# Fields a record or edit form may set. The child, review fields, version and authorship
# are set only by the services, so extra POSTed fields can never reach them.
EDITABLE_FIELDS = [
    "date", "kind", "visitor", "co_visitors", "place",
    "emotion_state", "emotion_note", "study_state", "study_note",
    "life_state", "life_note", "safety_state", "safety_note",
    "guardian_informed", "actions_taken", "follow_up_needed", "follow_up_note",
]  # fmt: skip

STALE_MESSAGE = gettext_lazy(
    "保存失败：在您打开此页面后，该家访记录已被他人修改或审核。您填写的内容仍保留在下方，"
    "请核对当前记录后再保存。"
)


# --- rights --------------------------------------------------------------------------------


def can_review(user, visit: Visit) -> bool:
    """A pending visit may be reviewed by a holder of review_visit in its area, never by the
    person who recorded it. (The caller has fetched the visit from the user's scope.)"""
    return (
        user.has_perm("visits.review_visit")
        and visit.review_status == ReviewStatus.PENDING
        and visit.created_by_id != user.pk
    )


def can_edit(user, visit: Visit) -> bool:
    """Reviewers may correct any visit in their area; everyone else only the visits they
    recorded that are not yet approved (pending, or returned for correction)."""
    if not user.has_perm("visits.change_visit"):
        return False
    if user.has_perm("visits.review_visit"):
        return True
    return visit.created_by_id == user.pk and visit.review_status != ReviewStatus.APPROVED


def can_record(user, child: Child) -> bool:
    return user.has_perm("visits.add_visit") and child.status == CaseStatus.ACTIVE


def _require_visible_child(actor, child: Child) -> Child:
    try:
        return Child.objects.visible_to(actor).get(pk=child.pk)
    except Child.DoesNotExist as exc:
        raise PermissionDenied from exc


def _require_visible_visit(actor, visit: Visit, *, lock: bool = False) -> Visit:
    qs = Visit.objects.visible_to(actor)
    if lock:
        # Lock the visit row only: FOR UPDATE over the scoping join would also lock the
        # child, and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=visit.pk)
    except Visit.DoesNotExist as exc:
        raise PermissionDenied from exc


# --- validation ----------------------------------------------------------------------------


def _check_problems(problems: Iterable[str]) -> set[str]:
    codes = set(problems)
    unknown = codes - set(Problem.values)
    if unknown:
        raise ValidationError({"problems": _("未知的问题类型。")})
    return codes


def _validate(visit: Visit, child: Child, *, actor, check_visitor: bool = True) -> None:
    """``child`` was fetched from the actor's area (directly or through the visit)."""
    # The usual visitor is the actor: known to exist, and just seen to cover the child. Asking
    # the database again for either would cost two queries for answers already known.
    visitor_is_actor = actor.pk is not None and visit.visitor_id == actor.pk
    errors = {}
    today = timezone.localdate()
    if visit.date and visit.date > today:
        errors["date"] = _("走访日期不能晚于今天。")
    elif visit.date and visit.date < child.birth_date:
        errors["date"] = _("走访日期不能早于儿童出生日期。")
    if visit.follow_up_needed and not visit.follow_up_note.strip():
        errors["follow_up_note"] = _("需要跟进时，请填写跟进事项。")
    # Checked when the visitor is chosen, not on every later edit: after a transfer the
    # original visitor no longer covers the child, and the visit still happened.
    if (
        check_visitor
        and visit.visitor_id
        and not visitor_is_actor
        and not Child.objects.visible_to(visit.visitor).filter(pk=child.pk).exists()
    ):
        errors["visitor"] = _("走访人须为该儿童所在辖区的工作人员。")
    if errors:
        raise ValidationError(errors)
    exclude = ["version", "child", "created_by", "reviewer"]
    if visitor_is_actor:
        exclude.append("visitor")
    visit.full_clean(exclude=exclude)


def _set_problems(visit: Visit, codes: set[str], *, existing: set[str] | None = None) -> None:
    """``existing``: the visit's codes when the caller knows them (none for a new visit)."""
    if existing is None:
        existing = set(visit.problems.values_list("code", flat=True))
    visit.problems.filter(code__in=existing - codes).delete()
    VisitProblem.objects.bulk_create(
        [VisitProblem(visit=visit, code=code) for code in sorted(codes - existing)]
    )


def _problems_display(codes: Iterable[str]) -> str:
    order = {code: index for index, code in enumerate(Problem.values)}
    return "、".join(str(Problem(code).label) for code in sorted(codes, key=order.__getitem__))


def _labels(names) -> dict[str, str]:
    return {name: str(Visit._meta.get_field(name).verbose_name) for name in names}


# --- the services --------------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    actor,
    child: Child,
    data: dict,
    problems: Iterable[str] = (),
    attachments: Iterable = (),
    household_note: str = "",
) -> Visit:
    """Record a visit or talk (记录家访). A reviewer's own record is approved on saving; a
    village director's waits for review (待审核). ``household_note`` names the household
    visit it was recorded with (visit_record_household)."""
    if not actor.has_perm("visits.add_visit"):
        raise PermissionDenied
    child = _require_visible_child(actor, child)
    if child.status != CaseStatus.ACTIVE:
        raise ValidationError(_("该儿童已结案，不能新增家访记录。"))
    codes = _check_problems(problems)
    visit = Visit(child=child, created_by=actor, visitor=data.get("visitor") or actor)
    for name in EDITABLE_FIELDS:
        if name in data and name != "visitor":
            setattr(visit, name, data[name])
    if actor.has_perm("visits.review_visit"):
        visit.review_status = ReviewStatus.APPROVED
        visit.reviewer, visit.reviewed_at = actor, timezone.now()
    _validate(visit, child, actor=actor)
    images = _clean_uploads(None, attachments)
    with _files_removed_on_error() as written:
        visit.save()
        _set_problems(visit, codes, existing=set())
        for image in images:
            _store(actor=actor, visit=visit, image=image, written=written)
        summary = [visit.get_kind_display(), visit.date.isoformat()]
        if codes:
            summary.append(_("发现问题：%(p)s") % {"p": _problems_display(codes)})
        if images:
            summary.append(_("附件 %(n)d 张") % {"n": len(images)})
        if household_note:
            summary.append(household_note)
        record_change(
            child=child,
            actor=actor,
            action=ChangeAction.RECORD,
            record_type=RECORD_TYPE,
            record_id=visit.pk,
            note=_("记录家访（%(status)s）：%(summary)s")
            % {"status": visit.get_review_status_display(), "summary": "，".join(summary)},
        )
    return visit


@transaction.atomic
def visit_record_household(
    *, actor, household: Household, children: Iterable[Child], data: dict, problems=()
) -> list[Visit]:
    """Record one home visit for several children of a household (家庭走访), all or none.

    One visit per child, not one visit linked to several: a visit stays one contact with
    one child, so the counting rules hold unchanged — 家访人次 counts visits (a home visit
    seeing three siblings is three 人次, as three contacts), 已访儿童 counts distinct
    children, and each child's next due date, review and history follow from its own visit
    (visits.schedule reads the last visit per child). Each child's history names the
    others seen with it."""
    if not actor.has_perm("visits.add_visit"):
        raise PermissionDenied
    household = Household.objects.visible_to(actor).filter(pk=household.pk).first()
    if household is None:
        raise PermissionDenied
    chosen = sorted({child.pk for child in children})
    if not chosen:
        raise ValidationError({"members": _("请至少选择一名儿童。")})
    members = {
        child.pk: child
        for child in Child.objects.visible_to(actor).filter(
            household=household, status=CaseStatus.ACTIVE, pk__in=chosen
        )
    }
    if len(members) != len(chosen):
        raise ValidationError({"members": _("所选儿童不属于该家庭户，或已结案。")})
    names = "、".join(members[pk].name for pk in chosen)
    note = _("家庭走访（%(household)s：%(names)s）") % {"household": household.name, "names": names}
    return [
        visit_record(
            actor=actor, child=members[pk], data=data, problems=problems, household_note=note
        )
        for pk in chosen
    ]


@transaction.atomic
def visit_update(
    *,
    actor,
    visit: Visit,
    expected_version: int,
    data: dict,
    problems: Iterable[str] | None = None,
    attachments: Iterable = (),
) -> Visit:
    """Correct a visit. Refused with StaleEdit if it was saved or reviewed since the
    form opened. When its author saves a returned visit it is resubmitted (back to 待审核)."""
    visit = _require_visible_visit(actor, visit, lock=True)
    if not can_edit(actor, visit):
        raise PermissionDenied
    child = visit.child
    names = [n for n in EDITABLE_FIELDS if n in data]
    before = snapshot(visit, names)
    old_visitor_id = visit.visitor_id
    old_codes = set(visit.problems.values_list("code", flat=True))
    for name in names:
        setattr(visit, name, data[name])
    codes = old_codes if problems is None else _check_problems(problems)
    _validate(visit, child, actor=actor, check_visitor=visit.visitor_id != old_visitor_id)
    images = _clean_uploads(visit, attachments)
    changes = diff(before, snapshot(visit, names), _labels(names))
    if codes != old_codes:
        changes[str(_("发现的问题"))] = [_problems_display(old_codes), _problems_display(codes)]
    if images:
        changes[str(_("附件"))] = ["", _("新增 %(n)d 张") % {"n": len(images)}]
    # Saving a returned visit is how its author says "corrected": it goes back for review
    # even when the correction was made through the attachments alone.
    resubmit = visit.review_status == ReviewStatus.RETURNED and not actor.has_perm(
        "visits.review_visit"
    )
    if not changes and not resubmit:
        return visit  # nothing changed: keep the version, write nothing
    claim_version(visit, expected_version, message=STALE_MESSAGE)
    if resubmit:
        changes[str(_("审核状态"))] = [
            str(ReviewStatus.RETURNED.label),
            str(ReviewStatus.PENDING.label),
        ]
        visit.review_status = ReviewStatus.PENDING
    with _files_removed_on_error() as written:
        visit.save()
        _set_problems(visit, codes, existing=old_codes)
        for image in images:
            _store(actor=actor, visit=visit, image=image, written=written)
        record_change(
            child=child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type=RECORD_TYPE,
            record_id=visit.pk,
            changes=changes,
            note=_("修改后重新提交审核") if resubmit else _("修改家访记录"),
        )
    return visit


def _review(*, actor, visit: Visit, expected_version: int | None, status: str, comment: str):
    visit = _require_visible_visit(actor, visit, lock=True)
    if not can_review(actor, visit):
        raise PermissionDenied
    # The review form carries the version it showed: approving a record that its author
    # changed meanwhile would approve text the reviewer never read.
    claim_version(visit, expected_version, message=STALE_MESSAGE)
    visit.review_status = status
    visit.reviewer, visit.reviewed_at = actor, timezone.now()
    visit.review_comment = comment
    visit.save(
        update_fields=[
            "review_status",
            "reviewer",
            "reviewed_at",
            "review_comment",
            "version",
            "updated_at",
        ]
    )
    record_change(
        child=visit.child,
        actor=actor,
        action=ChangeAction.UPDATE,
        record_type=RECORD_TYPE,
        record_id=visit.pk,
        changes={
            str(_("审核状态")): [
                str(ReviewStatus.PENDING.label),
                visit.get_review_status_display(),
            ]
        },
        note=_("家访审核：%(status)s。%(comment)s")
        % {"status": visit.get_review_status_display(), "comment": comment},
    )
    return visit


@transaction.atomic
def visit_approve(
    *, actor, visit: Visit, expected_version: int | None = None, comment: str = ""
) -> Visit:
    """Approve a pending visit (审核通过)."""
    return _review(
        actor=actor,
        visit=visit,
        expected_version=expected_version,
        status=ReviewStatus.APPROVED,
        comment=(comment or "").strip(),
    )


@transaction.atomic
def visit_return(
    *, actor, visit: Visit, comment: str, expected_version: int | None = None
) -> Visit:
    """Return a pending visit to its author for correction (退回修改); a comment is required."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("退回时必须填写退回意见。")})
    return _review(
        actor=actor,
        visit=visit,
        expected_version=expected_version,
        status=ReviewStatus.RETURNED,
        comment=comment,
    )


# --- attachments ---------------------------------------------------------------------------


def _clean_uploads(visit: Visit | None, uploads: Iterable) -> list[CleanImage]:
    """Check every upload before anything is written, so one bad file writes nothing."""
    uploads = list(uploads)
    existing = visit.attachments.count() if visit is not None and visit.pk else 0
    if existing + len(uploads) > MAX_ATTACHMENTS_PER_VISIT:
        raise ValidationError(
            {
                "attachments": _("每条家访记录最多上传 %(n)d 张图片。")
                % {"n": MAX_ATTACHMENTS_PER_VISIT}
            }
        )
    images = []
    for upload in uploads:
        try:
            images.append(clean_image(upload))
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from exc
    return images


@contextmanager
def _files_removed_on_error():
    """Files are not transactional: if the service fails after writing some, delete them."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _store(*, actor, visit: Visit, image: CleanImage, written: list[str]) -> VisitAttachment:
    attachment = VisitAttachment(
        visit=visit, content_type=image.content_type, size=len(image.content), uploaded_by=actor
    )
    attachment.file.save(image.random_name(), ContentFile(image.content), save=False)
    written.append(attachment.file.name)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_add(*, actor, visit: Visit, upload) -> VisitAttachment:
    """Add a photo of the signed paper form to a visit the actor may edit."""
    visit = _require_visible_visit(actor, visit, lock=True)
    if not can_edit(actor, visit):
        raise PermissionDenied
    (image,) = _clean_uploads(visit, [upload])
    with _files_removed_on_error() as written:
        visit.version += 1
        visit.save(update_fields=["version", "updated_at"])
        attachment = _store(actor=actor, visit=visit, image=image, written=written)
        record_change(
            child=visit.child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type=RECORD_TYPE,
            record_id=visit.pk,
            changes={str(_("附件")): ["", str(_("新增 1 张"))]},
            note=_("上传家访附件"),
        )
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: VisitAttachment) -> Visit:
    """Remove a wrongly uploaded photo (e.g. of another child's form) from a visit the actor
    may edit. The file goes too: keeping a minor's data by mistake is the greater harm."""
    visit = _require_visible_visit(actor, attachment.visit, lock=True)
    if not can_edit(actor, visit):
        raise PermissionDenied
    name = attachment.file.name
    attachment.delete()
    visit.version += 1
    visit.save(update_fields=["version", "updated_at"])
    record_change(
        child=visit.child,
        actor=actor,
        action=ChangeAction.UPDATE,
        record_type=RECORD_TYPE,
        record_id=visit.pk,
        changes={str(_("附件")): [str(_("删除 1 张")), ""]},
        note=_("删除家访附件"),
    )
    transaction.on_commit(lambda: default_storage.delete(name))
    return visit


# --- the schedule rules --------------------------------------------------------------------


@transaction.atomic
def visit_rule_set(*, actor, risk_level: str, interval_days: int) -> VisitRule:
    """Set the days between visits for one risk level. Nothing is stored per child, so every
    due date follows at once."""
    require_perm(actor, "visits.change_visitrule")
    rule = VisitRule.objects.filter(risk_level=risk_level).first() or VisitRule(
        risk_level=risk_level
    )
    rule.interval_days = interval_days
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def visit_first_visit_days_set(*, actor, working_days: int) -> VisitScheduleSetting:
    """Set how many working days after registration the first visit is due."""
    require_perm(actor, "visits.change_visitrule")
    setting = VisitScheduleSetting.objects.filter(pk=1).first() or VisitScheduleSetting(pk=1)
    setting.first_visit_working_days = working_days
    setting.full_clean()
    setting.save()
    return setting


@transaction.atomic
def visit_rules_update(*, actor, intervals: dict[str, int], first_visit_working_days: int):
    """Set the whole schedule at once (the rules page)."""
    require_perm(actor, "visits.change_visitrule")
    for level, days in intervals.items():
        visit_rule_set(actor=actor, risk_level=level, interval_days=days)
    visit_first_visit_days_set(actor=actor, working_days=first_visit_working_days)

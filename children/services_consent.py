"""Guardians' consent (知情同意): recorded, changed, withdrawn; and the one check that care
records needing consent call before they are written (``consent_refusal``).

个人信息保护法 art. 31: a child under 14's personal information is processed only with the
guardian's consent; from 14 the child may consent. The child's own view is asked from 8
(children/models/consent.py says why). A screening needs a given screening consent; a
referral needs a given consent to share information with the institution it names.
Withdrawing consent stops new records at once; what was recorded before stays (the history
keeps what was done and when)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from children.choices import ChangeAction, ChildAssent, ConsentKind, ConsentSigner, ConsentStatus
from children.models import Child, Consent
from children.models.consent import GUARDIAN_CONSENT_AGE, assent_needed
from children.services import record_change
from core.images import clean_image
from core.permissions import require_perm
from core.validators import check_record_date, years_between
from core.versioning import AuditedUpdate, StaleEdit, claim_version

RECORD_TYPE = "consent"
# Fields a form may set; the child, version, scan and withdrawal are set by the services.
CONSENT_FIELDS = [
    "kind",
    "recipient",
    "status",
    "signed_on",
    "signer_name",
    "signer_relation",
    "child_assent",
    "note",
]
EDIT_FIELDS = [n for n in CONSENT_FIELDS if n not in ("kind", "recipient")]


def normalize_recipient(name: str) -> str:
    """Institution names are compared as written on the form, without stray spaces."""
    return " ".join((name or "").split())


# --- the check care records call -----------------------------------------------------------


def consent_refusal(child: Child, kind: str, *, on: dt.date, recipient: str = "") -> str | None:
    """None when the consent ``kind`` (for ``recipient`` when sharing) allows a record dated
    ``on``; otherwise the reason in Chinese, to show on the form."""
    recipient = normalize_recipient(recipient)
    consent = Consent.objects.filter(child=child, kind=kind, recipient=recipient).first()
    what = (
        _("心理健康测评")
        if kind == ConsentKind.SCREENING
        else _("向「%(r)s」提供儿童信息") % {"r": recipient}
    )
    if consent is None:
        return _(
            "尚未登记监护人对%(what)s的知情同意（个人信息保护法第三十一条：未满十四周岁儿童的"
            "个人信息须经监护人同意）。请先在儿童页面登记签字的同意书。"
        ) % {"what": what}
    if consent.status == ConsentStatus.WITHDRAWN:
        return _("监护人已于 %(date)s 撤回对%(what)s的同意，不能再新增。") % {
            "date": consent.withdrawn_on.isoformat(),
            "what": what,
        }
    if consent.status == ConsentStatus.REFUSED:
        return _("监护人不同意%(what)s（%(date)s 签署）。") % {
            "what": what,
            "date": consent.signed_on.isoformat(),
        }
    if consent.child_assent == ChildAssent.REFUSED:
        return _("儿童本人不同意%(what)s。") % {"what": what}
    if on < consent.signed_on:
        return _("监护人于 %(date)s 才签署同意书，不能记录此前的%(what)s。") % {
            "date": consent.signed_on.isoformat(),
            "what": what,
        }
    return None


def child_consents(child: Child):
    return Consent.objects.filter(child=child).order_by("kind", "recipient", "pk")


# --- validation ----------------------------------------------------------------------------


def _validate(consent: Consent) -> None:
    child = consent.child
    consent.recipient = normalize_recipient(consent.recipient)
    consent.signer_name = (consent.signer_name or "").strip()
    errors: dict[str, str] = {}
    if consent.kind == ConsentKind.SHARING and not consent.recipient:
        errors["recipient"] = _("请填写接收信息的学校或机构名称（与同意书一致）。")
    if consent.kind == ConsentKind.SCREENING:
        consent.recipient = ""
    check_record_date(
        consent.signed_on, field="signed_on", label=_("签署日期"), birth_date=child.birth_date
    )
    age = years_between(child.birth_date, consent.signed_on)
    if consent.signer_relation == ConsentSigner.SELF and age < GUARDIAN_CONSENT_AGE:
        errors["signer_relation"] = _(
            "未满十四周岁儿童的个人信息须由监护人同意（个人信息保护法第三十一条），"
            "儿童本人不能代替监护人签署。"
        )
    if assent_needed(child.birth_date, consent.signed_on) and not consent.child_assent:
        errors["child_assent"] = _("儿童已满八周岁，请记录儿童本人的意见。")
    if errors:
        raise ValidationError(errors)
    duplicate = (
        Consent.objects.filter(child=child, kind=consent.kind, recipient=consent.recipient)
        .exclude(pk=consent.pk)
        .exists()
    )
    if duplicate:
        raise ValidationError({"kind": _("该儿童已登记过这一事项的同意书，请修改原记录。")})
    consent.full_clean(exclude=["version", "created_by", "scan"], validate_unique=False)


def _store_scan(consent: Consent, upload, written: list[str]) -> None:
    try:
        image = clean_image(upload)
    except ValidationError as exc:
        raise ValidationError({"scan": exc.messages}) from exc
    consent.scan.save(image.random_name(), ContentFile(image.content), save=False)
    consent.scan_content_type = image.content_type
    written.append(consent.scan.name)


def _visible_child(actor, child: Child) -> Child:
    child = Child.objects.visible_to(actor).filter(pk=child.pk).first()
    if child is None:
        raise PermissionDenied
    return child


def _status_note(consent: Consent) -> str:
    parts = [str(consent), consent.signed_on.isoformat(), consent.signer_name]
    if consent.child_assent:
        parts.append(consent.get_child_assent_display())
    return "，".join(parts)


# --- the services --------------------------------------------------------------------------


@transaction.atomic
def consent_record(*, actor, child: Child, data: dict, scan=None) -> Consent:
    """Record a signed consent form (登记知情同意书), with its photo when given."""
    require_perm(actor, "children.add_consent")
    child = _visible_child(actor, child)
    consent = Consent(child=child, created_by=actor)
    for name in CONSENT_FIELDS:
        if name in data:
            setattr(consent, name, data[name] if data[name] is not None else "")
    if consent.status == ConsentStatus.WITHDRAWN:
        raise ValidationError({"status": _("撤回同意请在原同意书记录上操作。")})
    _validate(consent)
    written: list[str] = []
    try:
        if scan:
            _store_scan(consent, scan, written)
        consent.save()
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type=RECORD_TYPE,
        record_id=consent.pk,
        note=_("登记知情同意：%(s)s") % {"s": _status_note(consent)},
    )
    return consent


@transaction.atomic
def consent_update(
    *, actor, consent: Consent, expected_version: int, data: dict, scan=None
) -> Consent:
    """Correct a consent record or record a new decision (e.g. given again after a
    withdrawal, on a newly signed form). Optimistic lock."""
    require_perm(actor, "children.change_consent")
    consent = (
        Consent.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("child")
        .filter(pk=consent.pk)
        .first()
    )
    if consent is None:
        raise PermissionDenied
    if consent.version != expected_version:
        raise StaleEdit(consent)
    names = [n for n in EDIT_FIELDS if n in data]
    update = AuditedUpdate(consent, [*names, "withdrawn_on"])
    was_withdrawn = consent.status == ConsentStatus.WITHDRAWN
    for name in names:
        setattr(consent, name, data[name] if data[name] is not None else "")
    if consent.status == ConsentStatus.WITHDRAWN and not was_withdrawn:
        raise ValidationError({"status": _("撤回同意请使用“撤回同意”。")})
    if consent.status != ConsentStatus.WITHDRAWN:
        consent.withdrawn_on = None  # a new decision on a newly signed form
    _validate(consent)
    changes = update.changes()
    old_scan = consent.scan.name if scan else ""
    written: list[str] = []
    if scan:
        changes[str(_("同意书照片"))] = ["", str(_("已上传"))]

    def save():
        try:
            if scan:
                _store_scan(consent, scan, written)
            consent.save()
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
        if old_scan:
            transaction.on_commit(lambda: default_storage.delete(old_scan))

    update.commit(
        changes,
        expected_version=expected_version,
        save=save,
        record=lambda changes: record_change(
            child=consent.child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type=RECORD_TYPE,
            record_id=consent.pk,
            changes=changes,
            note=_("修改知情同意：%(s)s") % {"s": str(consent)},
        ),
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor, consent: Consent, expected_version: int, withdrawn_on: dt.date, note: str = ""
) -> Consent:
    """The guardian withdraws consent (撤回同意): no new screening (or referral to the
    named institution) from now on; the child page shows it."""
    require_perm(actor, "children.change_consent")
    consent = (
        Consent.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("child")
        .filter(pk=consent.pk)
        .first()
    )
    if consent is None:
        raise PermissionDenied
    if consent.version != expected_version:
        raise StaleEdit(consent)
    if consent.status != ConsentStatus.GIVEN:
        raise ValidationError(_("只有已同意的事项可以撤回。"))
    check_record_date(
        withdrawn_on, field="withdrawn_on", label=_("撤回日期"), birth_date=consent.child.birth_date
    )
    if withdrawn_on < consent.signed_on:
        raise ValidationError({"withdrawn_on": _("撤回日期不能早于签署日期。")})
    consent.status, consent.withdrawn_on = ConsentStatus.WITHDRAWN, withdrawn_on
    note = (note or "").strip()
    if note:
        consent.note = note[:200]
    claim_version(consent, expected_version)
    consent.save()
    record_change(
        child=consent.child,
        actor=actor,
        action=ChangeAction.UPDATE,
        record_type=RECORD_TYPE,
        record_id=consent.pk,
        changes={
            str(_("监护人意见")): [
                str(ConsentStatus.GIVEN.label),
                str(ConsentStatus.WITHDRAWN.label),
            ]
        },
        note=_("撤回知情同意：%(s)s（%(d)s）%(n)s")
        % {"s": consent.get_kind_display(), "d": withdrawn_on.isoformat(), "n": note},
    )
    return consent

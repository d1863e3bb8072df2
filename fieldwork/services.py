"""Writing what a device queued offline (同步). Each entry goes through the same form and the
same service as its online page, so every rule is checked again at sync; a new record is
written exactly once per idempotency key (``SyncReceipt``'s unique key), and an offline edit
of a visit is merged field by field (``fieldwork.merge``), never silently overwriting.

The caller (the sync view) has already read the entry's child, pairing or visit from the
actor's area (404 outside it)."""

import base64
import binascii
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.datastructures import MultiValueDict
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from care import services as care_services
from care.forms import FollowUpForm, ScreeningAnswersForm
from care.screening import get_instrument
from children.choices import ChangeAction
from children.services import record_change
from core.permissions import require_perm
from core.versioning import StaleEdit
from fieldwork import merge
from fieldwork.apps import WORK_OFFLINE
from fieldwork.choices import EntryKind
from fieldwork.models import SyncReceipt
from fieldwork.selectors import visit_values
from visits import services as visit_services
from visits.forms import VisitForm
from visits.models import Visit

# A photo arrives resized on the device (a JPEG data URL); more than this is not a photo.
MAX_PHOTO_CHARS = 8 * 1024 * 1024
PHOTO_PREFIXES = {
    "data:image/jpeg;base64,": ("image/jpeg", "jpg"),
    "data:image/png;base64,": ("image/png", "png"),
    "data:image/webp;base64,": ("image/webp", "webp"),
}
VISIT_EDIT_FIELDS = [name for name in visit_services.EDITABLE_FIELDS if name != "visitor"]


class Refused(Exception):
    """The server will not write the entry; the device keeps it with this message."""

    def __init__(self, message: str = "", errors: dict | None = None):
        self.errors = {k: [str(m) for m in v] for k, v in (errors or {}).items()}
        first = next((m for msgs in self.errors.values() for m in msgs), "")
        self.message = str(message or first or _("同步失败：内容未通过检查，请修改后重新同步。"))
        super().__init__(self.message)


class Conflict(Exception):
    """Fields both the device and the server changed: the person must choose."""

    def __init__(self, fields: list[dict], version: int, current: dict):
        super().__init__("conflict")
        self.fields, self.version, self.current = fields, version, current


@dataclass
class SyncResult:
    key: str
    status: str  # created, duplicate, updated, unchanged, conflict, refused
    record_type: str = ""
    record_id: int | None = None
    url: str = ""
    message: str = ""
    errors: dict = field(default_factory=dict)
    conflicts: list = field(default_factory=list)
    version: int | None = None
    current: dict | None = None
    forbidden: bool = False  # refused for want of a right (answered 403, hence logged)

    def as_json(self) -> dict:
        return {
            k: v
            for k, v in self.__dict__.items()
            if k != "forbidden" and v not in (None, "", [], {})
        }

    @property
    def http_status(self) -> int:
        return {
            "created": 201,
            "conflict": 409,
            "refused": 403 if self.forbidden else 422,
        }.get(self.status, 200)


# --- reading an entry ----------------------------------------------------------------------


def entry_key(entry: dict) -> str:
    try:
        return str(uuid.UUID(str(entry.get("key", ""))))
    except ValueError as exc:
        raise Refused(_("同步条目缺少有效的编号，请删除后重新填写。")) from exc


def entry_kind(entry: dict) -> str:
    kind = entry.get("kind")
    if kind not in EntryKind.values:
        raise Refused(_("无法识别的离线记录类型。"))
    return kind


def _form_data(values: dict) -> MultiValueDict:
    """JSON values as a submitted form: lists are multiple values, True is a ticked box."""
    data = MultiValueDict()
    for name, value in values.items():
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        elif value is True:
            data[name] = "on"
        elif value is False or value is None:
            continue
        else:
            data[name] = str(value)
    return data


def _photos(entry: dict) -> list[SimpleUploadedFile]:
    photos = entry.get("photos") or []
    if not isinstance(photos, list):
        raise Refused(errors={"attachments": [_("照片数据无效，请重新拍摄。")]})
    files = []
    for index, text in enumerate(photos, start=1):
        prefix = next((p for p in PHOTO_PREFIXES if str(text).startswith(p)), None)
        if prefix is None or len(text) > MAX_PHOTO_CHARS:
            raise Refused(errors={"attachments": [_("照片数据无效，请重新拍摄。")]})
        content_type, extension = PHOTO_PREFIXES[prefix]
        try:
            content = base64.b64decode(text[len(prefix) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Refused(errors={"attachments": [_("照片数据无效，请重新拍摄。")]}) from exc
        files.append(SimpleUploadedFile(f"photo{index}.{extension}", content, content_type))
    return files


def _form_errors(form) -> Refused:
    return Refused(errors={name: list(errors) for name, errors in form.errors.items()})


def _validation(exc: ValidationError) -> Refused:
    if hasattr(exc, "error_dict"):
        return Refused(errors=exc.message_dict)
    return Refused(" ".join(exc.messages))


# --- the writers ---------------------------------------------------------------------------


def _write_visit(*, actor, entry: dict, child):
    values = dict(entry.get("data") or {})
    values.setdefault("visitor", actor.pk)
    form = VisitForm(
        data=_form_data(values),
        files=MultiValueDict({"attachments": _photos(entry)}),
        user=actor,
        child=child,
    )
    if not form.is_valid():
        raise _form_errors(form)
    return visit_services.visit_record(
        actor=actor,
        child=child,
        data=form.visit_data(),
        problems=form.cleaned_data["problems"],
        attachments=form.cleaned_data["attachments"],
    )


def _write_screening(*, actor, entry: dict, child):
    values = dict(entry.get("data") or {})
    code = str(values.get("instrument", ""))
    if not care_services.instrument_enabled(code):
        raise Refused(errors={"instrument": [_("该量表未启用。")]})
    answers = values.pop("answers", None) or {}
    if not isinstance(answers, dict):
        raise Refused(_("答案无法计分，请检查后重新提交。"))
    values.update({f"item_{number}": value for number, value in answers.items()})
    form = ScreeningAnswersForm(data=_form_data(values), instrument=get_instrument(code))
    if not form.is_valid():
        raise _form_errors(form)
    return care_services.screening_record(
        actor=actor,
        child=child,
        instrument=code,
        respondent=form.cleaned_data["respondent"],
        screened_on=form.cleaned_data["screened_on"],
        answers=form.answers(),
    )


def _write_follow_up(*, actor, entry: dict, pairing):
    values = dict(entry.get("data") or {})
    form = FollowUpForm(data=_form_data(values), user=actor, pairing=pairing)
    if not form.is_valid():
        raise _form_errors(form)
    return care_services.follow_up_record(actor=actor, pairing=pairing, **form.cleaned_data)


def _display(name: str, value) -> str:
    """A value as the visit page shows it, for the side-by-side choice."""
    if value in (None, ""):
        return ""
    model_field = Visit._meta.get_field(name)
    if isinstance(value, bool) or model_field.get_internal_type() == "BooleanField":
        return str(_("是") if value else _("否"))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _write_visit_edit(*, actor, entry: dict, visit: Visit):
    if not visit_services.can_edit(actor, visit):
        raise Refused(_("该家访记录已审核通过或您已无权修改，离线修改无法同步。"))
    base = entry.get("base") or {}
    mine = {k: v for k, v in (entry.get("data") or {}).items() if k in VISIT_EDIT_FIELDS}
    theirs = visit_values(visit)
    # A person's choice holds for the version they were shown, not for a later change.
    choices = entry.get("choices") if entry.get("choices_version") == visit.version else None
    plan = merge.plan_merge(base=base, mine=mine, theirs=theirs, choices=choices)
    labels = {name: str(Visit._meta.get_field(name).verbose_name) for name in theirs}
    if plan.conflicts:
        raise Conflict(
            [
                {
                    "field": name,
                    "label": labels[name],
                    "mine": mine[name],
                    "theirs": theirs[name],
                    "mine_display": _display(name, mine[name]),
                    "theirs_display": _display(name, theirs[name]),
                    "base_display": _display(name, base.get(name)),
                }
                for name in plan.conflicts
            ],
            visit.version,
            theirs,
        )
    if not plan.apply:
        return visit, False
    values = {**theirs, **plan.apply, "visitor": visit.visitor_id}
    values["problems"] = list(visit.problems.values_list("code", flat=True))
    form = VisitForm(data=_form_data(values), instance=visit, user=actor, child=visit.child)
    if not form.is_valid():
        raise _form_errors(form)
    expected = visit.version
    try:
        visit = visit_services.visit_update(
            actor=actor, visit=visit, expected_version=expected, data=form.visit_data()
        )
    except StaleEdit as exc:
        raise Refused(_("同步时该记录又被修改，请再同步一次。")) from exc
    if plan.server_changed:
        parts = []
        if plan.took_mine:
            parts.append(
                _("采用本机填写：%(f)s") % {"f": "、".join(labels[n] for n in plan.took_mine)}
            )
        if plan.kept_theirs:
            parts.append(
                _("保留服务器上的内容：%(f)s")
                % {"f": "、".join(labels[n] for n in plan.kept_theirs)}
            )
        if plan.merged_theirs:
            parts.append(
                _("他人修改已保留：%(f)s") % {"f": "、".join(labels[n] for n in plan.merged_theirs)}
            )
        record_change(
            child=visit.child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type=visit_services.RECORD_TYPE,
            record_id=visit.pk,
            note=_("离线修改同步后逐项合并。%(parts)s") % {"parts": "；".join(parts)},
        )
    return visit, True


# --- the one entry point -------------------------------------------------------------------


def _queued_at(entry: dict):
    value = entry.get("queued_at")
    parsed = parse_datetime(str(value)) if value else None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _duplicate(receipt: SyncReceipt, key: str, actor) -> SyncResult:
    if receipt.user_id != actor.pk:
        return SyncResult(key, "refused", message=_("该条目编号已被使用，请删除后重新填写。"))
    return SyncResult(
        key, "duplicate", record_type=receipt.record_type, record_id=receipt.record_id
    )


def _receipt(key: str) -> SyncReceipt | None:
    return SyncReceipt.objects.filter(key=key).first()


@transaction.atomic
def _sync(*, actor, entry: dict, key: str, kind: str, target) -> SyncResult:
    existing = _receipt(key)
    if existing is not None:
        return _duplicate(existing, key, actor)
    try:
        with transaction.atomic():
            receipt = SyncReceipt.objects.create(
                key=key, user=actor, kind=kind, record_type=kind, queued_at=_queued_at(entry)
            )
    except IntegrityError:
        # The same entry, sent twice at once: the other request holds (or wrote) it.
        return _duplicate(SyncReceipt.objects.get(key=key), key, actor)
    status = "created"
    if kind == EntryKind.VISIT:
        record = _write_visit(actor=actor, entry=entry, child=target)
        record_type = "visit"
    elif kind == EntryKind.SCREENING:
        record = _write_screening(actor=actor, entry=entry, child=target)
        record_type = "screening"
    elif kind == EntryKind.FOLLOW_UP:
        record = _write_follow_up(actor=actor, entry=entry, pairing=target)
        record_type = "follow_up"
    else:
        record, changed = _write_visit_edit(actor=actor, entry=entry, visit=target)
        record_type, status = "visit", "updated" if changed else "unchanged"
    receipt.record_type, receipt.record_id = record_type, record.pk
    receipt.save(update_fields=["record_type", "record_id"])
    url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    return SyncResult(
        key,
        status,
        record_type=record_type,
        record_id=record.pk,
        url=url,
        version=getattr(record, "version", None),
    )


def sync_entry(*, actor, entry: dict, target) -> SyncResult:
    """Write one queued entry (``target``: its child, pairing or visit, read from the
    actor's area). Refusals and conflicts write nothing, not even the receipt, so the
    entry can be corrected (or the conflict decided) and sent again with the same key."""
    require_perm(actor, WORK_OFFLINE)
    try:
        key = entry_key(entry)
        kind = entry_kind(entry)
    except Refused as exc:
        return SyncResult(str(entry.get("key", ""))[:40], "refused", message=exc.message)
    try:
        return _sync(actor=actor, entry=entry, key=key, kind=kind, target=target)
    except Refused as exc:
        return SyncResult(key, "refused", message=exc.message, errors=exc.errors)
    except ValidationError as exc:
        refused = _validation(exc)
        return SyncResult(key, "refused", message=refused.message, errors=refused.errors)
    except PermissionDenied:
        return SyncResult(key, "refused", message=_("您没有权限提交这类记录。"), forbidden=True)
    except Conflict as exc:
        return SyncResult(
            key,
            "conflict",
            message=_("该记录在您离线期间已被他人修改，请逐项选择保留哪一方的内容。"),
            conflicts=exc.fields,
            version=exc.version,
            current=exc.current,
        )


def target_kind(kind: str) -> str:
    """Which record an entry of ``kind`` names: child, pairing or visit."""
    return {
        EntryKind.VISIT: "child",
        EntryKind.SCREENING: "child",
        EntryKind.FOLLOW_UP: "pairing",
        EntryKind.VISIT_EDIT: "visit",
    }[kind]


__all__ = ["Refused", "SyncResult", "entry_kind", "sync_entry", "target_kind"]

"""Writes of the activities app. Each service checks the actor's permission and area,
validates, writes and records history in one transaction. Views, the demo and commands call
these only.

Participants and children served are chosen by the actor, so every child id is checked
against ``Child.objects.visible_to(actor)`` here, whatever the form already checked: a crafted
POST naming another township's child is refused and nothing is written.

Why one module of ~500 lines: campaigns, partners, activities, purchased services and
trainings are the five records of one form (the campaign's work the township report counts),
sharing the township and children checks at the top. Its next cut is a package by record,
as care/services/ is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.scoping import can_see_area, is_county_wide
from activities.credit_code import normalize_credit_code
from activities.models import (
    Activity,
    ActivityChannel,
    ActivityFormat,
    ActivityLeader,
    ActivityPhoto,
    Campaign,
    Participation,
    PartnerOrganisation,
    PurchasedService,
    Training,
    default_report_deadline,
)
from activities.photos import process_photo
from activities.selectors import training_attendee_choices
from children.choices import ChangeAction
from children.models import Child
from children.services import record_change
from core.permissions import require_perm
from core.validators import normalize_phone, validate_phone
from core.versioning import StaleEdit, claim_version

CHILD_OUTSIDE_AREA = gettext_lazy("所选儿童不存在或不在您的管辖范围内。")
USER_OUTSIDE_AREA = gettext_lazy("所选参训人员不存在或不在您的管辖范围内。")

CAMPAIGN_FIELDS = ["year", "theme", "start_date", "end_date", "report_deadline"]
PARTNER_FIELDS = [
    "name", "kind", "credit_code", "contact_person", "contact_phone", "address", "note",
]  # fmt: skip
ACTIVITY_FIELDS = [
    "campaign", "township", "title", "start_date", "end_date", "place", "organiser",
    "brand", "featured_practice", "innovative_practice", "effect",
    "guardians_count", "other_children_count", "teachers_count", "public_count",
    "volunteers_count",
]  # fmt: skip
SERVICE_FIELDS = [
    "campaign", "township", "organisation", "content", "start_date", "end_date", "amount",
    "other_children_count",
]  # fmt: skip
TRAINING_FIELDS = [
    "campaign", "township", "kind", "date", "topic", "trainer", "hours", "place",
]  # fmt: skip
TRAINING_COUNTS = {
    "supervisors_count": Role.TOWNSHIP_SUPERVISOR,
    "directors_count": Role.VILLAGE_DIRECTOR,
}


@dataclass(frozen=True)
class LeaderData:
    name: str
    post: str
    level: str


@dataclass(frozen=True)
class ChannelData:
    channel: str
    link: str = ""


# --- checks ---------------------------------------------------------------------------------


def _check_township(actor, township) -> None:
    """A county-level record (no township) is for county roles; a township record must lie
    in the actor's area."""
    if township is None:
        if not is_county_wide(actor):
            raise ValidationError({"township": _("请选择乡镇。")})
        return
    if is_county_wide(actor):
        return
    if actor.role == Role.TOWNSHIP_SUPERVISOR and can_see_area(actor, township_id=township.pk):
        return
    raise ValidationError({"township": _("只能为本乡镇登记。")})


def _check_visible(model, actor, obj) -> None:
    if not model.objects.visible_to(actor).filter(pk=obj.pk).exists():
        raise PermissionDenied


def _visible_child_ids(actor, ids: set[int]) -> set[int]:
    return set(Child.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))


def _check_children(actor, children: Iterable, field: str = "children") -> set[int]:
    ids = {child if isinstance(child, int) else child.pk for child in children}
    if ids - _visible_child_ids(actor, ids):
        raise ValidationError({field: CHILD_OUTSIDE_AREA})
    return ids


def _assign(obj, names: list[str], data: dict) -> None:
    for name in names:
        if name in data:
            setattr(obj, name, data[name])


# --- campaigns ------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, actor, data: dict) -> Campaign:
    """Create a year's campaign (county admin). The deadline defaults to June 4 of the year."""
    require_perm(actor, "activities.add_campaign")
    campaign = Campaign(created_by=actor)
    _assign(campaign, CAMPAIGN_FIELDS, data)
    if not campaign.report_deadline and campaign.year:
        campaign.report_deadline = default_report_deadline(campaign.year)
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, data: dict) -> Campaign:
    require_perm(actor, "activities.change_campaign")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _assign(campaign, CAMPAIGN_FIELDS, data)
    if not campaign.report_deadline and campaign.year:
        campaign.report_deadline = default_report_deadline(campaign.year)
    campaign.full_clean()
    campaign.save()
    return campaign


# --- partner organisations ------------------------------------------------------------------


def _prepare_partner(partner: PartnerOrganisation) -> None:
    partner.credit_code = normalize_credit_code(partner.credit_code)
    partner.name = partner.name.strip()
    if partner.contact_phone:
        # The ledger's one phone rule (mobile or 区号-号码).
        try:
            validate_phone(partner.contact_phone)
        except ValidationError as exc:
            raise ValidationError({"contact_phone": exc.messages}) from exc
        partner.contact_phone = normalize_phone(partner.contact_phone)
    # The unique constraint's own message names the constraint and no field; and the
    # partner holding the code may be another township's, so it is not named either.
    if (
        partner.credit_code
        and PartnerOrganisation.objects.filter(credit_code=partner.credit_code)
        .exclude(pk=partner.pk)
        .exists()
    ):
        raise ValidationError({"credit_code": _("该统一社会信用代码已登记。")})
    partner.full_clean(exclude=["version"])


@transaction.atomic
def partner_create(*, actor, data: dict) -> PartnerOrganisation:
    """Register a partner; it belongs to the actor's township (or the county)."""
    require_perm(actor, "activities.add_partnerorganisation")
    township = None if is_county_wide(actor) else actor.township
    if township is None and not is_county_wide(actor):
        raise PermissionDenied
    partner = PartnerOrganisation(created_by=actor, township=township)
    _assign(partner, PARTNER_FIELDS, data)
    _prepare_partner(partner)
    partner.save()
    return partner


@transaction.atomic
def partner_update(
    *, actor, partner: PartnerOrganisation, expected_version: int, data: dict
) -> PartnerOrganisation:
    require_perm(actor, "activities.change_partnerorganisation")
    _check_visible(PartnerOrganisation, actor, partner)
    partner = PartnerOrganisation.objects.select_for_update().get(pk=partner.pk)
    _assign(partner, PARTNER_FIELDS, data)
    _prepare_partner(partner)
    claim_version(partner, expected_version)
    partner.save()
    return partner


# --- activities -----------------------------------------------------------------------------


def _validate_activity(actor, activity: Activity, formats: Iterable[str]) -> list[str]:
    _check_township(actor, activity.township)
    activity.full_clean(exclude=["version"])
    formats = sorted(set(formats))
    if not formats:
        raise ValidationError({"formats": _("请至少选择一种活动形式。")})
    return formats


def _set_formats(activity: Activity, formats: list[str]) -> None:
    ActivityFormat.objects.filter(activity=activity).exclude(code__in=formats).delete()
    existing = set(ActivityFormat.objects.filter(activity=activity).values_list("code", flat=True))
    ActivityFormat.objects.bulk_create(
        [ActivityFormat(activity=activity, code=code) for code in formats if code not in existing]
    )


def _set_rows(activity: Activity, model, rows: list) -> None:
    """Leaders and channels have no identity beyond their content: replace them."""
    model.objects.filter(activity=activity).delete()
    objects = []
    for row in rows:
        obj = model(activity=activity, **vars(row))
        obj.full_clean(exclude=["activity"])
        objects.append(obj)
    model.objects.bulk_create(objects)


def _participation_note(activity: Activity) -> str:
    return _("参加活动：%(title)s（%(date)s）") % {
        "title": activity.title,
        "date": activity.start_date.isoformat(),
    }


def _set_participants(actor, activity: Activity, child_ids: set[int]) -> None:
    """Make the activity's participants ``child_ids``, keeping those the actor cannot see
    (a child since moved to another township stays on the list; the actor never saw it)."""
    existing = set(
        Participation.objects.filter(activity=activity).values_list("child_id", flat=True)
    )
    hidden = existing - _visible_child_ids(actor, existing) if existing else set()
    wanted = child_ids | hidden
    added, removed = wanted - existing, existing - wanted
    if removed:
        Participation.objects.filter(activity=activity, child_id__in=removed).delete()
    Participation.objects.bulk_create(
        [Participation(activity=activity, child_id=pk, added_by=actor) for pk in sorted(added)]
    )
    if not (added or removed):
        return
    children = Child.objects.in_bulk(added | removed)
    for pk in sorted(added):
        record_change(
            child=children[pk],
            actor=actor,
            action=ChangeAction.RECORD,
            record_type="activity",
            record_id=activity.pk,
            note=_participation_note(activity),
        )
    for pk in sorted(removed):
        record_change(
            child=children[pk],
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type="activity",
            record_id=activity.pk,
            note=_("移出活动参与名单：%(title)s") % {"title": activity.title},
        )


@transaction.atomic
def activity_create(
    *,
    actor,
    data: dict,
    formats: Iterable[str],
    leaders: Iterable[LeaderData] = (),
    channels: Iterable[ChannelData] = (),
    partners: Iterable[PartnerOrganisation] = (),
    children: Iterable = (),
) -> Activity:
    """Record an activity with its forms, leaders, channels, partners and participants."""
    require_perm(actor, "activities.add_activity")
    activity = Activity(created_by=actor)
    _assign(activity, ACTIVITY_FIELDS, data)
    formats = _validate_activity(actor, activity, formats)
    child_ids = _check_children(actor, children)
    activity.save()
    _set_formats(activity, formats)
    _set_rows(activity, ActivityLeader, list(leaders))
    _set_rows(activity, ActivityChannel, list(channels))
    activity.partners.set(list(partners))
    _set_participants(actor, activity, child_ids)
    _check_visible(Activity, actor, activity)
    return activity


@transaction.atomic
def activity_update(
    *,
    actor,
    activity: Activity,
    expected_version: int,
    data: dict,
    formats: Iterable[str],
    leaders: Iterable[LeaderData] = (),
    channels: Iterable[ChannelData] = (),
    partners: Iterable[PartnerOrganisation] = (),
    children: Iterable = (),
) -> Activity:
    """Edit an activity. Refused with StaleEdit if someone saved since the form opened."""
    require_perm(actor, "activities.change_activity")
    _check_visible(Activity, actor, activity)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _assign(activity, ACTIVITY_FIELDS, data)
    formats = _validate_activity(actor, activity, formats)
    child_ids = _check_children(actor, children)
    claim_version(activity, expected_version)
    activity.save()
    _set_formats(activity, formats)
    _set_rows(activity, ActivityLeader, list(leaders))
    _set_rows(activity, ActivityChannel, list(channels))
    activity.partners.set(list(partners))
    _set_participants(actor, activity, child_ids)
    _check_visible(Activity, actor, activity)
    return activity


def activity_photos_add(
    *, actor, activity: Activity, files: Iterable[tuple[str, bytes]], caption: str = ""
) -> list[ActivityPhoto]:
    """Add photos: each verified to be a JPEG/PNG/WebP image of at most 5 MB, re-encoded
    without metadata, with a thumbnail. All or nothing: one refused file (ValidationError
    with a Chinese message naming it) writes none of them."""
    require_perm(actor, "activities.add_activityphoto")
    _check_visible(Activity, actor, activity)
    processed, errors = [], []
    for name, data in files:  # every file is checked before anything is written
        try:
            processed.append(process_photo(name, data))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"photos": errors})
    if not processed:
        raise ValidationError({"photos": _("请选择要上传的照片。")})
    photos = []
    try:
        with transaction.atomic():
            for item in processed:
                photo = ActivityPhoto(
                    activity=activity,
                    caption=caption[:200],
                    content_type=item.content_type,
                    width=item.width,
                    height=item.height,
                    size_bytes=len(item.image),
                    uploaded_by=actor,
                )
                photos.append(photo)
                photo.image.save(f"photo{item.suffix}", ContentFile(item.image), save=False)
                photo.thumbnail.save(f"thumb{item.suffix}", ContentFile(item.thumbnail), save=False)
                photo.save()
    except Exception:
        # Files are written before their rows; without the rows nobody could reach them.
        for photo in photos:
            for stored in (photo.image, photo.thumbnail):
                if stored.name:
                    stored.storage.delete(stored.name)
        raise
    return photos


# --- purchased services ---------------------------------------------------------------------


def _set_served_children(actor, service: PurchasedService, child_ids: set[int]) -> None:
    existing = set(service.children.values_list("pk", flat=True))
    hidden = existing - _visible_child_ids(actor, existing) if existing else set()
    wanted = child_ids | hidden
    added, removed = wanted - existing, existing - wanted
    if removed:
        service.children.remove(*removed)
    if added:
        service.children.add(*added)
    children = Child.objects.in_bulk(added | removed) if (added or removed) else {}
    for pk in sorted(added):
        record_change(
            child=children[pk],
            actor=actor,
            action=ChangeAction.RECORD,
            record_type="purchased_service",
            record_id=service.pk,
            note=_("接受购买服务：%(org)s（%(start)s 至 %(end)s）")
            % {
                "org": service.organisation.name,
                "start": service.start_date.isoformat(),
                "end": service.end_date.isoformat(),
            },
        )
    for pk in sorted(removed):
        record_change(
            child=children[pk],
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type="purchased_service",
            record_id=service.pk,
            note=_("移出购买服务名单：%(org)s") % {"org": service.organisation.name},
        )


@transaction.atomic
def purchased_service_create(*, actor, data: dict, children: Iterable = ()) -> PurchasedService:
    require_perm(actor, "activities.add_purchasedservice")
    service = PurchasedService(created_by=actor)
    _assign(service, SERVICE_FIELDS, data)
    _check_township(actor, service.township)
    service.full_clean(exclude=["version"])
    child_ids = _check_children(actor, children)
    service.save()
    _set_served_children(actor, service, child_ids)
    _check_visible(PurchasedService, actor, service)
    return service


@transaction.atomic
def purchased_service_update(
    *, actor, service: PurchasedService, expected_version: int, data: dict, children: Iterable = ()
) -> PurchasedService:
    require_perm(actor, "activities.change_purchasedservice")
    _check_visible(PurchasedService, actor, service)
    service = PurchasedService.objects.select_for_update().get(pk=service.pk)
    _assign(service, SERVICE_FIELDS, data)
    _check_township(actor, service.township)
    service.full_clean(exclude=["version"])
    child_ids = _check_children(actor, children)
    claim_version(service, expected_version)
    service.save()
    _set_served_children(actor, service, child_ids)
    _check_visible(PurchasedService, actor, service)
    return service


# --- trainings ------------------------------------------------------------------------------


def _training_counts(attendees: list, counts: dict) -> dict[str, int]:
    """Counts by role: blank means "the picked accounts"; a typed count may add attendees
    without an account, but never be fewer than the accounts picked."""
    picked = {
        field: sum(1 for u in attendees if u.role == role)
        for field, role in TRAINING_COUNTS.items()
    }
    picked["others_count"] = len(attendees) - sum(picked.values())
    result, errors = {}, {}
    for field, minimum in picked.items():
        value = counts.get(field)
        if value is None:
            value = minimum
        if value < minimum:
            errors[field] = _("不能少于所选参训人员中的人数（%(n)d）。") % {"n": minimum}
        result[field] = value
    if errors:
        raise ValidationError(errors)
    return result


def _check_attendees(actor, attendees: Iterable) -> list:
    attendees = list(attendees)
    ids = {user.pk for user in attendees}
    allowed = set(training_attendee_choices(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - allowed:
        raise ValidationError({"attendees": USER_OUTSIDE_AREA})
    return attendees


def _save_training(actor, training: Training, data: dict, attendees, counts, version=None):
    _assign(training, TRAINING_FIELDS, data)
    _check_township(actor, training.township)
    attendees = _check_attendees(actor, attendees)
    for field, value in _training_counts(attendees, counts).items():
        setattr(training, field, value)
    training.full_clean(exclude=["version"])
    if version is not None:
        claim_version(training, version)
    training.save()
    training.attendees.set(attendees)
    _check_visible(Training, actor, training)
    return training


@transaction.atomic
def training_create(
    *, actor, data: dict, attendees: Iterable = (), counts: dict | None = None
) -> Training:
    """Record a training or lecture; ``counts`` maps supervisors_count / directors_count /
    others_count to a number or None (None: count the picked accounts)."""
    require_perm(actor, "activities.add_training")
    return _save_training(actor, Training(created_by=actor), data, attendees, counts or {})


@transaction.atomic
def training_update(
    *,
    actor,
    training: Training,
    expected_version: int,
    data: dict,
    attendees: Iterable = (),
    counts: dict | None = None,
) -> Training:
    require_perm(actor, "activities.change_training")
    _check_visible(Training, actor, training)
    training = Training.objects.select_for_update().get(pk=training.pk)
    return _save_training(actor, training, data, attendees, counts or {}, expected_version)


__all__ = [
    "ChannelData",
    "LeaderData",
    "StaleEdit",
    "activity_create",
    "activity_photos_add",
    "activity_update",
    "campaign_create",
    "campaign_update",
    "partner_create",
    "partner_update",
    "purchased_service_create",
    "purchased_service_update",
    "training_create",
    "training_update",
]

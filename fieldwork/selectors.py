"""Reads for offline field work: the caseload a device keeps, and the form definitions the
offline pages are built from. Every read starts from the scoping rule (``visible_to``)."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from care import choices as care_choices
from care.models import CarePlan, Pairing, SafetyAlert
from care.screening import INSTRUMENTS
from care.services import instrument_enabled
from children.models import Child
from fieldwork.models import OfflineSettings
from visits import choices as visit_choices
from visits import services as visit_services
from visits.models import Visit
from visits.schedule import annotate_next_due

# How far back a device keeps a visit it may correct offline.
EDITABLE_VISIT_DAYS = 90

# Answers that must make the offline form show the crisis message at once: the same items
# the scoring package turns into a suicide-risk alert (care/screening/scoring.py).
CRISIS_ITEMS = {"PHQ9": [9], "PHQA": [9, 12, 13]}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def visit_values(visit: Visit) -> dict:
    """A visit's editable fields as JSON values (the base an offline edit starts from)."""
    values = {}
    for name in visit_services.EDITABLE_FIELDS:
        if name == "visitor":
            continue
        values[name] = _json_value(getattr(visit, name))
    return values


def _json_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def caseload(user) -> dict:
    """The children a field worker may visit (their own village, or township, only: the
    scoping rule), with what a visit needs. Phones are masked as on the pages; screening
    answers and results are never included; alerts only for a role that may see them."""
    today = timezone.localdate()
    children = list(
        annotate_next_due(
            Child.objects.visible_to(user).active().select_related("village", "township"),
            today,
        ).order_by("village__name", "name_pinyin", "pk")
    )
    ids = [child.pk for child in children]
    plans = defaultdict(list)
    if user.has_perm("care.view_careplan"):
        for plan in CarePlan.objects.visible_to(user).filter(
            child_id__in=ids, status=care_choices.PlanStatus.ACTIVE
        ):
            plans[plan.child_id].append(
                {"goals": plan.goals[:80], "review_on": _iso(plan.review_on)}
            )
    pairings = defaultdict(list)
    if user.has_perm("care.view_pairing"):
        for pairing in (
            Pairing.objects.visible_to(user)
            .filter(child_id__in=ids, status=care_choices.PairingStatus.ACTIVE)
            .select_related("mentor")
        ):
            pairings[pairing.child_id].append(
                {
                    "id": pairing.pk,
                    "mentor": pairing.mentor.name,
                    "mentor_kind": pairing.mentor.get_kind_display(),
                    "started_on": _iso(pairing.started_on),
                    "next_follow_up_on": _iso(pairing.next_follow_up_on),
                }
            )
    alerts = defaultdict(list)
    if user.has_perm("care.view_safetyalert"):
        for alert in SafetyAlert.objects.visible_to(user).open().filter(child_id__in=ids):
            alerts[alert.child_id].append(
                {"kind": alert.get_kind_display(), "due_at": _iso(alert.due_at)}
            )
    visits = {}
    if user.has_perm("visits.change_visit"):
        recent = (
            Visit.objects.visible_to(user)
            .filter(child_id__in=ids, date__gte=today - dt.timedelta(days=EDITABLE_VISIT_DAYS))
            .order_by("child_id", "-date", "-pk")
        )
        for visit in recent:
            if visit.child_id not in visits and visit_services.can_edit(user, visit):
                visits[visit.child_id] = {
                    "id": visit.pk,
                    "version": visit.version,
                    "review_status": visit.get_review_status_display(),
                    "values": visit_values(visit),
                }
    return {
        "user": user.pk,
        "generated_at": timezone.now().isoformat(),
        "max_days_unrefreshed": OfflineSettings.current().max_days_unrefreshed,
        "children": [
            {
                "id": child.pk,
                "name": child.name,
                "sex": child.get_sex_display(),
                "age": child.age_on(today),
                "village": child.village.name if child.village else "",
                "guardian_name": child.guardian_name,
                "guardian_relation": child.get_guardian_relation_display(),
                "guardian_phone": child.masked_guardian_phone,
                "risk_level": child.risk_level,
                "risk_label": child.get_risk_level_display(),
                "last_visit_date": _iso(child.last_visit_date),
                "next_visit_due": _iso(child.next_visit_due),
                "visit_overdue": bool(child.visit_overdue),
                "open_alerts": alerts[child.pk],
                "care_plans": plans[child.pk],
                "pairings": pairings[child.pk],
                "editable_visit": visits.get(child.pk),
            }
            for child in children
        ],
    }


def form_definitions(user) -> dict:
    """What the offline forms offer: the visit form's choices and the enabled screening
    instruments (item texts, options, respondents, ages). No personal data: the app shell
    that carries it is cached by the service worker."""
    instruments = []
    if user.has_perm("care.add_screening"):
        for code, instrument in INSTRUMENTS.items():
            if not instrument_enabled(code):
                continue
            items = [
                {
                    "number": number,
                    "text": instrument.item_text(number) or "",
                    "options": [[o.value, o.label] for o in instrument.options],
                    "required": not instrument.licensed_only,
                }
                for number in instrument.item_numbers
            ]
            items += [
                {
                    "number": item.number,
                    "text": item.text,
                    "options": [[o.value, o.label] for o in item.options],
                    "required": False,
                }
                for item in instrument.supplementary
            ]
            instruments.append(
                {
                    "code": code,
                    "title": instrument.title,
                    "instructions": instrument.instructions,
                    "respondents": [
                        [r, str(care_choices.Respondent(r).label)] for r in instrument.respondents
                    ],
                    "ages": {r: list(instrument.age_range(r)) for r in instrument.respondents},
                    "items": items,
                    "crisis_items": CRISIS_ITEMS.get(code, []),
                }
            )
    return {
        "visit": {
            "kinds": [[v, str(label)] for v, label in visit_choices.VisitKind.choices],
            "ratings": [[v, str(label)] for v, label in visit_choices.StateRating.choices if v],
            "parts": [[prefix, str(label)] for prefix, label in visit_choices.STATE_PARTS],
            "problems": [[v, str(label)] for v, label in visit_choices.Problem.choices],
            "labels": {
                name: str(Visit._meta.get_field(name).verbose_name)
                for name in visit_services.EDITABLE_FIELDS
            },
        },
        "instruments": instruments,
        "crisis_message": _("如儿童有即时危险，请立即联系监护人，必要时拨打 120 或 110。"),
    }

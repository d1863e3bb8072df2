"""Reads of the care records. Everything starts from ``Model.objects.visible_to(user)``.

Also the providers the ledger's pages call (see care/apps.py): the child's timeline, the
child page's actions and notices, and the home-page figures.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.scoping import area_q
from care import choices, due
from care.models import (
    CarePlan,
    CarePlanService,
    FollowUp,
    Institution,
    Mentor,
    Pairing,
    Referral,
    ReferralStatusChange,
    SafetyAlert,
    Screening,
)
from care.screening import get_instrument
from children.choices import CaseStatus
from children.timeline import TimelineEntries, TimelineEntry, newest, newest_rows

DETAILS_PERM = "care.view_screening_details"

CHILD_RELATED = ("child", "child__township", "child__village")


def child_url(child) -> str:
    """The child's page, or "" while the ledger app does not route it (then no link)."""
    try:
        return child.get_absolute_url()
    except NoReverseMatch:
        return ""


# --- lists ---------------------------------------------------------------------------------


def screening_list(user):
    """Screenings for the list page: who and when, never answers or results."""
    return (
        Screening.objects.visible_to(user)
        .select_related(*CHILD_RELATED, "entered_by")
        .defer("answers", "subscales", "alerts")
    )


def screening_for_page(user, pk):
    return (
        Screening.objects.visible_to(user)
        .select_related(*CHILD_RELATED, "entered_by", "safety_alert")
        .get(pk=pk)
    )


def alert_list(user):
    return SafetyAlert.objects.visible_to(user).select_related(
        *CHILD_RELATED, "screening", "closed_by"
    )


def alert_for_page(user, pk):
    return (
        SafetyAlert.objects.visible_to(user)
        .select_related(*CHILD_RELATED, "screening", "closed_by", "care_plan", "referral")
        .get(pk=pk)
    )


def plan_list(user):
    return (
        CarePlan.objects.visible_to(user)
        .select_related(*CHILD_RELATED, "responsible_user")
        .prefetch_related(Prefetch("services", queryset=CarePlanService.objects.order_by("pk")))
    )


def referral_list(user):
    return Referral.objects.visible_to(user).select_related(*CHILD_RELATED, "institution")


def pairing_list(user):
    return Pairing.objects.visible_to(user).select_related(*CHILD_RELATED, "mentor")


def status_history(referral):
    return referral.status_changes.select_related("recorded_by").order_by("changed_on", "pk")


def follow_ups_of(pairing):
    return pairing.follow_ups.select_related("by_user").order_by("-followed_on", "-pk")


def institution_list(user):
    """The register is county-wide; the count is of the referrals the user may see."""
    return Institution.objects.annotate(
        referral_count=Count(
            "referrals",
            filter=area_q(
                user, township="referrals__child__township", village="referrals__child__village"
            ),
        )
    )


def mentor_list(user):
    """Mentors are county-wide; the figure counts only the pairings the user may see."""
    return Mentor.objects.annotate(
        active_pairings=Count(
            "pairings",
            filter=Q(pairings__status=choices.PairingStatus.ACTIVE)
            & area_q(
                user, township="pairings__child__township", village="pairings__child__village"
            ),
        )
    )


def mentor_children(user, mentor):
    """The mentor's pairings, only for children the user may see."""
    return pairing_list(user).filter(mentor=mentor).order_by("status", "-started_on")


# --- due and overdue -----------------------------------------------------------------------

WHEN_OVERDUE, WHEN_WEEK, WHEN_ALL = "overdue", "week", "all"


def _when_q(field: str, when: str, on: dt.date) -> Q:
    if when == WHEN_OVERDUE:
        return due.overdue_q(field, on=on)
    if when == WHEN_WEEK:
        return due.due_this_week_q(field, on=on)
    # "all": overdue, or due this week
    return due.overdue_q(field, on=on) | due.due_this_week_q(field, on=on)


def due_reviews(user, *, when: str = WHEN_ALL, on: dt.date | None = None):
    """Care plans whose review (方案复核) is overdue or due this week, active cases only."""
    on = on or due.today()
    return (
        plan_list(user)
        .filter(status=choices.PlanStatus.ACTIVE, child__status=CaseStatus.ACTIVE)
        .filter(_when_q("review_on", when, on))
        .order_by("review_on", "pk")
    )


def due_follow_ups(user, *, when: str = WHEN_ALL, on: dt.date | None = None):
    """Pairings whose next follow-up (定期随访) is overdue or due this week, active cases only."""
    on = on or due.today()
    return (
        pairing_list(user)
        .filter(status=choices.PairingStatus.ACTIVE, child__status=CaseStatus.ACTIVE)
        .filter(_when_q("next_follow_up_on", when, on))
        .order_by("next_follow_up_on", "pk")
    )


def awaiting_pairing(queryset=None):
    """Referrals ended in discharge (已出院) for which no pairing has been made yet: the
    referral is not linked to a pairing and the child has no pairing under way."""
    queryset = Referral.objects.all() if queryset is None else queryset
    return (
        queryset.filter(status=choices.ReferralStatus.DISCHARGED, child__status=CaseStatus.ACTIVE)
        .exclude(Exists(Pairing.objects.filter(referral=OuterRef("pk"))))
        .exclude(
            Exists(
                Pairing.objects.filter(child=OuterRef("child"), status=choices.PairingStatus.ACTIVE)
            )
        )
    )


# --- what the ledger's filters use (children/filters.py, wired by the lead) ---------------


def child_has_open_alert() -> Exists:
    """``Child.objects.filter(child_has_open_alert())``: an open 待处置预警."""
    return Exists(SafetyAlert.objects.filter(child=OuterRef("pk"), status=choices.AlertStatus.OPEN))


def child_screened_between(start: dt.date | None, end: dt.date | None) -> Exists:
    """Screened (any instrument) between two dates, inclusive; either end may be open."""
    screenings = Screening.objects.filter(child=OuterRef("pk"))
    if start:
        screenings = screenings.filter(screened_on__gte=start)
    if end:
        screenings = screenings.filter(screened_on__lte=end)
    return Exists(screenings)


def child_referred(*, open_only: bool = False) -> Exists:
    """Has a referral (any, or only one still with the institution)."""
    referrals = Referral.objects.filter(child=OuterRef("pk"))
    if open_only:
        referrals = referrals.filter(status__in=choices.REFERRAL_OPEN_STATUSES)
    return Exists(referrals)


def child_paired() -> Exists:
    """Has a pairing under way (结对帮扶中)."""
    return Exists(Pairing.objects.filter(child=OuterRef("pk"), status=choices.PairingStatus.ACTIVE))


# --- screening details ---------------------------------------------------------------------

# Items whose answer is reversed when scored (3 - x for CES-DC, 2 - x for the SDQ): the
# published scoring rules, repeated here only to show item scores on the details page.
# tests/care/test_screening_details.py checks that these item scores add up to the stored
# total, so a change in the scoring package cannot pass unnoticed.
REVERSED_ITEMS = {
    "CESDC": frozenset({4, 8, 12, 16}),
    "SDQ_S": frozenset({7, 11, 14, 21, 25}),
    "SDQ_P": frozenset({7, 11, 14, 21, 25}),
    "SDQ_T": frozenset({7, 11, 14, 21, 25}),
}


@dataclass(frozen=True)
class ItemRow:
    number: int
    text: str
    value: int | None
    answer: str
    item_score: int | None
    reversed: bool = False
    supplementary: bool = False


def screening_rows(screening: Screening) -> list[ItemRow]:
    """Each item with its answer and the score it contributed (details page only)."""
    instrument = get_instrument(screening.instrument)
    answers = screening.answers_by_item()
    labels = {option.value: option.label for option in instrument.options}
    reversed_items = REVERSED_ITEMS.get(screening.instrument, frozenset())
    rows = []
    for number in instrument.item_numbers:
        value = answers.get(number)
        is_reversed = number in reversed_items
        item_score = None
        if value is not None:
            item_score = instrument.max_value - value if is_reversed else value
        rows.append(
            ItemRow(
                number=number,
                text=instrument.item_text(number) or "",
                value=value,
                answer=labels.get(value, "—") if value is not None else _("未作答"),
                item_score=item_score,
                reversed=is_reversed,
            )
        )
    for item in instrument.supplementary:
        value = answers.get(item.number)
        option_labels = {option.value: option.label for option in item.options}
        rows.append(
            ItemRow(
                number=item.number,
                text=item.text,
                value=value,
                answer=option_labels.get(value, "—") if value is not None else _("未作答"),
                item_score=None,
                supplementary=True,
            )
        )
    return rows


# --- the child page: timeline, actions, notices --------------------------------------------


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localdate(value)


def _url(name: str, *args) -> str:
    return reverse(f"care:{name}", args=args)


def timeline_entries(child, user, limit=None) -> TimelineEntries:
    """Care records on the child's timeline, each kind only for users who may view it; a
    screening's band only for users who may see screening details. The newest ``limit``: of
    each kind, the newest ``limit`` are fetched, ordered as the timeline orders them (date,
    then what sort_key is made of, then pk); a kind with more is counted apart
    (``newest_rows``). One query per kind; none for follow-ups of a child without pairings."""
    entries: list[TimelineEntry] = []
    total = 0
    details = user.has_perm(DETAILS_PERM)
    today = due.today()
    if user.has_perm("care.view_screening"):
        fields = ["pk", "screened_on", "instrument", "respondent", "created_at"]
        if details:
            fields += ["band", "positive"]
        screenings = Screening.objects.filter(child=child).only(*fields)
        screenings, count = newest_rows(
            screenings.order_by("-screened_on", "-created_at", "-pk"), limit
        )
        total += count
        for s in screenings:
            summary = ""
            tone = "info"
            if details:
                summary = _("结果：%(band)s") % {"band": s.band_label}
                tone = "warning" if s.positive else "info"
            entries.append(
                TimelineEntry(
                    date=s.screened_on,
                    kind=_("心理测评"),
                    title=_("%(inst)s（%(who)s填答）")
                    % {"inst": s.instrument_short, "who": s.get_respondent_display()},
                    summary=summary,
                    url=_url("screening_detail", s.pk),
                    tone=tone,
                    sort_key=(s.created_at.timestamp(),),
                )
            )
    if user.has_perm("care.view_safetyalert"):
        alerts = SafetyAlert.objects.filter(child=child).order_by("-raised_at", "-pk")
        alerts, count = newest_rows(alerts, limit)
        total += count
        for a in alerts:
            title = (
                _("待处置预警：%(kind)s") % {"kind": a.get_kind_display()}
                if a.is_open
                else _("预警已处置（%(how)s）") % {"how": a.get_resolution_display()}
            )
            entries.append(
                TimelineEntry(
                    date=_local_date(a.raised_at),
                    kind=_("预警"),
                    title=title,
                    url=_url("alert_detail", a.pk),
                    tone="danger" if a.is_open else "secondary",
                    sort_key=(a.raised_at.timestamp(),),
                )
            )
    if user.has_perm("care.view_careplan"):
        plans = CarePlan.objects.filter(child=child).prefetch_related(
            Prefetch("services", queryset=CarePlanService.objects.order_by("pk"))
        )
        plans, count = newest_rows(plans.order_by("-started_on", "-created_at", "-pk"), limit)
        total += count
        for p in plans:
            overdue = p.is_active and due.is_overdue(p.review_on, on=today)
            summary = _("%(status)s · 复核日期 %(date)s") % {
                "status": p.get_status_display(),
                "date": p.review_on.isoformat(),
            }
            if overdue:
                summary += _("（复核逾期）")
            entries.append(
                TimelineEntry(
                    date=p.started_on,
                    kind=_("关爱方案"),
                    title=p.services_display(),
                    summary=summary,
                    url=_url("plan_detail", p.pk),
                    tone="warning" if overdue else "primary",
                    sort_key=(p.created_at.timestamp(),),
                )
            )
    if user.has_perm("care.view_referral"):
        changes = ReferralStatusChange.objects.filter(referral__child=child).select_related(
            "referral__institution"
        )
        changes, count = newest_rows(changes.order_by("-changed_on", "-recorded_at", "-pk"), limit)
        total += count
        for c in changes:
            referral = c.referral
            if not c.from_status:
                title = _("转介至%(inst)s") % {"inst": referral.institution.name}
            else:
                title = _("转介状态：%(status)s") % {"status": c.get_to_status_display()}
            discharged_now = (
                c.to_status == choices.ReferralStatus.DISCHARGED and referral.is_discharged
            )
            entries.append(
                TimelineEntry(
                    date=c.changed_on,
                    kind=_("转介"),
                    title=title,
                    summary=c.reason,
                    url=_url("referral_detail", referral.pk),
                    tone="danger" if discharged_now else "primary",
                    sort_key=(c.recorded_at.timestamp(),),
                )
            )
    pairings = None
    if user.has_perm("care.view_pairing"):
        pairings = Pairing.objects.filter(child=child).select_related("mentor")
        pairings, count = newest_rows(pairings.order_by("-started_on", "-created_at", "-pk"), limit)
        total += count
        for p in pairings:
            summary = p.get_status_display()
            if p.is_active and p.next_follow_up_on:
                summary += _(" · 下次随访 %(date)s") % {"date": p.next_follow_up_on.isoformat()}
                if due.is_overdue(p.next_follow_up_on, on=today):
                    summary += _("（随访逾期）")
            entries.append(
                TimelineEntry(
                    date=p.started_on,
                    kind=_("结对帮扶"),
                    title=_("结对：%(name)s（%(kind)s）")
                    % {"name": p.mentor.name, "kind": p.mentor.get_kind_display()},
                    summary=summary,
                    url=_url("pairing_detail", p.pk),
                    tone="success",
                    sort_key=(p.created_at.timestamp(),),
                )
            )
    # A follow-up belongs to a pairing: a child seen to have none has none (most children).
    if user.has_perm("care.view_followup") and pairings != []:
        follow_ups = FollowUp.objects.filter(pairing__child=child)
        follow_ups, count = newest_rows(
            follow_ups.order_by("-followed_on", "-created_at", "-pk"), limit
        )
        total += count
        for f in follow_ups:
            entries.append(
                TimelineEntry(
                    date=f.followed_on,
                    kind=_("随访"),
                    title=_("定期随访（%(who)s）") % {"who": f.by_name},
                    summary=f.condition[:80],
                    url=_url("pairing_detail", f.pairing_id),
                    tone="success",
                    sort_key=(f.created_at.timestamp(),),
                )
            )
    return newest(entries, limit, total)


def _pairing_prompt_referral(child):
    discharged = Referral.objects.filter(child=child, status=choices.ReferralStatus.DISCHARGED)
    # Few children have a discharged referral: a plain look-up answers for all the others,
    # and only those few pay for awaiting_pairing's two subqueries (on every child page).
    if not discharged.exists():
        return None
    return awaiting_pairing(discharged).order_by("-status_on").first()


def child_actions(child, user) -> list[tuple[str, str]]:
    """Buttons on the child page for the care actions the user may take (active cases)."""
    if not child.is_active:
        return []
    actions = []
    if user.has_perm("care.add_screening"):
        actions.append((_("录入测评"), _url("screening_create", child.pk)))
    if user.has_perm("care.add_careplan"):
        actions.append((_("制定关爱方案"), _url("plan_create", child.pk)))
    if user.has_perm("care.add_referral"):
        actions.append((_("转介"), _url("referral_create", child.pk)))
    if user.has_perm("care.add_pairing"):
        url = _url("pairing_create", child.pk)
        label = _("结对帮扶")
        referral = _pairing_prompt_referral(child) if user.has_perm("care.view_referral") else None
        if referral is not None:
            # Discharged and not yet paired: the button itself is the prompt.
            url += "?" + urlencode({"referral": referral.pk})
            label = _("结对帮扶（已出院，请安排）")
        actions.append((label, url))
    return actions


@dataclass(frozen=True)
class Notice:
    """A prominent prompt on the child page (an alert box with a link)."""

    message: str
    url: str = ""
    link_label: str = ""
    tone: str = "warning"


def child_notices(child, user) -> list[Notice]:
    """Prompts for the child page: a discharged child waiting for a pairing, open alerts."""
    notices = []
    if user.has_perm("care.view_referral"):
        referral = _pairing_prompt_referral(child)
        if referral is not None:
            can_pair = user.has_perm("care.add_pairing") and child.is_active
            notices.append(
                Notice(
                    message=_("该儿童已于 %(date)s 出院（%(inst)s），请安排结对帮扶和定期随访。")
                    % {"date": referral.status_on.isoformat(), "inst": referral.institution.name},
                    url=(
                        _url("pairing_create", child.pk)
                        + "?"
                        + urlencode({"referral": referral.pk})
                        if can_pair
                        else _url("referral_detail", referral.pk)
                    ),
                    link_label=_("安排结对帮扶") if can_pair else _("查看转介"),
                    tone="danger",
                )
            )
    if user.has_perm("care.view_safetyalert"):
        open_alerts = SafetyAlert.objects.filter(child=child, status=choices.AlertStatus.OPEN)
        first = open_alerts.order_by("raised_at").first()
        if first is not None:
            notices.append(
                Notice(
                    message=_("该儿童有待处置的心理测评预警，请尽快处置并记录措施。"),
                    url=_url("alert_detail", first.pk),
                    link_label=_("去处置"),
                    tone="danger",
                )
            )
    return notices


# --- home page -----------------------------------------------------------------------------


def home_panels(user):
    from reports.selectors import Panel

    panels = []
    today = due.today()
    if user.has_perm("care.view_safetyalert"):
        count = alert_list(user).filter(status=choices.AlertStatus.OPEN).count()
        panels.append(
            Panel(
                _("待处置预警"),
                count,
                reverse("care:alert_list") + "?status=open",
                tone="danger",
                order=30,
            )
        )
    due_url = reverse("care:due_list")
    if user.has_perm("care.view_careplan"):
        count = due_reviews(user, when=WHEN_OVERDUE, on=today).count()
        panels.append(
            Panel(
                _("方案复核逾期"),
                count,
                due_url + "?" + urlencode({"kind": "review", "when": WHEN_OVERDUE}),
                tone="warning",
                order=32,
            )
        )
    if user.has_perm("care.view_pairing"):
        count = due_follow_ups(user, when=WHEN_OVERDUE, on=today).count()
        panels.append(
            Panel(
                _("随访逾期"),
                count,
                due_url + "?" + urlencode({"kind": "follow_up", "when": WHEN_OVERDUE}),
                tone="warning",
                order=33,
            )
        )
    if user.has_perm("care.add_pairing") and user.has_perm("care.view_referral"):
        count = awaiting_pairing(Referral.objects.visible_to(user)).count()
        panels.append(
            Panel(
                _("已出院待结对"),
                count,
                reverse("care:referral_list") + "?awaiting_pairing=1",
                tone="danger" if count else "secondary",
                order=34,
            )
        )
    return panels

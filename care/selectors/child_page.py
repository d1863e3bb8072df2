"""The child page's care parts: timeline entries, actions and notices."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from care import choices, due
from care.models import (
    CarePlan,
    CarePlanService,
    FollowUp,
    Incident,
    Pairing,
    Referral,
    ReferralStatusChange,
    SafetyAlert,
    Screening,
    ServiceSession,
)
from care.selectors.common import (
    DETAILS_PERM,
)
from care.selectors.due import awaiting_pairing
from care.selectors.sessions import incident_flag
from children.timeline import TimelineEntries, TimelineEntry, newest, newest_rows

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
    if user.has_perm("care.view_servicesession"):
        sessions = ServiceSession.objects.filter(child=child)
        sessions, count = newest_rows(
            sessions.order_by("-delivered_on", "-created_at", "-pk"), limit
        )
        total += count
        for s in sessions:
            entries.append(
                TimelineEntry(
                    date=s.delivered_on,
                    kind=_("服务记录"),
                    title=_("%(kind)s（%(who)s，%(n)d 分钟）")
                    % {
                        "kind": s.get_kind_display(),
                        "who": s.provider_name,
                        "n": s.duration_minutes,
                    },
                    url=_url("plan_detail", s.plan_id),
                    tone="primary",
                    sort_key=(s.created_at.timestamp(),),
                )
            )
    # Incidents only for those who may read them (the others see the child page's flag);
    # the entry says that a report was made and its status, the record holds the rest.
    if user.has_perm("care.view_incident"):
        incidents = Incident.objects.filter(child=child).only(
            "pk", "reported_on", "status", "created_at"
        )
        incidents, count = newest_rows(
            incidents.order_by("-reported_on", "-created_at", "-pk"), limit
        )
        total += count
        for i in incidents:
            entries.append(
                TimelineEntry(
                    date=i.reported_on,
                    kind=_("强制报告"),
                    # No kind or detail here: reading one is opening it (logged).
                    title=_("强制报告"),
                    summary=i.get_status_display(),
                    url=_url("incident_detail", i.pk),
                    tone="danger" if i.is_open else "secondary",
                    sort_key=(i.created_at.timestamp(),),
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
    if user.has_perm("care.add_incident"):
        actions.append((_("强制报告"), _url("incident_create", child.pk)))
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
    notices += _incident_notices(child, user)
    return notices


def _incident_notices(child, user) -> list[Notice]:
    """The child page's flag for incidents (强制报告). Everyone who sees the child learns
    that one exists, so that the director who sees the child every week takes care and
    turns to the supervisor; only the roles that must act read what it is (the kind, the
    report, the outcome). A director's own reports are readable to them."""
    flag = incident_flag(child, user)
    if not flag["total"]:
        return []
    if flag["readable"]:
        return [
            Notice(
                message=_("该儿童有 %(n)d 条强制报告记录，其中 %(open)d 条尚在处理中。")
                % {"n": flag["total"], "open": flag["open"]},
                url=reverse("care:incident_list") + "?" + urlencode({"q": child.name}),
                link_label=_("查看强制报告"),
                tone="danger",
            )
        ]
    return [
        Notice(
            message=_(
                "该儿童有强制报告记录。详情仅乡镇儿童督导员和县未保中心可查看，"
                "如需了解请联系乡镇儿童督导员。"
            ),
            tone="danger",
        )
    ]

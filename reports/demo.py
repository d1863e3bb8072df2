"""Demo data: 龙胜镇's 2026 report submitted on time, 平等镇's saved as a draft.

Runs after the activities demo, which creates the 2026 campaign; without it, nothing is
created. Idempotent: a report that exists is left as it is.

The demo's records are dated inside the campaign but written today; a version frozen on the
eve of the deadline leaves out what was entered after it (reports.figures). So that the demo
reads as a real season would — each record entered on the day it happened, 龙胜镇 reporting
what was known then — the records of the synthetic children and of the campaign get their
entry time set to their date before the submission. Only demo records are touched (synthetic
children's and the 2026 campaign's), and only to move an entry time earlier.
"""

import datetime as dt

from django.utils import timezone

from accounts.models import Township, User
from activities.models import Activity, Participation, PurchasedService, Training
from care.models import CarePlan, FollowUp, Pairing, Referral, SafetyAlert, Screening
from children.models import Child
from reports import services
from reports.choices import ReportStatus
from reports.figures import township_figures
from reports.models import DEADLINE_ZONE, TownshipReport
from reports.selectors import campaign_of_year, narrative_prefill
from visits.models import Visit

YEAR = 2026
ENTERED_AT = dt.time(18, 0)  # written up on the evening of the day


def _draft(campaign, township, actor):
    figures = township_figures(campaign, township)
    data = narrative_prefill(campaign, township, figures)
    return services.report_save_draft(actor=actor, campaign=campaign, township=township, data=data)


def _evening(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, ENTERED_AT, tzinfo=DEADLINE_ZONE)


def _backdate(queryset, stamp: str, day_of) -> None:
    """Set ``stamp`` to the evening of each record's day where it is later (demo only: the
    records were written through the services just now)."""
    model = queryset.model
    for pk, current, day in ((row.pk, getattr(row, stamp), day_of(row)) for row in queryset):
        if day is not None and current > _evening(day):
            model.objects.filter(pk=pk).update(**{stamp: _evening(day)})


def backdate_entries(campaign) -> None:
    synthetic = Child.objects.filter(is_synthetic=True)
    by_child = {"child__in": synthetic}
    _backdate(synthetic, "created_at", lambda c: c.registered_on)
    _backdate(Visit.objects.filter(**by_child), "created_at", lambda v: v.date)
    _backdate(Screening.objects.filter(**by_child), "created_at", lambda s: s.screened_on)
    alerts = SafetyAlert.objects.filter(**by_child).select_related("screening")
    _backdate(alerts, "raised_at", lambda a: a.screening.screened_on if a.screening else None)
    _backdate(
        alerts.filter(closed_at__isnull=False),
        "closed_at",
        lambda a: a.screening.screened_on + dt.timedelta(days=1) if a.screening else None,
    )
    _backdate(CarePlan.objects.filter(**by_child), "created_at", lambda p: p.started_on)
    _backdate(Referral.objects.filter(**by_child), "created_at", lambda r: r.referred_on)
    _backdate(Pairing.objects.filter(**by_child), "created_at", lambda p: p.started_on)
    _backdate(
        FollowUp.objects.filter(pairing__child__in=synthetic), "created_at", lambda f: f.followed_on
    )
    activities = Activity.objects.filter(campaign=campaign)
    _backdate(activities, "created_at", lambda a: a.end_date)
    _backdate(
        Participation.objects.filter(activity__in=activities).select_related("activity"),
        "added_at",
        lambda p: p.activity.end_date,
    )
    _backdate(
        PurchasedService.objects.filter(campaign=campaign), "created_at", lambda s: s.start_date
    )
    _backdate(Training.objects.filter(campaign=campaign), "created_at", lambda t: t.date)


def seed(stdout=None) -> None:
    campaign = campaign_of_year(YEAR)
    if campaign is None:
        return
    longsheng = Township.objects.get(name="龙胜镇")
    pingdeng = Township.objects.get(name="平等镇")
    longsheng_user = User.objects.get(username="longsheng")
    pingdeng_user = User.objects.get(username="pingdeng")
    backdate_entries(campaign)

    if not TownshipReport.objects.filter(campaign=campaign, township=pingdeng).exists():
        _draft(campaign, pingdeng, pingdeng_user)

    report = TownshipReport.objects.filter(campaign=campaign, township=longsheng).first()
    if report is None:
        report = _draft(campaign, longsheng, longsheng_user)
    if report.status == ReportStatus.DRAFT:
        # Submitted on the afternoon before the deadline (or now, if that is earlier), so
        # that the demo shows an on-time report whatever day it is seeded; the version holds
        # what was dated and entered by then.
        on_time = dt.datetime.combine(
            campaign.report_deadline - dt.timedelta(days=1), dt.time(16, 30), tzinfo=DEADLINE_ZONE
        )
        services.submit_as_of(
            actor=longsheng_user,
            campaign=campaign,
            township=longsheng,
            now=min(timezone.now(), on_time),
        )
    if stdout is not None:
        stdout.write("报表：龙胜镇 2026 年报表已报送（按时），平等镇为草稿。")

"""Reads of the activities app. Everything a user sees starts from ``visible_to(user)``.

Beneficiary figures (docs/domain.md §1, 受益人数) are computed in SQL, never typed:
- distinct_children (人) = distinct ledger children over the activities given (a child in
  three activities counts once); attendances (人次) = their attendances;
- other beneficiaries (guardians, other children, teachers, the public) are anonymous
  headcounts typed per activity: added across activities they are 人次, never 人 (a
  grandparent at three activities is three 人次, and cannot be told apart from three people);
- 受益人次 (total_attendances) = attendances + the other beneficiaries;
- 受益人数（其他人员未去重）(total_beneficiaries) = distinct ledger children + the other
  beneficiaries: only the children in it are de-duplicated, and every label says so.
Volunteers serve, they do not benefit: they are reported separately (人次).

The reports app calls ``beneficiaries``, ``beneficiaries_by_township`` and
``township_summary`` for a campaign and a township.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Village
from accounts.scoping import is_county_wide, visible_villages
from activities.choices import ActivityForm, Channel, LeaderLevel
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
)
from children.models import Child
from children.selectors import search_children
from children.timeline import TimelineEntries, TimelineEntry, newest, newest_rows
from core.extensions import Panel

OTHER_BENEFICIARY_FIELDS = (
    "guardians_count",
    "other_children_count",
    "teachers_count",
    "public_count",
)


TEXT_FIELDS = ("title", "brand", "featured_practice", "innovative_practice", "effect")


# --- campaigns ------------------------------------------------------------------------------


def current_campaign(today: dt.date | None = None) -> Campaign | None:
    """The campaign of ``today``'s year (before, during and after its period), else None."""
    today = today or timezone.localdate()
    return Campaign.objects.filter(year=today.year).first()


def campaign_list():
    return Campaign.objects.annotate(activity_count=Count("activities"))


# --- counting helpers -----------------------------------------------------------------------


def _count_per_activity(model, **filters):
    """A correlated COUNT per activity, so several counts never multiply each other."""
    rows = (
        model.objects.filter(activity=OuterRef("pk"), **filters)
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _activity_ids(activity_qs):
    return activity_qs.order_by().values("pk")


def _zero_sums() -> dict:
    return {name: 0 for name in OTHER_BENEFICIARY_FIELDS} | {"volunteers_count": 0}


def _figures(children: dict, sums: dict) -> dict:
    other = sum(sums[name] or 0 for name in OTHER_BENEFICIARY_FIELDS)
    distinct_children = children.get("distinct_children") or 0
    attendances = children.get("attendances") or 0
    return {
        "activities": sums.get("activities") or 0,
        "distinct_children": distinct_children,
        "attendances": attendances,
        "guardians": sums["guardians_count"] or 0,
        "other_children": sums["other_children_count"] or 0,
        "teachers": sums["teachers_count"] or 0,
        "public": sums["public_count"] or 0,
        "other_beneficiaries": other,
        "volunteers": sums["volunteers_count"] or 0,
        "total_beneficiaries": distinct_children + other,
        "total_attendances": attendances + other,
    }


def _sum_expressions() -> dict:
    sums = {name: Sum(name) for name in OTHER_BENEFICIARY_FIELDS}
    return sums | {"volunteers_count": Sum("volunteers_count"), "activities": Count("pk")}


def beneficiaries(activity_qs, *, participations=None) -> dict:
    """受益人数 and 受益人次 over a set of activities (two queries, whatever their number).

    Keys: distinct_children, attendances, other_beneficiaries, volunteers,
    total_beneficiaries (受益人数), total_attendances (受益人次), plus activities, guardians,
    other_children, teachers, public. Pass an already scoped or filtered queryset, e.g.
    ``Activity.objects.filter(campaign=c, township=t)``. ``participations`` narrows the
    attendances counted (the reports count those recorded by a freeze instant).
    """
    ids = _activity_ids(activity_qs)
    participations = Participation.objects.all() if participations is None else participations
    children = participations.filter(activity__in=ids).aggregate(
        distinct_children=Count("child", distinct=True), attendances=Count("pk")
    )
    sums = Activity.objects.filter(pk__in=ids).aggregate(**_sum_expressions())
    return _figures(children, sums)


def beneficiaries_by_township(activity_qs, *, participations=None) -> dict[int | None, dict]:
    """``beneficiaries`` per township id (None: county-level activities), in two queries.

    A child counts once per township; the county's own distinct figure comes from
    ``beneficiaries`` over all the activities (a child in activities of two townships is one
    person for the county)."""
    ids = _activity_ids(activity_qs)
    participations = Participation.objects.all() if participations is None else participations
    children = {
        row["activity__township"]: row
        for row in participations.filter(activity__in=ids)
        .order_by()
        .values("activity__township")
        .annotate(distinct_children=Count("child", distinct=True), attendances=Count("pk"))
    }
    sums = {
        row["township"]: row
        for row in Activity.objects.filter(pk__in=ids)
        .order_by()
        .values("township")
        .annotate(**_sum_expressions())
    }
    return {
        township: _figures(children.get(township, {}), sums.get(township, _zero_sums()))
        for township in sums.keys() | children.keys()
    }


def township_summary(campaign: Campaign, township) -> dict:
    """Everything the township's June 4 report needs from this app, for one campaign and one
    township (``township=None``: the county's own activities). Unscoped: the caller decides
    who may see the township. A fixed number of aggregate queries."""
    return campaign_summary(
        campaign,
        activities=Activity.objects.filter(campaign=campaign, township=township),
        services=PurchasedService.objects.filter(campaign=campaign, township=township),
        trainings=Training.objects.filter(campaign=campaign, township=township),
    ) | {"township": township}


def campaign_summary(
    campaign: Campaign, *, activities, services, trainings, participations=None
) -> dict:
    """The summary of ``township_summary`` over any set of a campaign's activities, purchased
    services and trainings (a township's, the county center's own, the whole county's, or
    those recorded by a freeze time). Counting rule (docs/domain.md §7a): a ledger
    child is one person however many records name them (人); attendances and anonymous
    headcounts added across records are 人次; 培训人次 adds each training's headcount, the
    distinct trained accounts are 人. ``participations`` narrows the attendances counted
    (those recorded by a freeze instant)."""
    ids = _activity_ids(activities)
    counts = activities.aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=Q(end_date__lte=campaign.report_deadline)),
        with_leaders=Count(
            "pk", filter=Exists(ActivityLeader.objects.filter(activity=OuterRef("pk")))
        ),
        with_brand=Count("pk", filter=~Q(brand="")),
    )
    by_form = dict(
        ActivityFormat.objects.filter(activity__in=ids)
        .order_by()
        .values_list("code")
        .annotate(n=Count("activity", distinct=True))
    )
    leaders = dict(
        ActivityLeader.objects.filter(activity__in=ids)
        .order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    channels = dict(
        ActivityChannel.objects.filter(activity__in=ids)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("activity", distinct=True))
    )
    texts = list(
        activities.order_by("start_date", "pk").values(
            "start_date", "end_date", "place", *TEXT_FIELDS
        )
    )
    service_ids = services.order_by().values("pk")
    service_figures = services.aggregate(
        count=Count("pk"),
        amount=Coalesce(Sum("amount"), Decimal("0")),
        other_children=Coalesce(Sum("other_children_count"), 0),
    )
    service_figures["ledger_children"] = (
        PurchasedService.children.through.objects.filter(
            purchasedservice__in=service_ids
        ).aggregate(n=Count("child", distinct=True))["n"]
        or 0
    )
    training_figures = trainings.aggregate(
        count=Count("pk"),
        hours=Coalesce(Sum("hours"), Decimal("0")),
        supervisors=Coalesce(Sum("supervisors_count"), 0),
        directors=Coalesce(Sum("directors_count"), 0),
        others=Coalesce(Sum("others_count"), 0),
    )
    training_figures["accounts"] = (
        Training.attendees.through.objects.filter(
            training__in=trainings.order_by().values("pk")
        ).aggregate(n=Count("user", distinct=True))["n"]
        or 0
    )
    deadline = campaign.report_deadline
    return {
        "campaign": campaign,
        "activities": counts["total"],
        "activities_on_time": counts["on_time"],
        "activities_with_leaders": counts["with_leaders"],
        "activities_with_brand": counts["with_brand"],
        "beneficiaries": beneficiaries(activities, participations=participations),
        "by_form": {code: by_form.get(code, 0) for code in ActivityForm.values},
        "leaders_by_level": {level: leaders.get(level, 0) for level in LeaderLevel.values},
        "by_channel": {code: channels.get(code, 0) for code in Channel.values},
        "brands": sorted({row["brand"] for row in texts if row["brand"]}),
        "featured_practices": [
            (row["title"], row["featured_practice"]) for row in texts if row["featured_practice"]
        ],
        "innovative_practices": [
            (row["title"], row["innovative_practice"])
            for row in texts
            if row["innovative_practice"]
        ],
        "effects": [(row["title"], row["effect"]) for row in texts if row["effect"]],
        # 活动时效: each activity's dates, whether it was done by the deadline, and its
        # recorded outcome (实效), in date order.
        "timeline": [
            {
                "title": row["title"],
                "start": row["start_date"].isoformat(),
                "end": row["end_date"].isoformat(),
                "on_time": row["end_date"] <= deadline,
                "effect": row["effect"],
            }
            for row in texts
        ],
        # The partner organisations (合作组织, counted in 家; a name is unique): each once.
        "partners": list(
            PartnerOrganisation.objects.filter(activities__in=ids)
            .order_by("name")
            .values_list("name", flat=True)
            .distinct()
        ),
        "purchased_services": service_figures,
        "trainings": training_figures,
    }


# --- activities -----------------------------------------------------------------------------


def activity_list(user):
    """The activity list: scoped, with counts and forms, in a fixed number of queries."""
    return (
        Activity.objects.visible_to(user)
        .select_related("campaign", "township")
        .prefetch_related(Prefetch("formats", queryset=ActivityFormat.objects.order_by("code")))
        .annotate(
            participant_count=_count_per_activity(Participation),
            leader_count=_count_per_activity(ActivityLeader),
            photo_count=_count_per_activity(ActivityPhoto),
        )
    )


def activity_detail(user, pk):
    """One activity for its page, or DoesNotExist when absent or outside the user's area."""
    return (
        Activity.objects.visible_to(user)
        .select_related("campaign", "township", "created_by")
        .prefetch_related(
            Prefetch("formats", queryset=ActivityFormat.objects.order_by("code")),
            "leaders",
            "channels",
            Prefetch("partners", queryset=PartnerOrganisation.objects.order_by("name")),
            "photos",
        )
        .get(pk=pk)
    )


def activity_participants(activity, user) -> tuple[list[Child], int]:
    """The participants the user may see, and how many others there are (a child moved to
    another township, or a county activity's children elsewhere): those are counted, not
    named."""
    visible = list(
        Child.objects.visible_to(user)
        .filter(activity_participations__activity=activity)
        .select_related("village__township")
        .order_by("village__code", "name_pinyin", "pk")
    )
    total = Participation.objects.filter(activity=activity).count()
    return visible, total - len(visible)


def chosen_children(user, ids) -> list[Child]:
    """The children already picked in a form, for its chips (only those the user may see)."""
    clean_ids = [int(pk) for pk in ids if str(pk).isdigit()]
    if not clean_ids:
        return []
    return list(
        Child.objects.visible_to(user)
        .filter(pk__in=clean_ids)
        .select_related("village")
        .order_by("name_pinyin", "pk")
    )


# --- pickers --------------------------------------------------------------------------------


def picker_search(user, query: str):
    """Children matching a name, pinyin or initials, inside the user's area only."""
    if not query.strip():
        return Child.objects.none()
    return search_children(user, query, limit=20)


def picker_village(user, village_id):
    """A visible village and its active children (None when not visible or absent)."""
    try:
        village = visible_villages(user).get(pk=village_id)
    except (ValueError, TypeError, Village.DoesNotExist):
        return None, Child.objects.none()
    children = (
        Child.objects.visible_to(user)
        .active()
        .filter(village=village)
        .select_related("village")
        .order_by("name_pinyin", "pk")
    )
    return village, children[:300]


# --- partners, purchased services, trainings ------------------------------------------------


def partner_list():
    """The partner directory: county-wide on purpose (organisations, not personal data), so
    every township can pick an organisation another township registered."""
    return (
        PartnerOrganisation.objects.select_related("township")
        .annotate(
            activity_count=Count("activities", distinct=True),
            service_count=Count("purchased_services", distinct=True),
        )
        .order_by("kind", "name")  # annotate() drops Meta.ordering; pages must be stable
    )


def partner_choices():
    return PartnerOrganisation.objects.order_by("name")


def service_list(user):
    served = (
        PurchasedService.children.through.objects.filter(purchasedservice=OuterRef("pk"))
        .order_by()
        .values("purchasedservice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        PurchasedService.objects.visible_to(user)
        .select_related("organisation", "township", "campaign")
        .annotate(ledger_children=Coalesce(Subquery(served, output_field=IntegerField()), 0))
    )


def service_detail(user, pk):
    return (
        PurchasedService.objects.visible_to(user)
        .select_related("organisation", "township", "campaign", "created_by")
        .get(pk=pk)
    )


def service_children(service, user) -> tuple[list[Child], int]:
    visible = list(
        Child.objects.visible_to(user)
        .filter(purchased_services=service)
        .select_related("village__township")
        .order_by("village__code", "name_pinyin", "pk")
    )
    total = service.children.count()
    return visible, total - len(visible)


def training_list(user):
    return Training.objects.visible_to(user).select_related("township", "campaign")


def training_detail(user, pk):
    return (
        Training.objects.visible_to(user)
        .select_related("township", "campaign", "created_by")
        .prefetch_related("attendees__township", "attendees__village__township")
        .get(pk=pk)
    )


def training_attendee_choices(actor):
    """The accounts an actor may list as attendees: everyone for the county, the accounts of
    the actor's township otherwise (its supervisor and its villages' directors)."""
    users = get_user_model().objects.filter(is_active=True).exclude(role="")
    users = users.select_related("township", "village").order_by("township__code", "role", "name")
    if is_county_wide(actor):
        return users
    if actor.role == Role.TOWNSHIP_SUPERVISOR and actor.township_id:
        return users.filter(township_id=actor.township_id)
    return users.none()


# --- extension points -----------------------------------------------------------------------


def child_timeline_entries(child, user, limit=None) -> TimelineEntries:
    """The activities and purchased services a child took part in, the newest ``limit`` of
    each ordered as the timeline orders them (a query each; a kind with more than ``limit``
    is counted apart, ``newest_rows``). A record
    the user may not open (a county activity, for a township user) is listed without link:
    whether the user may open it is the scoping rule itself, asked in the same query."""
    if not user.has_perm("activities.view_activity"):
        return TimelineEntries()
    participations = (
        Participation.objects.filter(child=child)
        .select_related("activity")
        .annotate(
            can_open=Exists(Activity.objects.visible_to(user).filter(pk=OuterRef("activity_id")))
        )
    )
    order = ("-activity__start_date", "-activity__pk", "-pk")
    participations, total = newest_rows(participations.order_by(*order), limit)
    entries = []
    for participation in participations:
        activity = participation.activity
        entries.append(
            TimelineEntry(
                date=activity.start_date,
                kind=_("主题活动"),
                title=activity.title,
                summary=activity.brand,
                url=activity.get_absolute_url() if participation.can_open else "",
                tone="success",
                sort_key=(0, activity.pk),
            )
        )
    if user.has_perm("activities.view_purchasedservice"):
        services = (
            PurchasedService.objects.filter(children=child)
            .select_related("organisation")
            .annotate(
                can_open=Exists(PurchasedService.objects.visible_to(user).filter(pk=OuterRef("pk")))
            )
        )
        services, count = newest_rows(services.order_by("-start_date", "-pk"), limit)
        total += count
        for service in services:
            entries.append(
                TimelineEntry(
                    date=service.start_date,
                    kind=_("购买服务"),
                    title=service.organisation.name,
                    summary=service.content[:100],
                    url=service.get_absolute_url() if service.can_open else "",
                    tone="success",
                    sort_key=(0, service.pk),
                )
            )
    return newest(entries, limit, total)


def home_panels(user):
    """This campaign's activities and 受益人数 in the user's area. (The report deadline
    countdown is the reports app's, shown once, with the report's status.)"""
    if not user.has_perm("activities.view_activity"):
        return []
    today = timezone.localdate()
    campaign = current_campaign(today)
    url = reverse("activities:list")
    if campaign is None:
        count = Activity.objects.visible_to(user).count()
        return [Panel(_("主题活动"), count, url, tone="success", order=40)]
    figures = beneficiaries(Activity.objects.visible_to(user).filter(campaign=campaign))
    url = f"{url}?campaign={campaign.pk}"
    return [
        Panel(
            _("%(year)d年主题活动") % {"year": campaign.year},
            figures["activities"],
            url,
            tone="success",
            order=40,
        ),
        # Children are counted once in the area (人); other people only per activity, so the
        # panel shows what is true of both: attendances (人次).
        Panel(_("受益人次"), figures["total_attendances"], url, tone="success", order=41),
    ]

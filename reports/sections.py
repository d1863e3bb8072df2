"""The figures of a report laid out as labelled sections and rows: the one layout shared by
the report page, the frozen version page and the Excel workbooks.

Each row may carry the URL of the list behind it (the ledger, the visit list, the activity
list… filtered to the township); lists are scoped by their own apps, so a link never shows
more than the user may see. A link to a page another app has not routed yet is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from activities.choices import ActivityForm, Channel, LeaderLevel
from activities.notice_records import NeedKind
from care.choices import ReferralStatus, SessionKind
from children.choices import BenefitCategory, CaseStatus, Circumstance, RiskLevel
from reports.figures import dig


def list_url(name: str, **params) -> str:
    """``reverse(name)`` with a query string; "" while the page does not exist."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Row:
    label: str
    value: object
    unit: str = ""
    url: str = ""
    indent: bool = False

    @property
    def is_text(self) -> bool:
        """A list of names or brands rather than a number (money is kept as "123.00")."""
        return isinstance(self.value, str) and not NUMBER.match(self.value)


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


def _label(choices, code) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


class _Links:
    """The filtered lists behind the figures of one township (or none, for the workbook)."""

    def __init__(self, campaign, township_id: int | None, period: dict | None, enabled: bool):
        self.enabled = enabled and township_id is not None
        self.township = township_id
        self.campaign = campaign.pk if campaign is not None else None
        self.period = period or {}

    def __call__(self, name: str, **params) -> str:
        if not self.enabled:
            return ""
        return list_url(name, **params)

    def children(self, **params) -> str:
        return self("children:list", township=self.township, status=CaseStatus.ACTIVE, **params)

    def care(self, name: str, **params) -> str:
        return self(name, township=self.township, **params)

    def activities(self, name: str = "activities:list", **params) -> str:
        return self(name, campaign=self.campaign, township=self.township, **params)


def figure_sections(figures: dict, *, campaign=None, township_id=None, links=True) -> list:
    """The report's figures as sections of rows. ``figures`` is live or a frozen snapshot."""
    link = _Links(campaign, township_id, figures.get("period"), links)
    start, end = link.period.get("start"), link.period.get("end")

    def get(path):
        value = dig(figures, path)
        return 0 if value is None else value

    ledger = Section(_("一、困境儿童台账"))
    ledger.rows += [
        Row(_("台账儿童（活动期间在册）"), get("ledger.children"), _("人"), link.children()),
        Row(_("活动期间新登记"), get("ledger.new_registrations"), _("人")),
    ]
    for code in Circumstance.values:
        ledger.rows.append(
            Row(
                _("困境情形：%(c)s") % {"c": _label(Circumstance, code)},
                get(f"ledger.by_circumstance.{code}"),
                _("人"),
                link.children(circumstance=code),
                indent=True,
            )
        )
    for code in BenefitCategory.values:
        ledger.rows.append(
            Row(
                _("保障类别：%(c)s") % {"c": _label(BenefitCategory, code)},
                get(f"ledger.by_benefit_category.{code}"),
                _("人"),
                link.children(benefit_category=code),
                indent=True,
            )
        )
    for code in RiskLevel.values:
        ledger.rows.append(
            Row(
                _("风险等级：%(c)s") % {"c": _label(RiskLevel, code)},
                get(f"ledger.by_risk.{code}"),
                _("人"),
                link.children(risk_level=code),
                indent=True,
            )
        )

    period_range = {"screened_on_after": start, "screened_on_before": end}
    screening_url = link.care("care:screening_list", **period_range)
    screening = Section(_("二、心理健康测评"))
    screening.rows += [
        Row(_("测评人次"), get("screening.screenings"), _("人次"), screening_url),
        Row(_("测评儿童"), get("screening.children_screened"), _("人"), screening_url),
        Row(_("测评覆盖率（占台账儿童）"), get("screening.coverage"), "%"),
        Row(_("阳性结果"), get("screening.positive"), _("人次")),
        Row(_("阳性儿童"), get("screening.positive_children"), _("人")),
        Row(_("重度或自杀意念"), get("screening.severe"), _("人次")),
    ]

    care = Section(_("三、预警、关爱方案、转介与结对帮扶"))
    alerts_url = link.care(
        "care:alert_list", raised_on_after=start, raised_on_before=end, status=""
    )
    open_alerts_url = link.care("care:alert_list", status="open")
    plans_url = link.care("care:plan_list")
    active_plans_url = link.care("care:plan_list", status="active")
    care.rows += [
        Row(_("活动期间新增预警"), get("alerts.raised"), _("条"), alerts_url),
        Row(_("活动期间处置预警"), get("alerts.closed"), _("条")),
        Row(_("待处置预警（当前）"), get("alerts.open"), _("条"), open_alerts_url),
        Row(_("活动期间新制定关爱方案"), get("care_plans.started"), _("份"), plans_url),
        Row(_("执行中的关爱方案"), get("care_plans.active"), _("份"), active_plans_url),
        Row(_("活动期间转介"), get("referrals.total"), _("人次"), link.care("care:referral_list")),
    ]
    for code in ReferralStatus.values:
        care.rows.append(
            Row(
                _("转介状态：%(s)s") % {"s": _label(ReferralStatus, code)},
                get(f"referrals.by_status.{code}"),
                _("人次"),
                link.care("care:referral_list", status=code),
                indent=True,
            )
        )
    sessions_url = link.care("care:session_list", delivered_on_after=start, delivered_on_before=end)
    care.rows += [
        Row(_("关爱服务（服务记录）"), get("services.sessions"), _("人次"), sessions_url),
        Row(_("接受关爱服务儿童"), get("services.children"), _("人"), sessions_url),
        Row(_("关爱服务时长"), get("services.hours"), _("小时"), indent=True),
    ]
    for code in SessionKind.values:
        care.rows.append(
            Row(
                _("服务类型：%(k)s") % {"k": _label(SessionKind, code)},
                get(f"services.by_kind.{code}"),
                _("人次"),
                link.care(
                    "care:session_list",
                    kind=code,
                    delivered_on_after=start,
                    delivered_on_before=end,
                ),
                indent=True,
            )
        )
    # Counted, never detailed: no kind, no child, no link to the records.
    care.rows.append(Row(_("活动期间强制报告"), get("incidents.reported"), _("件")))
    pairing_url = link.care("care:pairing_list")
    care.rows += [
        Row(_("结对帮扶"), get("pairings.pairings"), _("对"), pairing_url),
        Row(_("应随访结对"), get("pairings.due"), _("对")),
        Row(_("已随访结对"), get("pairings.followed"), _("对")),
        Row(_("逾期未随访结对"), get("pairings.overdue"), _("对")),
        Row(_("随访人次"), get("pairings.follow_ups"), _("人次")),
    ]

    visits = Section(_("四、定期家访"))
    visits.rows += [
        Row(
            _("家访人次"),
            get("visits.visits"),
            _("人次"),
            link("visits:list", township=link.township, date_from=start, date_to=end),
        ),
        Row(_("应访儿童（已访＋逾期）"), get("visits.children_due"), _("人")),
        Row(_("已访儿童"), get("visits.children_visited"), _("人")),
        Row(
            _("逾期未访儿童"),
            get("visits.children_overdue"),
            _("人"),
            link("visits:overdue", township=link.township),
        ),
    ]

    activities = Section(_("五、主题活动与受益情况"))
    activities.rows += [
        Row(_("开展活动"), get("activities.activities"), _("场"), link.activities()),
        Row(_("截止日前完成的活动"), get("activities.on_time"), _("场")),
    ]
    for code in ActivityForm.values:
        activities.rows.append(
            Row(
                _("活动形式：%(f)s") % {"f": _label(ActivityForm, code)},
                get(f"activities.by_form.{code}"),
                _("场"),
                link.activities(form=code),
                indent=True,
            )
        )
    # Headcounts typed per activity cannot be told apart across activities: 人次 (§7a).
    activities.rows += [
        Row(_("参与活动的台账儿童（去重）"), get("activities.distinct_children"), _("人")),
        Row(_("台账儿童参与人次"), get("activities.attendances"), _("人次")),
        Row(_("监护人/家长"), get("activities.guardians"), _("人次"), indent=True),
        Row(_("其他儿童"), get("activities.other_children"), _("人次"), indent=True),
        Row(_("教师"), get("activities.teachers"), _("人次"), indent=True),
        Row(_("群众"), get("activities.public"), _("人次"), indent=True),
        Row(
            _("其他受益人员合计（按活动登记人数相加）"),
            get("activities.other_beneficiaries"),
            _("人次"),
        ),
        Row(_("受益人次"), get("activities.beneficiary_attendances"), _("人次")),
        Row(
            _("受益人数（台账儿童去重＋其他人员未去重）"),
            get("activities.beneficiaries"),
            _("人（未去重）"),
        ),
        Row(_("参与志愿者"), get("activities.volunteers"), _("人次")),
    ]

    timeline = Section(_("活动时效与实效"))
    for item in dig(figures, "activities.timeline") or []:
        when = item["start"] if item["start"] == item["end"] else f"{item['start']}—{item['end']}"
        timely = _("截止日前完成") if item["on_time"] else _("截止日后完成")
        timeline.rows.append(
            Row(
                f"{item['title']}（{when}，{timely}）",
                _("实效：%(e)s") % {"e": item["effect"]} if item["effect"] else _("实效：未填写"),
            )
        )

    leaders = Section(_("六、领导参与、活动品牌与宣传"))
    leaders.rows.append(
        Row(
            _("领导出席"),
            get("leaders.attendances"),
            _("人次"),
            link.activities(has_leaders="yes"),
        )
    )
    for code in LeaderLevel.values:
        leaders.rows.append(
            Row(
                _("%(level)s领导") % {"level": _label(LeaderLevel, code)},
                get(f"leaders.by_level.{code}"),
                _("人次"),
                indent=True,
            )
        )
    leader_names = "；".join(
        f"{row['post']} {row['name']}" for row in (dig(figures, "leaders.list") or [])
    )
    leaders.rows += [
        Row(_("出席领导名单"), leader_names or "—"),
        Row(_("活动品牌"), "、".join(dig(figures, "brands") or []) or "—"),
    ]
    used = [
        f"{_label(Channel, code)}（{n}）"
        for code, n in (dig(figures, "channels") or {}).items()
        if n
    ]
    leaders.rows.append(Row(_("宣传渠道（活动场次）"), "、".join(used) or "—"))
    leaders.rows += [
        Row(_("合作组织"), get("partners.count"), _("家")),
        Row(_("合作组织名单"), "、".join(dig(figures, "partners.names") or []) or "—"),
    ]

    support = Section(_("七、购买服务与队伍培训"))
    support.rows += [
        Row(
            _("购买服务"),
            get("purchased_services.count"),
            _("项"),
            link.activities("activities:service_list"),
        ),
        Row(_("购买服务金额"), get("purchased_services.amount"), _("元")),
        Row(_("服务台账儿童（去重）"), get("purchased_services.ledger_children"), _("人")),
        Row(
            _("台账外服务儿童（按服务相加）"),
            get("purchased_services.other_children"),
            _("人次"),
        ),
        Row(
            _("培训/专题讲座"),
            get("trainings.count"),
            _("场"),
            link.activities("activities:training_list"),
        ),
        Row(_("培训学时"), get("trainings.hours"), _("学时")),
        Row(_("培训人次（按场次登记人数相加）"), get("trainings.attendances"), _("人次")),
        Row(_("儿童督导员"), get("trainings.supervisors"), _("人次"), indent=True),
        Row(_("儿童主任"), get("trainings.directors"), _("人次"), indent=True),
        Row(_("其他人员"), get("trainings.others"), _("人次"), indent=True),
        Row(_("参训的平台账号（去重）"), get("trainings.accounts"), _("人")),
    ]
    notice = Section(_("活动方案、励志故事与摸清需求"))
    first_reported = dig(figures, "notice.first_reported_on")
    notice.rows += [
        Row(_("活动方案"), get("notice.plans"), _("份"), link.activities("activities:plan_list")),
        Row(_("已向党委政府汇报的方案"), get("notice.plans_reported"), _("份")),
        Row(_("首次向党委政府汇报日期"), first_reported or "—"),
        Row(
            _("励志故事/榜样"),
            get("notice.stories"),
            _("个"),
            link.activities("activities:story_list"),
        ),
        Row(_("用于活动的励志故事"), get("notice.stories_used"), _("个"), indent=True),
        Row(
            _("摸清需求（急难愁盼）"),
            get("notice.needs"),
            _("项"),
            link.activities("activities:need_list"),
        ),
    ]
    for code in NeedKind.values:
        notice.rows.append(
            Row(
                _("需求类别：%(k)s") % {"k": _label(NeedKind, code)},
                get(f"notice.needs_by_kind.{code}"),
                _("项"),
                indent=True,
            )
        )
    notice.rows += [
        Row(_("已解决"), get("notice.needs_resolved"), _("项")),
        Row(_("未解决"), get("notice.needs_open"), _("项")),
        Row(_("逾期未解决（超过计划解决日期）"), get("notice.needs_overdue"), _("项")),
        Row(_("涉及的台账儿童（去重）"), get("notice.needs_children"), _("人")),
    ]
    sections = [ledger, screening, care, visits, activities, leaders, support, notice]
    if timeline.rows:
        sections.insert(5, timeline)
    if dig(figures, "scope.kind") == "center":
        # The county center keeps no ledger: its sheet shows only what it ran itself.
        sections = [
            section for section in sections if section not in (ledger, screening, care, visits)
        ]
    return sections

"""The narratives of a township report and the figures inside them.

A number in a narrative comes from the figures, not from the typist: the prefilled text
carries placeholders such as ``{受益人次}``, which ``render`` replaces with the figures frozen
at the moment of submission, so the text a version holds always agrees with its figures.
``contradictions`` reads the numbers someone typed after a known phrase (活动…场, 转介…名,
受益人数…人…) and compares each with the figure it claims to be; the submit step refuses a
submission that contradicts them until the township confirms it has checked (the message
gives the exact difference).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from activities.choices import LeaderLevel
from activities.models import Activity
from reports.figures import dig

# {占位符}: (path into the figures, what it is). The names are what a township types.
PLACEHOLDERS = {
    "活动场次": "activities.activities",
    "截止日前完成活动": "activities.on_time",
    "参与儿童人数": "activities.distinct_children",
    "儿童参与人次": "activities.attendances",
    "其他受益人次": "activities.other_beneficiaries",
    "受益人次": "activities.beneficiary_attendances",
    "受益人数": "activities.beneficiaries",
    "领导参与人次": "leaders.attendances",
    "出席领导人数": "leaders.people",
    "台账儿童": "ledger.children",
    "测评人次": "screening.screenings",
    "测评儿童": "screening.children_screened",
    "测评覆盖率": "screening.coverage",
    "家访人次": "visits.visits",
    "转介人次": "referrals.total",
    "新增预警": "alerts.raised",
    "培训场次": "trainings.count",
    "培训人次": "trainings.attendances",
    "购买服务": "purchased_services.count",
    "购买金额": "purchased_services.amount",
}
PLACEHOLDER = re.compile(r"\{(" + "|".join(map(re.escape, PLACEHOLDERS)) + r")\}")


def render(text: str, figures: dict) -> str:
    """The text with every ``{占位符}`` replaced by its figure."""

    def value(match: re.Match) -> str:
        found = dig(figures, PLACEHOLDERS[match.group(1)])
        return "0" if found is None else str(found)

    return PLACEHOLDER.sub(value, text or "")


def render_all(narratives: dict, figures: dict) -> dict:
    return {name: render(text, figures) for name, text in narratives.items()}


# Typed claims: (pattern with one number group, figure path, what the figure is). A pattern
# names the count it claims (场 of activities, 名/人 referred…), so a number that merely sits
# near a word (日期、年龄) is never read as a claim.
CLAIMS = [
    (r"(?:开展|举办|组织)[^，。；\d]{0,12}?活动\s*(\d+)\s*场", "activities.activities", "活动场次"),
    (r"活动\s*(\d+)\s*场", "activities.activities", "活动场次"),
    (r"转介\s*(\d+)\s*(?:名|人|例)", "referrals.total", "活动期间转介"),
    (r"受益人数(?:合计|共)?\s*(\d+)\s*人(?!次)", "activities.beneficiaries", "受益人数"),
    (r"受益人次(?:合计|共)?\s*(\d+)\s*人次", "activities.beneficiary_attendances", "受益人次"),
    (r"领导\s*(\d+)\s*人次", "leaders.attendances", "领导参与人次"),
    (r"测评\s*(\d+)\s*人次", "screening.screenings", "测评人次"),
    (r"家访\s*(\d+)\s*人次", "visits.visits", "家访人次"),
    (r"培训\s*(\d+)\s*场", "trainings.count", "培训场次"),
]
COMPILED = [(re.compile(pattern), path, label) for pattern, path, label in CLAIMS]


@dataclass(frozen=True)
class Contradiction:
    field: str
    typed: str  # the phrase as typed
    claimed: int
    computed: int
    label: str

    def message(self, field_label: str) -> str:
        return _(
            "「%(field)s」中的「%(typed)s」与统计数据不符：系统统计%(label)s为 %(computed)s，"
            "文中为 %(claimed)s（相差 %(diff)s）。请改为 {%(placeholder)s} 或核对后修改。"
        ) % {
            "field": field_label,
            "typed": self.typed,
            "label": self.label,
            "computed": self.computed,
            "claimed": self.claimed,
            "diff": self.claimed - self.computed,
            "placeholder": _placeholder_for(self.label),
        }


def _placeholder_for(label: str) -> str:
    return {
        "活动场次": "活动场次",
        "活动期间转介": "转介人次",
        "受益人数": "受益人数",
        "受益人次": "受益人次",
        "领导参与人次": "领导参与人次",
        "测评人次": "测评人次",
        "家访人次": "家访人次",
        "培训场次": "培训场次",
    }.get(label, label)


def contradictions(narratives: dict, figures: dict) -> list[Contradiction]:
    """Every typed number in ``narratives`` (already rendered) that differs from the figure
    its phrase names. Per-activity texts quoted in a numbered list (``1. 【活动名】…``) speak
    of one activity, not of the township: they are not compared."""
    found = []
    for name, text in narratives.items():
        for line in (text or "").splitlines():
            if re.match(r"^\s*\d+\.\s*【", line):
                continue
            seen = set()
            for pattern, path, label in COMPILED:
                for match in pattern.finditer(line):
                    if match.span(1) in seen:
                        continue
                    seen.add(match.span(1))
                    computed = dig(figures, path)
                    claimed = int(match.group(1))
                    if computed is not None and claimed != int(float(computed)):
                        found.append(
                            Contradiction(name, match.group(0), claimed, int(computed), label)
                        )
    return found


# --- the prefilled text ---------------------------------------------------------------------


def prefill(campaign, township, figures: dict) -> dict[str, str]:
    """Draft narratives written from the township's campaign activities (brands, featured
    and innovative practice texts, effects, leaders) with placeholders for every number, so
    the text stays true however many activities are recorded before submission."""
    rows = list(
        Activity.objects.filter(campaign=campaign, township=township)
        .order_by("start_date", "pk")
        .values_list("title", "featured_practice", "innovative_practice", "effect")
    )

    def numbered(index: int) -> str:
        lines = [f"【{row[0]}】{row[index].strip()}" for row in rows if row[index].strip()]
        return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))

    timeliness = _(
        "活动期间（%(start)s至%(end)s），本乡镇共开展主题活动{活动场次}场，其中{截止日前完成活动}场于"
        "报送截止日（%(deadline)s）前完成。参与活动的台账儿童{参与儿童人数}人、{儿童参与人次}人次，"
        "监护人、教师、群众等其他受益人员{其他受益人次}人次；受益人次合计{受益人次}人次。"
    ) % {
        "start": campaign.start_date.isoformat(),
        "end": campaign.end_date.isoformat(),
        "deadline": campaign.report_deadline.isoformat(),
    }
    effects = numbered(3)
    if effects:
        timeliness += "\n" + _("活动成效：") + "\n" + effects
    leaders = figures["leaders"]
    leader_text = ""
    if leaders["attendances"]:
        by_level = "、".join(
            _("%(level)s领导") % {"level": LeaderLevel(code).label}
            for code, n in leaders["by_level"].items()
            if n
        )
        names = "；".join(f"{row['post']} {row['name']}" for row in leaders["list"])
        leader_text = _("共有领导{领导参与人次}人次出席活动（%(levels)s）：%(names)s。") % {
            "levels": by_level,
            "names": names,
        }
    return {
        "featured_practices": numbered(1),
        "timeliness": timeliness,
        "leader_participation": leader_text,
        "brand": "、".join(figures["brands"]),
        "innovative_practices": numbered(2),
    }

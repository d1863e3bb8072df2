"""Demo visits for the synthetic children: a spread over the last 120 days so that the
overdue and due-this-week lists have content, one visit each inside the 2026 campaign (so its
report counts visits), a few visits by ``director`` waiting for
``longsheng``'s review and one returned to ``director`` with a comment.

Idempotent: a child that already has a visit is left alone, so a rerun writes nothing; each
child's visits come from a generator seeded by the child, so they never depend on the
others. Works with no children at all (then it seeds nothing).
"""

import datetime as dt
import random

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from children.choices import CaseStatus
from children.demo import campaign_day
from children.models import Child
from visits import schedule, services
from visits.choices import Problem, StateRating, VisitKind
from visits.models import Visit

MAX_CHILDREN = 80  # every synthetic child, 平等镇's too, so each township's report has visits
OLDEST_DAYS = 120
# What the schedule should say about each child, in turn.
PLANS = ["overdue", "week", "ok", "ok", "overdue", "never", "week", "ok"]
KINDS = [
    (VisitKind.HOME, 6),
    (VisitKind.TALK, 3),
    (VisitKind.PHONE, 2),
    (VisitKind.SCHOOL, 1),
    (VisitKind.ACTIVITY, 1),
]
STATES = [(StateRating.GOOD, 6), (StateRating.FAIR, 3), (StateRating.POOR, 1)]
# Notes that fit the rating drawn for each part of the child's state.
NOTES = {
    "emotion": {
        StateRating.GOOD: ["情绪稳定，愿意交流"],
        StateRating.FAIR: ["提到想念外出务工的父母", "较为沉默"],
        StateRating.POOR: ["近期容易发脾气，夜里哭泣"],
    },
    "study": {
        StateRating.GOOD: ["按时完成作业"],
        StateRating.FAIR: ["数学成绩有所下滑", "面临中考，压力较大"],
        StateRating.POOR: ["老师反映经常缺课"],
    },
    "life": {
        StateRating.GOOD: ["祖母照料，饮食起居正常"],
        StateRating.FAIR: ["住房较旧，冬季取暖不足"],
        StateRating.POOR: ["家中经济困难，衣被不足"],
    },
    "safety": {
        StateRating.GOOD: ["家中无明显安全隐患"],
        StateRating.FAIR: ["上学途经河边，已提醒注意安全"],
        StateRating.POOR: ["用电线路老化，已告知监护人尽快维修"],
    },
}
ACTIONS = [
    "与监护人沟通孩子近况，讲解家庭教育方法",
    "送去学习用品，鼓励孩子坚持学习",
    "联系学校班主任，了解在校表现",
    "协助申请临时救助",
    "进行谈心谈话，疏导情绪",
]
RETURN_COMMENT = "请补充签字表格照片，并写明与监护人沟通的具体内容。"


def _weighted(rng, weighted):
    total = sum(w for _v, w in weighted)
    point = rng.uniform(0, total)
    for value, weight in weighted:
        point -= weight
        if point <= 0:
            return value
    return weighted[-1][0]


def _visit_dates(rng, plan: str, interval: int, today: dt.date) -> list[dt.date]:
    """Visit dates (oldest first) that put the child in the planned place of the schedule."""
    week_start, week_end = schedule.week_bounds(today)
    if plan == "never":
        return []
    if plan == "overdue":
        last = today - dt.timedelta(days=interval + rng.randint(1, 20))
    elif plan == "week":
        due = week_start + dt.timedelta(days=rng.randint(0, (week_end - week_start).days))
        last = due - dt.timedelta(days=interval)
    else:  # due after this week
        last = today - dt.timedelta(days=rng.randint(0, max(0, interval - 8)))
    oldest = today - dt.timedelta(days=OLDEST_DAYS)
    last = max(last, oldest)
    dates = [last]
    earlier = last - dt.timedelta(days=interval + rng.randint(-3, 3))
    if rng.random() < 0.6 and earlier >= oldest:
        dates.insert(0, earlier)
    return dates


def _campaign_visit(rng, dates: list[dt.date], today: dt.date) -> list[dt.date]:
    """One visit in the 2026 campaign (before the report deadline) for a child who is visited
    at all, when it is earlier than the planned ones (so the schedule's plan still holds)."""
    day = campaign_day(rng.randint(0, 18), today)
    if not dates or day is None or day >= dates[0]:
        return []
    return [day]


def _visit_data(rng, date: dt.date, visitor) -> tuple[dict, list[str]]:
    data = {
        "date": date,
        "kind": _weighted(rng, KINDS),
        "visitor": visitor,
        "place": "儿童家中",
        "guardian_informed": rng.random() < 0.85,
        "actions_taken": rng.choice(ACTIONS),
        "follow_up_needed": False,
        "follow_up_note": "",
    }
    for part, notes in NOTES.items():
        rating = _weighted(rng, STATES)
        data[f"{part}_state"] = rating
        data[f"{part}_note"] = rng.choice(notes[rating])
    if data["kind"] == VisitKind.SCHOOL:
        data["place"] = "学校"
    elif data["kind"] == VisitKind.PHONE:
        data["place"] = "电话"
    problems = []
    if rng.random() < 0.35:
        problems = rng.sample(Problem.values, k=rng.choice([1, 1, 2]))
        data["follow_up_needed"] = True
        data["follow_up_note"] = "下次走访时了解情况变化"
    return data, problems


def seed(stdout=None) -> None:
    today = timezone.localdate()
    rules = schedule.load_rules()
    director = User.objects.filter(username="director", is_active=True).first()
    supervisors = {
        user.township_id: user
        for user in User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR, is_active=True).order_by(
            "pk"
        )
    }
    county = User.objects.filter(role=Role.COUNTY_ADMIN, is_active=True).order_by("pk").first()
    children = list(
        Child.objects.filter(is_synthetic=True, status=CaseStatus.ACTIVE)
        .select_related("township", "village")
        .order_by("township__code", "village__code", "pk")[:MAX_CHILDREN]
    )
    already = set(
        Visit.objects.filter(child__in=children).values_list("child_id", flat=True).distinct()
    )
    created = 0
    director_visits: list[Visit] = []
    for index, child in enumerate(children):
        if child.pk in already:
            continue
        # One generator per child: what a child gets never depends on the others.
        rng = random.Random(f"visits-demo-{child.pk}")
        plan = PLANS[index % len(PLANS)]
        by_director = director is not None and child.village_id == director.village_id
        recorder = director if by_director else supervisors.get(child.township_id) or county
        if recorder is None:
            continue
        dates = _visit_dates(rng, plan, rules.interval(child.risk_level), today)
        for date in _campaign_visit(rng, dates, today) + dates:
            data, problems = _visit_data(rng, date, recorder)
            visit = services.visit_record(actor=recorder, child=child, data=data, problems=problems)
            created += 1
            if by_director:
                director_visits.append(visit)
    _review_director_visits(director_visits, supervisors, director)
    if stdout is not None:
        stdout.write(f"家访记录：新增 {created} 条演示家访。")
    _seed_household_visit(stdout)


def _review_director_visits(visits: list[Visit], supervisors: dict, director) -> None:
    """Leave a few of the director's newest visits pending, return one, approve the rest."""
    if not visits or director is None:
        return
    reviewer = supervisors.get(director.township_id)
    if reviewer is None:
        return
    newest_first = sorted(visits, key=lambda v: (v.date, v.pk), reverse=True)
    for position, visit in enumerate(newest_first):
        if position < 3:
            continue  # pending: for longsheng to review
        if position == 3:
            services.visit_return(actor=reviewer, visit=visit, comment=RETURN_COMMENT)
        else:
            services.visit_approve(actor=reviewer, visit=visit)


def _seed_household_visit(stdout=None) -> None:
    """One household visit (家庭走访) of the demo household: a visit for each sibling, recorded
    once by the 龙胜镇 supervisor (approved as saved, so the director's review queue stays as
    the demo sets it). Idempotent: skipped once a sibling has a visit that day."""
    from children.models import Household

    household = Household.objects.filter(name__startswith="演示：").order_by("pk").first()
    director = User.objects.filter(username="longsheng", is_active=True).first()
    if household is None or director is None:
        return
    members = list(household.members.filter(status=CaseStatus.ACTIVE).order_by("pk"))
    day = timezone.localdate() - dt.timedelta(days=3)
    if not members or Visit.objects.filter(child__in=members, date=day).exists():
        return
    services.visit_record_household(
        actor=director,
        household=household,
        children=members,
        data={
            "date": day,
            "kind": "home",
            "visitor": director,
            "co_visitors": "",
            "place": "儿童家中",
            "emotion_state": "good",
            "emotion_note": "",
            "study_state": "fair",
            "study_note": "姐姐帮弟弟辅导作业",
            "life_state": "good",
            "life_note": "",
            "safety_state": "good",
            "safety_note": "",
            "guardian_informed": True,
            "actions_taken": "与祖母沟通了孩子们的作息安排。",
            "follow_up_needed": False,
            "follow_up_note": "",
        },
    )
    if stdout is not None:
        stdout.write(f"家访：演示家庭走访（{len(members)} 条家访记录）已记录。")

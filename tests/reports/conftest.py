"""A small, fully known dataset for the report figures, written straight to the models so that
every expected number in the tests can be counted by hand from this file.

Campaign 2026: period 2026-05-15 … 2026-06-10, deadline 2026-06-04. Figures are computed as
of 2026-06-03 (``FIGURES_TODAY``), so overdue means "due before 2026-06-03". Every record is
entered on 2026-05-14 (``ENTERED``).

龙胜镇 (LS)
  甲童 山东村  registered 2026-01-10, active, red, 其他困境儿童, 留守 + 心理和行为异常
  乙童 山东村  registered 2026-05-20 (new in the period), active, yellow, 事实无人抚养, 留守
  丙童 南门村  registered 2025-09-01, active, green, 社会散居孤儿, 生活困难 + 家庭变故
  丁童 南门村  closed 2026-03-01 (before the period): not in the period's ledger; 留守
  戊童 山东村  registered 2025-06-01, closed 2026-05-25 (in the period): counted; 无, 流动
  screenings: 甲 05-20 (positive, suicidal-ideation alert, closed 05-22), 甲 06-01 (negative),
              乙 05-25 (negative), 丙 04-01 (positive, alert still open; before the period)
  care plans: 甲 from 05-22 active; 丙 from 03-01 completed
  referrals:  甲 05-23 admitted; 丙 03-05 ended (before the period)
  pairings:   甲 from 05-24, followed up 05-31, next 06-14; 丙 from 04-01, next 05-01 (overdue)
  visits:     甲 05-18 and 05-28 (red: next 06-11); 乙 none (first due 05-27: overdue);
              丙 2026-02-01 (green: next 05-02: overdue); 戊 05-16 (closed since)
  activities: 六一游园 05-30 (甲乙丙; 10 guardians, 20 other children, 5 public, 4 volunteers;
              副县长 李县长 county + 镇党委书记 王书记 township; 微信, 网络; partner 心语社工),
              心理讲座 05-22 (甲; 3 teachers; 王书记 again; 微信; partners 心语社工 + 润苗基金会),
              家庭教育 06-08, after the deadline (甲; 2 public; no leader, no brand): not yet
              held on 06-03, so counted only in figures taken from 06-08;
              also an LS activity with no campaign (乙) and a county activity (平一): excluded
  purchased service 12000.50 yuan, children 甲乙 + 3 others; training 2.5 h, 1 + 4 + 2 people
平等镇 (PD)
  平一 罗汉村 registered 2026-02-01, orange, 留守; 平二 罗汉村 registered 2026-02-01, yellow, 流动
  screening: 平一 05-26 positive (alert open); visits: 平一 05-20 (next 06-19), 平二 none
  activity: 运动会 05-28 (平一 平二; 4 guardians; 村支书 张支书 village)
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.choices import Role
from activities.choices import ActivityForm, Channel, LeaderLevel, PartnerKind
from activities.models import (
    Activity,
    ActivityChannel,
    ActivityFormat,
    ActivityLeader,
    Campaign,
    Participation,
    PartnerOrganisation,
    PurchasedService,
    Training,
)
from care.models import (
    CarePlan,
    FollowUp,
    Institution,
    Mentor,
    Pairing,
    Referral,
    SafetyAlert,
    Screening,
)
from children.models import ChildCircumstance
from tests import factories
from visits.models import Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIGURES_TODAY = dt.date(2026, 6, 3)
D = dt.date


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        year=2026,
        start_date=D(2026, 5, 15),
        end_date=D(2026, 6, 10),
        report_deadline=D(2026, 6, 4),
    )


def make_child(name, township, village, *, circumstances=(), **fields):
    child = factories.ChildFactory(
        name=name, village=factories.village(township, village), **fields
    )
    for code in circumstances:
        ChildCircumstance.objects.create(child=child, code=code)
    return child


def screening(child, day, user, *, positive=False, band="minimal"):
    return Screening.objects.create(
        child=child,
        screened_on=day,
        instrument="PHQA",
        respondent="self",
        answers={"1": 0},
        total=20 if positive else 2,
        band=band,
        positive=positive,
        cutoff_version="test",
        entered_by=user,
    )


def alert(child, shot, kind, raised, user, *, closed=None):
    item = SafetyAlert.objects.create(child=child, screening=shot, kind=kind)
    fields = {"raised_at": raised}
    if closed is not None:
        fields |= {
            "status": "closed",
            "closed_at": closed,
            "closed_by": user,
            "resolution": "note",
            "note": "已联系监护人并安排心理辅导。",
        }
    SafetyAlert.objects.filter(pk=item.pk).update(**fields)
    return item


def visit(child, day, user):
    return Visit.objects.create(
        child=child,
        date=day,
        kind="home",
        visitor=user,
        emotion_state="good",
        study_state="good",
        life_state="good",
        safety_state="good",
        created_by=user,
    )


def activity(campaign, township, title, start, *, children=(), forms=(), leaders=(), **fields):
    item = Activity.objects.create(
        campaign=campaign,
        township=township,
        title=title,
        start_date=start,
        end_date=start,
        **fields,
    )
    for code in forms:
        ActivityFormat.objects.create(activity=item, code=code)
    for name, post, level in leaders:
        ActivityLeader.objects.create(activity=item, name=name, post=post, level=level)
    for child in children:
        Participation.objects.create(activity=item, child=child)
    return item


def build_dataset(campaign, suffix=""):
    """The dataset; ``suffix`` keeps unique names apart when it is built again (more data
    for the query-count tests)."""
    ls, pd = factories.township("龙胜镇"), factories.township("平等镇")
    user = factories.make_user(
        Role.TOWNSHIP_SUPERVISOR, township_name="龙胜镇", username=f"f-ls{suffix}"
    )
    pd_user = factories.make_user(
        Role.TOWNSHIP_SUPERVISOR, township_name="平等镇", username=f"f-pd{suffix}"
    )

    # --- ledger
    jia = make_child(
        "甲童",
        "龙胜镇",
        "山东村",
        registered_on=D(2026, 1, 10),
        risk_level="red",
        benefit_category="other_difficulty",
        circumstances=["left_behind", "psychological"],
    )
    yi = make_child(
        "乙童",
        "龙胜镇",
        "山东村",
        registered_on=D(2026, 5, 20),
        risk_level="yellow",
        benefit_category="de_facto_unsupported",
        circumstances=["left_behind"],
    )
    bing = make_child(
        "丙童",
        "龙胜镇",
        "南门村",
        registered_on=D(2025, 9, 1),
        risk_level="green",
        benefit_category="scattered_orphan",
        circumstances=["living_difficulty", "family_crisis"],
    )
    ding = make_child(
        "丁童",
        "龙胜镇",
        "南门村",
        registered_on=D(2025, 1, 1),
        status="closed",
        closed_on=D(2026, 3, 1),
        close_reason="moved_out",
        circumstances=["left_behind"],
    )
    wu = make_child(
        "戊童",
        "龙胜镇",
        "山东村",
        registered_on=D(2025, 6, 1),
        status="closed",
        closed_on=D(2026, 5, 25),
        close_reason="moved_out",
        benefit_category="none",
        risk_level="yellow",
        circumstances=["migrant"],
    )
    ping1 = make_child(
        "平一",
        "平等镇",
        "罗汉村",
        registered_on=D(2026, 2, 1),
        risk_level="orange",
        circumstances=["left_behind"],
    )
    ping2 = make_child(
        "平二",
        "平等镇",
        "罗汉村",
        registered_on=D(2026, 2, 1),
        risk_level="yellow",
        circumstances=["migrant"],
    )

    # --- screenings and alerts
    jia_shot = screening(jia, D(2026, 5, 20), user, positive=True, band="moderately_severe")
    alert(jia, jia_shot, "suicidal_ideation", at(2026, 5, 20), user, closed=at(2026, 5, 22))
    screening(jia, D(2026, 6, 1), user)
    screening(yi, D(2026, 5, 25), user)
    bing_shot = screening(bing, D(2026, 4, 1), user, positive=True, band="moderate")
    alert(bing, bing_shot, "positive_screening", at(2026, 4, 1), user)
    ping_shot = screening(ping1, D(2026, 5, 26), pd_user, positive=True, band="moderate")
    alert(ping1, ping_shot, "positive_screening", at(2026, 5, 26), pd_user)

    # --- care plans, referrals, pairings
    for child, start, status in [
        (jia, D(2026, 5, 22), "active"),
        (bing, D(2026, 3, 1), "completed"),
    ]:
        CarePlan.objects.create(
            child=child,
            goals="稳定情绪",
            measures="每周心理辅导",
            responsible_name="李老师",
            started_on=start,
            review_on=start + dt.timedelta(days=60),
            status=status,
            created_by=user,
        )
    hospital = Institution.objects.create(name=f"县人民医院心理门诊{suffix}", kind="medical")
    for child, day, status in [(jia, D(2026, 5, 23), "admitted"), (bing, D(2026, 3, 5), "ended")]:
        Referral.objects.create(
            child=child,
            institution=hospital,
            reason="测评提示风险",
            referred_on=day,
            status=status,
            status_on=day,
            created_by=user,
        )
    mentor = Mentor.objects.create(name="王老师", kind="teacher")
    jia_pair = Pairing.objects.create(
        child=jia,
        mentor=mentor,
        started_on=D(2026, 5, 24),
        interval_days=14,
        next_follow_up_on=D(2026, 6, 14),
        created_by=user,
    )
    FollowUp.objects.create(
        pairing=jia_pair,
        followed_on=D(2026, 5, 31),
        by_name="王老师",
        condition="情绪平稳",
        created_by=user,
    )
    Pairing.objects.create(
        child=bing,
        mentor=mentor,
        started_on=D(2026, 4, 1),
        interval_days=30,
        next_follow_up_on=D(2026, 5, 1),
        created_by=user,
    )

    # --- visits
    visit(jia, D(2026, 5, 18), user)
    visit(jia, D(2026, 5, 28), user)
    visit(bing, D(2026, 2, 1), user)
    visit(wu, D(2026, 5, 16), user)
    visit(ping1, D(2026, 5, 20), pd_user)

    # --- activities
    xinyu = PartnerOrganisation.objects.create(
        name=f"龙胜县心语社会工作服务中心{suffix}", kind=PartnerKind.SOCIAL_ORGANISATION
    )
    runmiao = PartnerOrganisation.objects.create(
        name=f"桂林润苗公益慈善基金会{suffix}", kind=PartnerKind.CHARITY
    )
    county_leader = ("李县长", "副县长", LeaderLevel.COUNTY)
    town_leader = ("王书记", "镇党委书记", LeaderLevel.TOWNSHIP)
    fair = activity(
        campaign,
        ls,
        "六一游园",
        D(2026, 5, 30),
        children=[jia, yi, bing],
        forms=[ActivityForm.LIGHT_UP_JUNE_FIRST, ActivityForm.THEME_DAY],
        leaders=[county_leader, town_leader],
        brand="龙脊润心",
        featured_practice="各村儿童排练民族歌舞。",
        innovative_practice="设立心愿墙。",
        effect="儿童与家长共同参与。",
        guardians_count=10,
        other_children_count=20,
        public_count=5,
        volunteers_count=4,
    )
    fair.partners.add(xinyu)
    ActivityChannel.objects.create(activity=fair, channel=Channel.WECHAT)
    ActivityChannel.objects.create(activity=fair, channel=Channel.INTERNET)
    talk = activity(
        campaign,
        ls,
        "心理讲座",
        D(2026, 5, 22),
        children=[jia],
        forms=[ActivityForm.LECTURE],
        leaders=[town_leader],
        brand="龙脊润心",
        teachers_count=3,
    )
    talk.partners.add(xinyu, runmiao)
    ActivityChannel.objects.create(activity=talk, channel=Channel.WECHAT)
    activity(
        campaign,
        ls,
        "家庭教育",
        D(2026, 6, 8),
        children=[jia],
        forms=[ActivityForm.FAMILY_EDUCATION],
        public_count=2,
    )
    activity(None, ls, "日常走访", D(2026, 5, 26), children=[yi], guardians_count=50)
    activity(campaign, None, "县级启动仪式", D(2026, 5, 16), children=[ping1], public_count=99)
    activity(
        campaign,
        pd,
        "运动会",
        D(2026, 5, 28),
        children=[ping1, ping2],
        forms=[ActivityForm.SPORTS_MEET],
        leaders=[("张支书", "村支书", LeaderLevel.VILLAGE)],
        guardians_count=4,
    )

    service = PurchasedService.objects.create(
        campaign=campaign,
        township=ls,
        organisation=xinyu,
        content="个案心理辅导",
        start_date=D(2026, 5, 15),
        end_date=D(2026, 12, 31),
        amount=Decimal("12000.50"),
        other_children_count=3,
    )
    service.children.add(jia, yi)
    Training.objects.create(
        campaign=campaign,
        township=ls,
        date=D(2026, 5, 21),
        topic="儿童心理危机识别",
        trainer="县医院心理科",
        hours=Decimal("2.5"),
        supervisors_count=1,
        directors_count=4,
        others_count=2,
    )
    return SimpleNamespace(
        campaign=campaign,
        ls=ls,
        pd=pd,
        ls_user=user,
        pd_user=pd_user,
        children=[jia, yi, bing, ding, wu, ping1, ping2],
    )


# Every record of the dataset is entered before the period (figures of a version leave out
# what was entered after its freeze instant); a test entering more does so at its own time.
ENTERED = at(2026, 5, 14, 9)


@pytest.fixture
def dataset(campaign):
    import time_machine

    with time_machine.travel(ENTERED, tick=False):
        return build_dataset(campaign)


@pytest.fixture
def frozen_figures_day():
    """Figures computed on 2026-06-03 (local noon)."""
    import time_machine

    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        yield timezone.localdate()

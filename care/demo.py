"""Demo care records for the synthetic children (seed_demo runs this after the ledger's seed).

Everything goes through the services, so risk levels, alerts and history behave exactly as
in real use. Idempotent: each record is keyed by its child and what it is (the instrument,
the institution, the mentor), so a second run finds it and writes nothing. Without synthetic
children it does nothing.

What a newcomer sees: a spread of PHQ-A, GAD-7, SCARED and CES-DC screenings, each on a
child of an age the instrument fits; exactly one open suicidal-ideation alert in 龙胜镇 (a
PHQ-A with item 9 = 1 and a low total) with its 24-hour deadline; an open positive-screening
alert past its 7-day deadline, escalated to the township and then the county; three closed
alerts (actions with a care plan, a referral, and guardian + safety plan); care plans, one
with its review overdue; referrals in several statuses including one 已出院 with a pairing
whose follow-up is overdue.
"""

import datetime as dt

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from care import choices, services
from care.models import (
    CarePlan,
    CareSettings,
    Incident,
    Institution,
    Mentor,
    Pairing,
    Referral,
    SafetyAlert,
    Screening,
)
from care.screening import age_in_years, get_instrument
from children.choices import ConsentKind, ConsentStatus
from children.demo import campaign_anchor
from children.models import Child, Consent
from children.services_consent import consent_record

DEMO_NOTE = "演示数据（虚构），联系方式非真实"

INSTITUTIONS = [
    ("龙胜各族自治县人民医院心理门诊", choices.InstitutionType.MEDICAL, "陈医生", "0773-0000101"),
    ("桂林市第二人民医院（精神专科）", choices.InstitutionType.MEDICAL, "周医生", "0773-0000102"),
    (
        "龙胜县社会工作服务中心",
        choices.InstitutionType.SOCIAL_PSYCHOLOGICAL,
        "蒙社工",
        "0773-0000103",
    ),
    ("龙胜中学心理辅导室", choices.InstitutionType.SCHOOL, "吴老师", "0773-0000104"),
]
MENTORS = [
    ("李春梅", choices.MentorType.TEACHER, "龙胜中学", "13900000001"),
    ("潘永福", choices.MentorType.CHILD_DIRECTOR, "山东村村民委员会", "13900000002"),
    ("石晓兰", choices.MentorType.SOCIAL_WORKER, "龙胜县社会工作服务中心", "13900000003"),
    ("粟志强", choices.MentorType.VOLUNTEER, "龙胜县青年志愿者协会", "13900000004"),
]


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message)


def _actor_for(child, fallback):
    """The township's supervisor when there is one (as in real use), else the county admin."""
    return (
        User.objects.filter(
            role=Role.TOWNSHIP_SUPERVISOR, township_id=child.township_id, is_active=True
        )
        .order_by("pk")
        .first()
        or fallback
    )


def _answers(code, value, **overrides):
    instrument = get_instrument(code)
    answers = dict.fromkeys(instrument.item_numbers, value)
    answers.update({int(k.removeprefix("i")): v for k, v in overrides.items()})
    return answers


def _screen(child, actor, code, on, answers):
    existing = Screening.objects.filter(child=child, instrument=code).first()
    if existing is not None:
        return existing, False
    screening = services.screening_record(
        actor=actor,
        child=child,
        instrument=code,
        respondent=choices.Respondent.SELF,
        screened_on=on,
        answers=answers,
    )
    return screening, True


def _institution(name):
    return Institution.objects.get(name=name)


def _plan(child, actor, *, goals, services_, started_on, review_on, measures):
    plan = CarePlan.objects.filter(child=child, goals=goals).first()
    if plan is None:
        plan = services.care_plan_create(
            actor=actor,
            child=child,
            data={
                "goals": goals,
                "measures": measures,
                "responsible_name": actor.display_name,
                "started_on": started_on,
                "review_on": review_on,
            },
            services=services_,
        )
    return plan


def _referral(child, actor, institution, *, on, reason, steps=()):
    """A referral and its status steps [(status, date, reason)], each dated."""
    referral = Referral.objects.filter(child=child, institution=institution).first()
    if referral is not None:
        return referral
    if not Consent.objects.filter(
        child=child, kind=ConsentKind.SHARING, recipient=institution.name
    ).exists():
        # The guardian signs the consent to share the child's information with the
        # institution before the referral (个人信息保护法 art. 31).
        consent_record(
            actor=actor,
            child=child,
            data={
                "kind": ConsentKind.SHARING,
                "recipient": institution.name,
                "status": ConsentStatus.GIVEN,
                "signed_on": on,
                "signer_name": child.guardian_name or "监护人",
                "signer_relation": "grandparent",
                "child_assent": "given",
                "note": DEMO_NOTE,
            },
        )
    referral = services.referral_create(
        actor=actor,
        child=child,
        institution=institution,
        reason=reason,
        referred_on=on,
        guardian_consent=True,
    )
    for status, changed_on, why in steps:
        referral = services.referral_change_status(
            actor=actor, referral=referral, to_status=status, changed_on=changed_on, reason=why
        )
    return referral


def _fits(child, code, on) -> bool:
    instrument = get_instrument(code)
    return instrument.fits_age(instrument.respondents[0], age_in_years(child.birth_date, on))


def _close(screening, actor, **how):
    alert = getattr(screening, "safety_alert", None)
    if alert is not None and alert.is_open:
        services.alert_close(actor=actor, alert=alert, **how)


def seed(stdout=None) -> None:
    # Only children whose guardian consents to screening (a withdrawn consent stops them).
    children = list(
        Child.objects.filter(
            is_synthetic=True,
            status="active",
            consents__kind=ConsentKind.SCREENING,
            consents__status=ConsentStatus.GIVEN,
        )
        .select_related("township", "village")
        .order_by("pk")
    )
    if not children:
        _say(stdout, "关爱服务：没有合成演示儿童，跳过关爱记录演示数据。")
        return
    county = User.objects.filter(role=Role.COUNTY_ADMIN, is_active=True).order_by("pk").first()
    if county is None:
        _say(stdout, "关爱服务：没有县未保中心管理员账号，跳过关爱记录演示数据。")
        return

    for name, kind, contact, phone in INSTITUTIONS:
        Institution.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "contact_person": contact, "phone": phone, "note": DEMO_NOTE},
        )
    mentors = []
    for name, kind, organisation, phone in MENTORS:
        mentor, _created = Mentor.objects.get_or_create(
            name=name,
            organisation=organisation,
            defaults={"kind": kind, "phone": phone, "note": DEMO_NOTE, "created_by": county},
        )
        mentors.append(mentor)

    today = timezone.localdate()
    # Counted back from a day inside the 2026 campaign (before 龙胜镇's submission), so the
    # campaign report counts these screenings and alerts whatever day the demo is seeded.
    anchor = campaign_anchor(today)

    def ago(days):
        return anchor - dt.timedelta(days=days)

    # 龙胜镇 (山东村 first, the ``director`` login's village) carries the records the demo
    # logins should meet at once: the open alert, the discharged child with an overdue
    # follow-up, the plan whose review is overdue. The rest go round the other townships.
    # The first of them answers the PHQ-A (ages 11–17): the oldest-fitting first.
    longsheng = sorted(
        (c for c in children if c.township.name == "龙胜镇"),
        key=lambda c: (c.village.name != "山东村", not _fits(c, "PHQA", ago(2)), c.pk),
    )
    featured = longsheng[:3]
    by_township: dict[int, list] = {}
    for child in children:
        if child not in featured:
            by_township.setdefault(child.township_id, []).append(child)
    queues = [by_township[key] for key in sorted(by_township)]
    others = [
        queue[i]
        for i in range(max(map(len, queues), default=0))
        for queue in queues
        if i < len(queue)
    ]

    def feature(index):
        return featured[index] if index < len(featured) else None

    def pick(index):
        return others[index] if index < len(others) else None

    taken: set[int] = set()

    def pick_for(code, on):
        """The next child not yet screened here whose age fits ``code`` on ``on``."""
        for child in others:
            if child.pk not in taken and _fits(child, code, on):
                taken.add(child.pk)
                return child
        return None

    # 1. The one open suicidal-ideation alert in 龙胜镇: PHQ-A, low total, item 9 = 1.
    child = feature(0)
    if child is not None and _fits(child, "PHQA", ago(2)):
        _screen(child, _actor_for(child, county), "PHQA", ago(2), _answers("PHQA", 0, i1=1, i9=1))

    # 2. Closed alerts, each closed by a different action.
    child = pick_for("GAD7", ago(40))
    if child is not None:  # GAD-7 severe → care plan
        actor = _actor_for(child, county)
        screening, _new = _screen(child, actor, "GAD7", ago(14), _answers("GAD7", 3))
        plan = _plan(
            child,
            actor,
            goals="缓解焦虑情绪，恢复正常作息和学习",
            services_=[choices.CareService.COUNSELLING, choices.CareService.EMOTIONAL_GUIDANCE],
            started_on=ago(12),
            review_on=today + dt.timedelta(days=20),
            measures="每两周心理辅导一次；班主任关注课堂表现；每月与监护人沟通。",
        )
        _close(
            screening,
            actor,
            actions=[choices.AlertAction.CARE_PLAN, choices.AlertAction.GUARDIAN_INFORMED],
            care_plan=plan,
            note="已告知监护人，制定关爱方案，每两周心理辅导一次。",
        )
    child = pick_for("CESDC", ago(50))
    if child is not None:  # CES-DC positive → referral, now in outpatient treatment
        actor = _actor_for(child, county)
        screening, _new = _screen(child, actor, "CESDC", ago(16), _answers("CESDC", 2))
        referral = _referral(
            child,
            actor,
            _institution("龙胜各族自治县人民医院心理门诊"),
            on=ago(15),
            reason="CES-DC 测评阳性，情绪持续低落，经监护人同意转介门诊评估。",
            steps=[
                (choices.ReferralStatus.ADMITTED, ago(13), "门诊接诊评估"),
                (choices.ReferralStatus.OUTPATIENT, ago(12), "门诊定期复诊"),
            ],
        )
        _close(
            screening,
            actor,
            actions=[choices.AlertAction.REFERRAL],
            referral=referral,
            note="经监护人同意转介县医院心理门诊，已接诊。",
        )
    child = pick_for("SCARED", ago(30))
    if child is not None:  # SCARED positive → guardian informed, safety plan agreed
        actor = _actor_for(child, county)
        screening, _new = _screen(child, actor, "SCARED", ago(10), _answers("SCARED", 1))
        _close(
            screening,
            actor,
            actions=[choices.AlertAction.GUARDIAN_INFORMED, choices.AlertAction.SAFETY_PLAN],
            note="已与监护人面谈，学校心理老师每周谈心一次，一个月后复测。",
        )

    # 2b. An open positive-screening alert nobody acted on: raised 9 days ago with the 7-day
    # deadline, so escalated to the township supervisor and then to the county center.
    child = pick_for("GAD7", ago(9))
    if child is not None:
        screening, new = _screen(
            child,
            _actor_for(child, county),
            "GAD7",
            ago(9),
            _answers("GAD7", 0, i1=3, i2=3, i3=3, i4=1),
        )
        alert = getattr(screening, "safety_alert", None)
        if new and alert is not None:
            # Demo data only: the alert's clock set back to its screening date (a service
            # always raises an alert now), then escalated by the same job production runs.
            raised = timezone.now() - dt.timedelta(days=9)
            hours = CareSettings.current().deadline_hours(alert.kind)
            SafetyAlert.objects.filter(pk=alert.pk).update(
                raised_at=raised, due_at=raised + dt.timedelta(hours=hours)
            )
            alert.events.filter(kind=choices.AlertEventKind.RAISED).update(at=raised)
            services.alerts_escalate()

    # 3. Negative screenings spread over the campaign's first weeks and the month before.
    for index, code in enumerate(["PHQA", "GAD7", "SCARED", "CESDC"] * 3):
        child = pick_for(code, ago(5 + 4 * index))
        if child is None:
            continue
        answers = _answers(code, 0)
        if code == "CESDC":  # the positively worded items answered "很多" score 0
            answers = _answers(code, 0, i4=3, i8=3, i12=3, i16=3)
        _screen(child, _actor_for(child, county), code, ago(3 + 2 * index), answers)

    # 4. A care plan whose review is overdue.
    child = feature(2)
    if child is not None:
        _plan(
            child,
            _actor_for(child, county),
            goals="改善亲子沟通，减少留守带来的孤独感",
            services_=[choices.CareService.COMFORT, choices.CareService.FAMILY_EDUCATION],
            started_on=ago(95),
            review_on=ago(5),
            measures="每月电话联系外出务工父母；儿童主任每两周谈心一次。",
        )

    # 4b. A plan the 山东村 director drafted and submitted: on 龙胜镇's supervisor's to-do
    # list (待审批) until approved; not counted as made until then.
    director = User.objects.filter(username="director", is_active=True).first()
    child = feature(0)
    if director is not None and child is not None and child.village_id == director.village_id:
        _plan(
            child,
            director,
            goals="稳定情绪，建立安全感，按时上学",
            services_=[choices.CareService.EMOTIONAL_GUIDANCE, choices.CareService.COMFORT],
            started_on=ago(1),
            review_on=ago(1) + dt.timedelta(days=30),
            measures="儿童主任每周谈心一次；联系学校心理老师每两周辅导一次；每月告知监护人。",
        )

    # 5. Referrals: one not taken up, one discharged with a pairing and an overdue follow-up.
    child = pick(4)
    if child is not None:
        _referral(
            child,
            _actor_for(child, county),
            _institution("龙胜县社会工作服务中心"),
            on=ago(25),
            reason="家庭变故后情绪波动，转介社工跟进。",
            steps=[(choices.ReferralStatus.NOT_ADMITTED, ago(20), "监护人暂不同意接受服务")],
        )
    child = feature(1)
    if child is not None:
        actor = _actor_for(child, county)
        referral = _referral(
            child,
            actor,
            _institution("桂林市第二人民医院（精神专科）"),
            on=ago(120),
            reason="情绪和行为异常，经县医院建议转诊精神专科。",
            steps=[
                (choices.ReferralStatus.ADMITTED, ago(118), "专科接诊"),
                (choices.ReferralStatus.INPATIENT, ago(117), "住院治疗"),
                (choices.ReferralStatus.DISCHARGED, ago(75), "病情稳定出院，回校就读"),
            ],
        )
        pairing = Pairing.objects.filter(child=child, mentor=mentors[0]).first()
        if pairing is None:
            pairing = services.pairing_create(
                actor=actor,
                child=child,
                mentor=mentors[0],
                started_on=ago(70),
                interval_days=30,
                referral=referral,
                note="出院后回校，由班主任结对，关注情绪、服药和学业。",
            )
            # Last follow-up 40 days ago, every 30 days: the next one was due 10 days ago.
            services.follow_up_record(
                actor=actor,
                pairing=pairing,
                followed_on=ago(40),
                by_name=mentors[0].name,
                condition="按时服药，上课能集中注意力，与同学交往有所改善。",
                next_step="下月家访，联系监护人了解睡眠情况。",
            )
    child = pick(5)
    if child is not None:
        actor = _actor_for(child, county)
        if not Pairing.objects.filter(child=child, mentor=mentors[2]).exists():
            pairing = services.pairing_create(
                actor=actor,
                child=child,
                mentor=mentors[2],
                started_on=ago(20),
                interval_days=30,
                note="社工每月上门，陪伴学习，链接助学资源。",
            )
            services.follow_up_record(
                actor=actor,
                pairing=pairing,
                followed_on=ago(5),
                by_name=mentors[2].name,
                condition="情绪稳定，愿意参加村里的周末活动。",
                next_step="继续每月上门。",
            )
    _seed_sessions_and_incident(county, featured, ago)
    _say(stdout, "关爱服务：关爱记录演示数据已就绪。")


SESSION_PLAN = [
    # (days ago, kind, delivered by, provider, minutes, notes)
    (
        18, choices.SessionKind.COUNSELLING, choices.DeliveredBy.PURCHASED,
        "龙胜县社会工作服务中心 石晓兰（购买服务）", 50, "个案心理辅导：学习压力与睡眠。",
    ),
    (
        11, choices.SessionKind.EMOTIONAL_GUIDANCE, choices.DeliveredBy.STAFF,
        "", 30, "放学后谈心，情绪较上次平稳。",
    ),
    (
        4, choices.SessionKind.FAMILY_EDUCATION, choices.DeliveredBy.PARTNER,
        "龙胜县心语社会工作服务中心", 60, "与祖母沟通陪伴方式（家庭教育指导）。",
    ),
]  # fmt: skip


def _seed_sessions_and_incident(county, featured, ago) -> None:
    """Services delivered (服务记录) under every active demo plan that has none, and one
    mandatory report (强制报告) for a featured 龙胜镇 child. Idempotent."""
    for plan in CarePlan.objects.filter(
        child__is_synthetic=True, status=choices.PlanStatus.ACTIVE, sessions__isnull=True
    ).select_related("child"):
        actor = _actor_for(plan.child, county)
        for days, kind, by, provider, minutes, notes in SESSION_PLAN:
            day = max(ago(days), plan.started_on)
            if day > timezone.localdate():
                continue
            services.session_record(
                actor=actor,
                plan=plan,
                data={
                    "delivered_on": day,
                    "kind": kind,
                    "delivered_by": by,
                    "provider_name": provider or actor.display_name,
                    "provider_user": actor if by == choices.DeliveredBy.STAFF else None,
                    "duration_minutes": minutes,
                    "notes": notes,
                },
            )
    child = featured[2] if len(featured) > 2 else None
    if child is None or Incident.objects.filter(child=child).exists():
        return
    services.incident_record(
        actor=_actor_for(child, county),
        child=child,
        data={
            "kind": choices.IncidentKind.NEGLECT,
            "occurred_on": ago(9),
            "description": "（演示，虚构）邻居反映儿童连续多日独自在家，无人照料饮食。",
            "reported_to": choices.ReportedTo.BOTH,
            "reported_on": ago(9),
            "reported_by_name": "山东村儿童主任",
            "reference_number": "演示-2026-001",
            "status": choices.IncidentStatus.INVESTIGATING,
            "outcome": "",
        },
    )

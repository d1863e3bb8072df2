"""Demo data: the 2026 campaign with 「六一」 activities in 龙胜镇 and 平等镇, their leaders,
brands, partners and participants, a purchased service and a training.

Idempotent: every record has a natural key (campaign year; partner name; activity campaign +
township + title; service organisation + start date; training township + date + topic) and
is only created when absent. Participants are the synthetic children of the demo ledger;
without children, activities are created without participants.
"""

import datetime as dt
from decimal import Decimal

from accounts.models import Township, User
from activities import services
from activities.choices import ActivityForm, Channel, LeaderLevel, PartnerKind
from activities.models import Activity, Campaign, PartnerOrganisation, PurchasedService, Training
from children.models import Child

YEAR = 2026

# Codes taken from tests/activities/test_credit_code.py: valid check characters.
PARTNERS = [
    ("龙胜县心语社会工作服务中心", PartnerKind.SOCIAL_ORGANISATION, "91350100M000100Y43", "县级"),
    ("桂林润苗公益慈善基金会", PartnerKind.CHARITY, "91110000600037341L", "县级"),
    ("龙胜各族自治县人民医院", PartnerKind.MEDICAL, "", "县级"),
    ("平等镇中心小学", PartnerKind.SCHOOL, "91440300708461136T", "平等镇"),
    ("龙胜红枫志愿服务队", PartnerKind.VOLUNTEER_TEAM, "91110108551385082Q", "龙胜镇"),
]

# title, township, start, end, forms, brand, leaders, partners, children (offset, count), others
ACTIVITIES = [
    {
        "title": "「点亮六一」困境儿童关爱游园会",
        "township": "龙胜镇",
        "start": dt.date(2026, 5, 30),
        "end": dt.date(2026, 5, 30),
        "forms": [ActivityForm.LIGHT_UP_JUNE_FIRST, ActivityForm.THEME_DAY],
        "place": "龙胜镇文化广场",
        "organiser": "龙胜镇人民政府、龙胜镇民政事务管理所",
        "brand": "龙脊润心",
        "featured": (
            "以「一村一节目」形式，由儿童主任带领各村困境儿童排练民族歌舞，在游园会上展示。"
        ),
        "innovative": "引入「心愿墙」：儿童写下心愿，由结对志愿者在六月内逐一认领、完成并回访。",
        "effect": "困境儿童及家长共同参与，儿童主任现场完成心理健康初筛宣传，发放关爱包。",
        "leaders": [
            ("潘建华", "县民政局副局长", LeaderLevel.COUNTY),
            ("杨秀梅", "龙胜镇党委副书记", LeaderLevel.TOWNSHIP),
        ],
        "channels": [
            (Channel.WECHAT, "https://example.com/wechat/longsheng-0530"),
            (Channel.ELECTRONIC_SCREEN, ""),
        ],
        "partners": ["龙胜红枫志愿服务队", "桂林润苗公益慈善基金会"],
        "children": (0, 12),
        "counts": {"guardians_count": 18, "other_children_count": 25, "public_count": 40},
        "volunteers": 15,
    },
    {
        "title": "「润心伴成长」心理健康宣讲进校园",
        "township": "龙胜镇",
        "start": dt.date(2026, 5, 22),
        "end": dt.date(2026, 5, 22),
        "forms": [ActivityForm.MENTAL_HEALTH_TALK, ActivityForm.LECTURE],
        "place": "龙胜镇中心小学",
        "organiser": "龙胜镇民政事务管理所",
        "brand": "龙脊润心",
        "featured": "由县人民医院心理医生讲授情绪识别与求助方法，儿童主任同步讲解求助渠道。",
        "innovative": "课后设「悄悄话信箱」，由社工每周开箱并个别回应。",
        "effect": "学生掌握三种情绪调节方法；收到悄悄话信件 23 封，转介 2 名儿童接受进一步辅导。",
        "leaders": [("杨秀梅", "龙胜镇党委副书记", LeaderLevel.TOWNSHIP)],
        "channels": [(Channel.INTERNET, "https://example.com/news/longsheng-0522")],
        "partners": ["龙胜县心语社会工作服务中心", "龙胜各族自治县人民医院"],
        "children": (4, 10),
        "counts": {"teachers_count": 12, "other_children_count": 160},
        "volunteers": 4,
    },
    {
        "title": "家庭教育指导主题日",
        "township": "龙胜镇",
        "start": dt.date(2026, 6, 1),
        "end": dt.date(2026, 6, 1),
        "forms": [ActivityForm.FAMILY_EDUCATION, ActivityForm.THEME_DAY],
        "place": "山东村村委会",
        "organiser": "山东村村民委员会",
        "brand": "",
        "featured": "邀请祖辈监护人参加「隔代教育」小组，分享与留守孙辈沟通的方法。",
        "innovative": "",
        "effect": "监护人学会每周与在外务工父母视频通话的安排方法。",
        "leaders": [("吴国强", "山东村党支部书记", LeaderLevel.VILLAGE)],
        "channels": [(Channel.WECHAT, "")],
        "partners": ["龙胜县心语社会工作服务中心"],
        "children": (0, 6),
        "counts": {"guardians_count": 14},
        "volunteers": 2,
    },
    {
        "title": "「平等护苗」六一游园暨知识竞赛",
        "township": "平等镇",
        "start": dt.date(2026, 5, 29),
        "end": dt.date(2026, 5, 29),
        "forms": [
            ActivityForm.LIGHT_UP_JUNE_FIRST,
            ActivityForm.KNOWLEDGE_QUIZ,
            ActivityForm.SPORTS_MEET,
        ],
        "place": "平等镇中心小学操场",
        "organiser": "平等镇人民政府",
        "brand": "平等护苗",
        "featured": "以侗族多耶舞开场，竞赛题目融入未成年人保护法和自我保护知识。",
        "innovative": "竞赛积分可兑换「护苗成长卡」，由学校和家长共同记录儿童一个月内的进步。",
        "effect": "参与儿童自我保护知识答对率由 58% 提高到 86%。",
        "leaders": [
            ("潘建华", "县民政局副局长", LeaderLevel.COUNTY),
            ("石丽芳", "平等镇副镇长", LeaderLevel.TOWNSHIP),
        ],
        "channels": [
            (Channel.SHORT_VIDEO, "https://example.com/video/pingdeng-0529"),
            (Channel.NEWSPAPER, ""),
        ],
        "partners": ["平等镇中心小学", "桂林润苗公益慈善基金会"],
        "children": (0, 10),
        "counts": {"guardians_count": 9, "teachers_count": 8, "other_children_count": 90},
        "volunteers": 10,
    },
    {
        "title": "「云咨询」心理关爱服务日",
        "township": "平等镇",
        "start": dt.date(2026, 6, 2),
        "end": dt.date(2026, 6, 3),
        "forms": [ActivityForm.CLOUD_CONSULTATION, ActivityForm.MENTAL_HEALTH_TALK],
        "place": "平等镇民政事务管理所",
        "organiser": "平等镇民政事务管理所",
        "brand": "平等护苗",
        "featured": "由县人民医院心理科医生线上连线，为偏远村寨儿童及监护人答疑。",
        "innovative": "儿童主任携平板入户，帮助不会使用手机的祖辈监护人参与咨询。",
        "effect": "完成线上咨询 21 人次，对 3 名儿童提出进一步评估建议。",
        "leaders": [],
        "channels": [(Channel.MINI_PROGRAM, "")],
        "partners": ["龙胜各族自治县人民医院"],
        "children": (3, 6),
        "counts": {"guardians_count": 11},
        "volunteers": 0,
    },
]


# Run by the county center itself (township None), with children of two townships: the
# county report counts each of them once (人) with every attendance (人次), in its own 县级 row.
COUNTY_ACTIVITY = {
    "title": "「润心伴成长，同心护未来」全县启动仪式",
    "township": None,
    "start": dt.date(2026, 5, 16),
    "end": dt.date(2026, 5, 16),
    "forms": [ActivityForm.THEME_DAY, ActivityForm.PATRIOTIC_BASE],
    "place": "龙胜各族自治县红军标语楼（爱国主义教育基地）",
    "organiser": "龙胜各族自治县民政局未成年人保护中心",
    "brand": "",
    "featured": "参观爱国主义教育基地，由老党员讲述红军长征过龙胜的故事。",
    "innovative": "",
    "effect": "困境儿童代表写下「我的成长心愿」，由县未保中心逐一登记跟进。",
    "leaders": [("潘建华", "县民政局副局长", LeaderLevel.COUNTY)],
    "channels": [(Channel.WECHAT, "")],
    "partners": ["桂林润苗公益慈善基金会"],
    "children_by_township": [("龙胜镇", 0, 4), ("平等镇", 0, 4)],
    "counts": {"guardians_count": 8, "public_count": 30},
    "volunteers": 6,
}


def _log(stdout, message):
    if stdout is not None:
        stdout.write(message)


def _children(township: Township, offset: int, count: int) -> list[Child]:
    qs = Child.objects.active().filter(township=township, is_synthetic=True).order_by("pk")
    return list(qs[offset : offset + count])


def seed(stdout=None) -> None:
    county = User.objects.get(username="county")
    supervisors = {
        "龙胜镇": User.objects.get(username="longsheng"),
        "平等镇": User.objects.get(username="pingdeng"),
    }
    townships = {name: Township.objects.get(name=name) for name in supervisors}

    campaign = Campaign.objects.filter(year=YEAR).first()
    if campaign is None:
        campaign = services.campaign_create(
            actor=county,
            data={
                "year": YEAR,
                "start_date": dt.date(2026, 5, 15),
                "end_date": dt.date(2026, 6, 10),
                "report_deadline": dt.date(2026, 6, 4),
            },
        )

    partners = {}
    for name, kind, code, registered_by in PARTNERS:
        partner = PartnerOrganisation.objects.filter(name=name).first()
        if partner is None:
            actor = supervisors.get(registered_by, county)
            partner = services.partner_create(
                actor=actor,
                data={
                    "name": name,
                    "kind": kind,
                    "credit_code": code,
                    "contact_person": "联系人（演示）",
                    "contact_phone": "0773-7510000",
                    "note": "演示数据：信用代码借用校验样例，仅作演示。",
                },
            )
        partners[name] = partner

    created = 0
    for spec in [*ACTIVITIES, COUNTY_ACTIVITY]:
        township = townships.get(spec["township"])
        if Activity.objects.filter(
            campaign=campaign, township=township, title=spec["title"]
        ).exists():
            continue
        if township is None:
            children = [
                child
                for name, offset, count in spec["children_by_township"]
                for child in _children(townships[name], offset, count)
            ]
        else:
            children = _children(township, *spec["children"])
        data = {
            "campaign": campaign,
            "township": township,
            "title": spec["title"],
            "start_date": spec["start"],
            "end_date": spec["end"],
            "place": spec["place"],
            "organiser": spec["organiser"],
            "brand": spec["brand"],
            "featured_practice": spec["featured"],
            "innovative_practice": spec["innovative"],
            "effect": spec["effect"],
            "volunteers_count": spec["volunteers"],
            **spec["counts"],
        }
        services.activity_create(
            actor=supervisors.get(spec["township"], county),
            data=data,
            formats=spec["forms"],
            leaders=[services.LeaderData(*leader) for leader in spec["leaders"]],
            channels=[services.ChannelData(*channel) for channel in spec["channels"]],
            partners=[partners[name] for name in spec["partners"]],
            children=children,
        )
        created += 1

    longsheng = townships["龙胜镇"]
    social_worker = partners["龙胜县心语社会工作服务中心"]
    if not PurchasedService.objects.filter(
        organisation=social_worker, start_date=dt.date(2026, 5, 15)
    ).exists():
        services.purchased_service_create(
            actor=supervisors["龙胜镇"],
            data={
                "campaign": campaign,
                "township": longsheng,
                "organisation": social_worker,
                "content": (
                    "为困境儿童提供个案心理辅导、小组活动和监护人家庭教育指导，每月入户一次。"
                ),
                "start_date": dt.date(2026, 5, 15),
                "end_date": dt.date(2026, 12, 31),
                "amount": Decimal("48000.00"),
                "other_children_count": 6,
            },
            children=_children(longsheng, 0, 8),
        )

    topic = "儿童心理健康识别与危机干预"
    if not Training.objects.filter(
        township=longsheng, date=dt.date(2026, 5, 18), topic=topic
    ).exists():
        directors = list(
            User.objects.filter(township=longsheng, role="village_director", is_active=True)
        )
        services.training_create(
            actor=supervisors["龙胜镇"],
            data={
                "campaign": campaign,
                "township": longsheng,
                "kind": "training",
                "date": dt.date(2026, 5, 18),
                "topic": topic,
                "trainer": "县人民医院心理科 覃医生",
                "hours": Decimal("3.0"),
                "place": "龙胜镇人民政府三楼会议室",
            },
            attendees=[supervisors["龙胜镇"], *directors],
            counts={"directors_count": max(len(directors), 12), "others_count": 3},
        )
    _log(stdout, f"主题活动：2026 年活动周期，新增 {created} 项演示活动。")

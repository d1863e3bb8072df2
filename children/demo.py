"""About 60 plausible synthetic children across the demo areas (docs/domain.md §8: IDs are
checksum-valid, in the synthetic sequence range 900–999, and flagged ``is_synthetic``)."""

import datetime as dt
import random

from accounts.models import User, Village
from children import choices
from children.models import Child, ClosureRequest, Consent
from children.models.consent import assent_needed
from children.services import child_register
from children.services_closure import closure_request_create
from children.services_consent import consent_record, consent_withdraw
from core.validators import make_synthetic_id_number

SURNAMES = "潘 杨 吴 石 龙 蒙 粟 侯 廖 陆 韦 黄 梁 罗 李 王 张 刘 陈 覃 邓 蓝".split()
GIVEN = (
    "小花 明 丽 雨涵 子轩 佳怡 浩然 思琪 欣怡 宇航 梓涵 "
    "俊杰 美玲 文博 晓燕 一诺 诗雨 家豪 春燕 秋菊 金凤 海波"
).split()
ETHNICITIES = ["苗族", "瑶族", "侗族", "壮族", "汉族"]
# (township, village, how many)
PLACES = [
    ("龙胜镇", "山东村", 16),
    ("龙胜镇", "南门村", 10),
    ("平等镇", "罗汉村", 9),
    ("平等镇", "小江村", 7),
    ("龙脊镇", "平安村", 6),
    ("乐江镇", "地灵村", 4),
    ("江底乡", "地灵村", 4),
    ("三门镇", "花桥村", 4),
]
GUARDIANS = ["奶奶", "爷爷", "外婆", "母亲"]
RELATIONS = ["grandparent", "maternal_grandparent", "mother"]
FATHER_STATUS = ["migrant_worker", "deceased", "imprisoned", "normal"]
MOTHER_STATUS = ["migrant_worker", "out_of_contact", "normal"]
BENEFITS = ["other_difficulty", "other_difficulty", "de_facto_unsupported", "scattered_orphan"]
ASSISTANCE = ["dibao", "temporary_relief", "medical_relief"]
RISK_WEIGHTS = [("red", 1), ("orange", 2), ("yellow", 4), ("green", 3)]

# The 2026 campaign (activities.demo creates it with these dates). The demo dates what the
# campaign report counts — visits, screenings, alerts, activities, the report — inside this
# window, whatever day it is seeded, so the 2026 report and dashboards are never all zeros.
CAMPAIGN_START = dt.date(2026, 5, 15)
CAMPAIGN_END = dt.date(2026, 6, 10)
CAMPAIGN_DEADLINE = dt.date(2026, 6, 4)


def campaign_day(offset: int, today: dt.date) -> dt.date | None:
    """The campaign's start + ``offset`` days; None when that day has not come yet (a record
    is never dated in the future) or falls after the campaign."""
    day = CAMPAIGN_START + dt.timedelta(days=offset)
    return day if day <= min(today, CAMPAIGN_END) else None


def campaign_anchor(today: dt.date) -> dt.date:
    """The day the demo's recent care records are counted back from: two days before the
    report deadline once it has passed (inside the campaign, before 龙胜镇's submission on
    the eve of the deadline), else today."""
    return min(today, CAMPAIGN_DEADLINE - dt.timedelta(days=2))


def _pick_weighted(rng, weighted):
    total = sum(w for _v, w in weighted)
    point = rng.uniform(0, total)
    for value, weight in weighted:
        point -= weight
        if point <= 0:
            return value
    return weighted[-1][0]


def seed(stdout=None) -> None:
    rng = random.Random(20260601)  # fixed: the same children every run
    actor = User.objects.get(username="county")
    today = dt.date(2026, 5, 20)
    created = 0
    for township_name, village_name, count in PLACES:
        village = Village.objects.select_related("township").get(
            township__name=township_name, name=village_name
        )
        director = User.objects.filter(village=village, is_active=True).first()
        for _index in range(count):
            sex = rng.choice("MF")
            birth = today - dt.timedelta(days=rng.randint(4 * 365, 17 * 365))
            sequence = rng.randrange(901 if sex == "M" else 900, 1000, 2)
            id_number = make_synthetic_id_number("450328", birth, sequence, sex)
            circumstances = rng.sample(
                [c.value for c in choices.Circumstance], k=rng.choice([1, 1, 2, 2, 3])
            )
            age = (today - birth).days // 365
            stage = (
                "primary"
                if age < 12
                else "junior"
                if age < 15
                else rng.choice(["senior", "vocational"])
            )
            data = {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "sex": sex,
                "birth_date": birth,
                "id_number": id_number,
                "ethnicity": rng.choice(ETHNICITIES),
                "group": f"{rng.randint(1, 12)}组",
                "school_stage": stage,
                "guardian_name": rng.choice(SURNAMES) + rng.choice(GUARDIANS),
                "guardian_relation": rng.choice(RELATIONS),
                "guardian_phone": f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                "father_status": rng.choice(FATHER_STATUS),
                "mother_status": rng.choice(MOTHER_STATUS),
                "benefit_category": rng.choice(BENEFITS),
                "risk_level": _pick_weighted(rng, RISK_WEIGHTS),
                "responsible_director": director,
                "registered_on": today - dt.timedelta(days=rng.randint(20, 400)),
            }
            assistance = rng.sample(ASSISTANCE, k=rng.randint(0, 2))
            # Every random draw happens before this check, so a rerun draws the same values.
            if Child.objects.filter(id_number=id_number).exists():
                continue
            child_register(
                actor=actor,
                township=village.township,
                village=village,
                data=data,
                circumstances=circumstances,
                assistance=assistance,
                confirm_duplicate=True,
                synthetic=True,
            )
            created += 1
    checks = _seed_duplicate_check()
    if stdout is not None:
        stdout.write(f"儿童台账：新增 {created} 名合成演示儿童。")
        if checks:
            stdout.write("重复登记核实：新增 1 条待县未保中心处理的申请。")
    _seed_consents(actor, stdout)
    seed_transfers(stdout)
    _seed_household(stdout)
    _seed_closure_request(stdout)


def _seed_duplicate_check() -> int:
    """One 重复登记核实 waiting for the county center: the 山东村 director typed the number of
    a 平等镇 child into the registration form (told only that the county center checks it)."""
    from children.models import DuplicateCheck, DuplicateCheckKind, DuplicateCheckSource

    if DuplicateCheck.objects.exists():
        return 0
    director = User.objects.filter(username="director").select_related("village").first()
    others = Child.objects.filter(township__name="平等镇", id_number__isnull=False)
    existing = others.order_by("pk").first()
    if director is None or director.village is None or existing is None:
        return 0
    DuplicateCheck.objects.create(
        requested_by=director,
        source=DuplicateCheckSource.REGISTER,
        kind=DuplicateCheckKind.ID_NUMBER,
        township=director.village.township,
        village=director.village,
        name=existing.name,
        existing=existing,
    )
    return 1


DEMO_PENDING = "（演示）随母亲迁居平等镇罗汉村"
DEMO_ACCEPTED = "（演示）随祖父母迁至本镇小江村"


def seed_transfers(stdout=None) -> None:
    """Two transfers: one 山东村 child waiting for 罗汉村 to accept (转移中 on both sides),
    and one 罗汉村 child the county asked to move to 小江村, accepted by 平等镇's
    supervisor (its history says who asked and who accepted)."""
    from children.models import ChildTransfer
    from children.services_transfer import transfer_accept, transfer_request

    made = 0
    if not ChildTransfer.objects.filter(reason=DEMO_PENDING).exists():
        child = (
            Child.objects.active()
            .filter(village__name="山东村", village__township__name="龙胜镇")
            .order_by("-pk")
            .first()
        )
        transfer_request(
            actor=User.objects.get(username="director"),
            child=child,
            to_village=Village.objects.get(township__name="平等镇", name="罗汉村"),
            reason=DEMO_PENDING,
        )
        made += 1
    if not ChildTransfer.objects.filter(reason=DEMO_ACCEPTED).exists():
        child = (
            Child.objects.active()
            .filter(village__name="罗汉村", village__township__name="平等镇")
            .order_by("-pk")
            .first()
        )
        transfer = transfer_request(
            actor=User.objects.get(username="county"),
            child=child,
            to_village=Village.objects.get(township__name="平等镇", name="小江村"),
            reason=DEMO_ACCEPTED,
        )
        transfer_accept(
            actor=User.objects.get(username="pingdeng"), transfer=transfer, note="已核实，同意接收"
        )
        made += 1
    if stdout is not None:
        stdout.write(f"转移申请：新增 {made} 条演示转移（1 条待接收，1 条已接收）。")


DEMO_HOUSEHOLD = "演示：潘家（三姐弟，祖母照料）"


def _seed_household(stdout=None) -> None:
    """A household (家庭户) of three synthetic siblings in 山东村, the ``director`` login's
    village: its guardian on every child, ready for a household visit and a change of
    guardian. Idempotent (found by its name)."""
    from children.models import Household
    from children.services_households import household_create

    if Household.objects.filter(name=DEMO_HOUSEHOLD).exists():
        return
    director = User.objects.filter(username="director", is_active=True).first()
    if director is None or director.village_id is None:
        return
    siblings = list(
        Child.objects.filter(
            is_synthetic=True, status="active", village=director.village, household__isnull=True
        ).order_by("pk")[:3]
    )
    if len(siblings) < 2:
        return
    household_create(
        actor=director,
        village=director.village,
        data={
            "name": DEMO_HOUSEHOLD,
            "address": "山东村三组（虚构）",
            "guardian_name": "潘奶奶",
            "guardian_relation": "grandparent",
            "guardian_phone": "13800000066",
            "note": "父母在广东务工（演示数据）",
        },
        members=siblings,
    )
    if stdout is not None:
        stdout.write(f"儿童台账：演示家庭户（{len(siblings)} 名儿童）已建立。")


SIGNERS = {"grandparent": "grandparent", "maternal_grandparent": "maternal_grandparent"}


def _seed_consents(actor, stdout=None) -> None:
    """Every demo child's guardian consented to screening when the child was registered (so
    the demo screenings are consistent); one guardian in 平等镇 小江村 has since withdrawn it."""
    children = Child.objects.filter(is_synthetic=True).exclude(
        consents__kind=choices.ConsentKind.SCREENING
    )
    recorded = 0
    for child in children.order_by("pk"):
        signed_on = child.registered_on
        consent_record(
            actor=actor,
            child=child,
            data={
                "kind": choices.ConsentKind.SCREENING,
                "status": choices.ConsentStatus.GIVEN,
                "signed_on": signed_on,
                "signer_name": child.guardian_name or "监护人",
                "signer_relation": SIGNERS.get(child.guardian_relation, "mother"),
                "child_assent": (
                    choices.ChildAssent.GIVEN if assent_needed(child.birth_date, signed_on) else ""
                ),
                "note": "演示数据（虚构）",
            },
        )
        recorded += 1
    withdrawn = (
        Consent.objects.filter(
            child__is_synthetic=True,
            child__village__name="小江村",
            kind=choices.ConsentKind.SCREENING,
        )
        .order_by("-child_id")
        .first()
    )
    if withdrawn is not None and withdrawn.status == choices.ConsentStatus.GIVEN:
        consent_withdraw(
            actor=actor,
            consent=withdrawn,
            expected_version=withdrawn.version,
            withdrawn_on=max(withdrawn.signed_on, dt.date(2026, 5, 10)),
            note="监护人表示暂不让孩子参加心理测评",
        )
    if stdout is not None:
        stdout.write(f"知情同意：登记 {recorded} 份监护人同意书（其中一份已撤回）。")


def _seed_closure_request(stdout=None) -> None:
    """One closure request by the 山东村 director, waiting for 龙胜镇's supervisor."""
    director = User.objects.filter(username="director", is_active=True).first()
    if director is None or ClosureRequest.objects.filter(child__is_synthetic=True).exists():
        return
    child = (
        Child.objects.filter(is_synthetic=True, status="active", village=director.village)
        .exclude(transfers__state="requested")  # a waiting transfer keeps a case open
        .order_by("-pk")
        .first()
    )
    if child is None:
        return
    closure_request_create(
        actor=director,
        child=child,
        reason=choices.CloseReason.MOVED_OUT,
        closed_on=dt.date(2026, 5, 18),
        note="随父母迁往柳州市就读（演示数据）",
    )
    if stdout is not None:
        stdout.write("结案申请：1 份待乡镇督导员审批。")

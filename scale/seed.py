"""Synthetic data at province scale, for the benchmark (``manage.py seed_scale``).

Writes N synthetic children (``is_synthetic=True``, checksum-valid IDs in the synthetic
sequence range 900–999) over the townships and villages, with ~10 visits, ~2 scored
screenings, safety alerts where the scores call for them, care plans, referrals and pairings
with follow-ups for a share of them, and activities of the 2026 campaign with participants.

Why it bypasses the services: the services validate, lock and write history one record at a
time, which is right for people and far too slow for a million rows. Here every row is built
in Python as the services would build it (pinyin keys precomputed because bulk writes skip
``Child.save``; screening results from ``care.screening.score``, stored like
``care.services.screening_record`` stores them; the child's risk raised as
``care.choices.risk_for_result`` says) and written in bulk: PostgreSQL ``COPY`` through
psycopg, or ``bulk_create`` on SQLite. Primary keys are reserved up front (``nextval`` on
PostgreSQL), so related rows are written without reading anything back and without a query
per row. Each chunk of children and their records is one transaction.

Limits:

* IDs: 50 synthetic sequence codes per (birth date, sex) and birth dates over 18 years give
  18 × 365 × 100 ≈ 657,000 distinct IDs for area 450328; asking for more children than are
  free raises ``ScaleError``.
* Villages: the county has about 120 villages; to keep ~100 children per village at scale,
  extra villages are added to each township, named ``第N村（规模测试）`` with provisional codes
  ``<township code>S<NNNN>`` (an ``S`` no real statistical code contains).
* Not written: a history entry per visit or screening (one 登记 entry per child is), photos
  and attachments.

Why one module of ~930 lines: it is one pipeline (reserve keys, build each table's rows,
write them in bulk, per chunk), benchmark tooling above every app rather than application
code; its steps share the chunk's reserved keys and random stream, so they live together.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Township, User, Village
from accounts.roles import role_group
from activities.choices import ActivityForm
from activities.models import (
    Activity,
    ActivityFormat,
    ActivityLeader,
    Campaign,
    Participation,
    default_report_deadline,
)
from care import choices as care_choices
from care.models import (
    CarePlan,
    CarePlanService,
    FollowUp,
    Institution,
    Mentor,
    Pairing,
    Referral,
    ReferralStatusChange,
    SafetyAlert,
    Screening,
)
from care.screening import INSTRUMENTS, score
from children import choices
from children.models import (
    BenefitCategoryPeriod,
    ChangeLog,
    Child,
    ChildAssistance,
    ChildCircumstance,
)
from children.pinyin import pinyin_keys
from core.fields import BlindIndexField, EncryptedTextField
from core.validators import (
    SYNTHETIC_SEQUENCE_MAX,
    SYNTHETIC_SEQUENCE_MIN,
    make_synthetic_id_number,
)
from visits import choices as visit_choices
from visits.models import Visit, VisitProblem

AREA_CODE = "450328"  # 龙胜各族自治县
CHILDREN_PER_VILLAGE = 100
CHUNK = 5000  # children per transaction
SCALE_VILLAGE_MARK = "S"  # in the provisional code of a village added for scale
SCALE_USER_PREFIX = "scale_"
CAMPAIGN_YEAR = 2026
CAMPAIGN_START = dt.date(2026, 5, 15)
CAMPAIGN_END = dt.date(2026, 6, 10)
TZ = ZoneInfo("Asia/Shanghai")

# Shares of children with each kind of care record (the "a share of them").
CARE_PLAN_SHARE = 0.10
REFERRAL_SHARE = 0.03
PAIRING_SHARE = 0.03
CHILDREN_PER_ACTIVITY = 200  # one campaign activity per so many children of a township

SURNAMES = (
    "潘 杨 吴 石 龙 蒙 粟 侯 廖 陆 韦 黄 梁 罗 李 王 张 刘 陈 覃 邓 蓝 谢 胡 唐 周 孟 贲 秦 莫"
).split()
GIVEN = (
    "小花 明 丽 雨涵 子轩 佳怡 浩然 思琪 欣怡 宇航 梓涵 俊杰 美玲 文博 晓燕 一诺 诗雨 家豪 "
    "春燕 秋菊 金凤 海波 子涵 欣妍 梓萱 雨桐 可欣 若曦 浩宇 宇轩 俊熙 天佑 明轩 晨阳 "
    "嘉怡 雅琪 思远 铭泽 锦程 志强 建华 秀英 桂花 玉兰 金花 小龙 小军 小梅 小芳 小燕 "
    "雪梅 冬梅 红艳 艳玲 丽萍 丽娟 海燕 春花 永福 永康 德华 国庆 建军 卫东 振华 荣华 "
    "梦瑶 雨欣 紫涵 语桐 芷若 诗涵 沐阳 奕辰 宸熙 承泽 皓轩 子墨 一鸣 泽宇 瑞霖 景行"
).split()
ETHNICITIES = [("苗族", 22), ("瑶族", 18), ("侗族", 26), ("壮族", 16), ("汉族", 18)]
AGE_WEIGHTS = [1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 7, 8, 8, 8, 7, 6, 5, 4]  # ages 0..17
RISK_WEIGHTS = [("red", 3), ("orange", 10), ("yellow", 47), ("green", 40)]
BENEFIT_WEIGHTS = [
    ("other_difficulty", 55),
    ("de_facto_unsupported", 15),
    ("scattered_orphan", 6),
    ("institutional_orphan", 1),
    ("none", 23),
]
FATHER_STATUS = [("migrant_worker", 45), ("normal", 25), ("deceased", 10), ("imprisoned", 5)]
FATHER_STATUS += [("out_of_contact", 5), ("severely_ill", 5), ("severely_disabled", 5)]
MOTHER_STATUS = [("migrant_worker", 40), ("normal", 30), ("out_of_contact", 15)]
MOTHER_STATUS += [("deceased", 8), ("severely_ill", 7)]
GUARDIANS = [("grandparent", 50), ("maternal_grandparent", 15), ("mother", 15)]
GUARDIANS += [("father", 10), ("other_relative", 10)]
GUARDIAN_NAMES = ["奶奶", "爷爷", "外婆", "外公", "母亲", "父亲", "伯父", "姑妈"]
VISIT_KINDS = [("home", 60), ("talk", 15), ("phone", 15), ("school", 7), ("activity", 3)]
STATE_WEIGHTS = [("good", 70), ("fair", 25), ("poor", 5)]
NOTES = ["情绪稳定，与祖辈相处融洽。", "学习成绩中等，按时完成作业。", "生活起居正常。", ""]
INSTITUTIONS = [
    ("龙胜县心理健康服务中心（规模测试）", "social_psychological"),
    ("龙胜县人民医院心理门诊（规模测试）", "medical"),
    ("桂林市第二人民医院（规模测试）", "medical"),
    ("龙胜县民族中学心理辅导室（规模测试）", "school"),
]
ACTIVITY_FORMS = list(ActivityForm.values)


class ScaleError(Exception):
    """The request cannot be met (e.g. more children than free synthetic IDs)."""


@dataclass
class ScaleResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _weighted(rng: random.Random, pairs) -> Callable[[], str]:
    values = [v for v, _w in pairs]
    weights = [w for _v, w in pairs]
    cum = []
    total = 0
    for weight in weights:
        total += weight
        cum.append(total)

    def pick() -> str:
        return rng.choices(values, cum_weights=cum)[0]

    return pick


# --- writing ---------------------------------------------------------------------------------


class Table:
    """One model's rows, as dicts of attname → value; missing columns take the field default."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.attname for f in self.fields]
        self.db_columns = [f.column for f in self.fields]
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        # COPY writes values as given: these are encrypted or hashed first (core/fields.py).
        self.prepared = {
            f.attname: f for f in self.fields if isinstance(f, EncryptedTextField | BlindIndexField)
        }
        self.defaults = {}
        for f in self.fields:
            default = f.get_default()
            self.defaults[f.attname] = default
        self.rows: list[dict] = []
        self.written = 0

    def add(self, **values) -> None:
        self.rows.append(values)


class Writer:
    """Bulk writes: PostgreSQL COPY when available, else bulk_create."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self._next_sqlite: dict[str, int] = {}

    def reserve_ids(self, model: type[models.Model], n: int) -> list[int]:
        """n fresh primary keys for ``model``, taken from its sequence (PostgreSQL) or after
        the current maximum (SQLite, single writer)."""
        if n <= 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, n],
                )
                return [row[0] for row in cursor.fetchall()]
            start = self._next_sqlite.get(table)
            if start is None:
                cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608
                start = cursor.fetchone()[0] + 1
            self._next_sqlite[table] = start + n
            return list(range(start, start + n))

    def flush(self, table: Table) -> None:
        if not table.rows:
            return
        columns, defaults = table.columns, table.defaults
        db_columns = table.db_columns
        pk = table.model._meta.pk.attname
        if pk not in table.rows[0]:  # keys not reserved: the database numbers the rows
            keep = [i for i, c in enumerate(columns) if c != pk]
            columns = [columns[i] for i in keep]
            db_columns = [db_columns[i] for i in keep]
        prepared = table.prepared  # encrypted columns and their keyed hashes
        if prepared and self.postgres:
            for row in table.rows:
                for name, field in prepared.items():
                    if isinstance(field, BlindIndexField):
                        row[name] = field.index_of(row.get(field.source, defaults[field.source]))
                for name, field in prepared.items():
                    if isinstance(field, EncryptedTextField):
                        row[name] = field.get_prep_value(row.get(name, defaults[name]))
        if self.postgres:
            db_table = table.model._meta.db_table
            cols = ", ".join(f'"{c}"' for c in db_columns)
            json_cols = table.json
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
                with raw.copy(f'COPY "{db_table}" ({cols}) FROM STDIN') as copy:
                    for row in table.rows:
                        values = []
                        for c in columns:
                            value = row.get(c, defaults[c])
                            if c in json_cols:
                                value = json.dumps(value, ensure_ascii=False)
                            values.append(value)
                        copy.write_row(values)
        else:
            objs = [
                table.model(**{c: row.get(c, defaults[c]) for c in columns}) for row in table.rows
            ]
            table.model.objects.bulk_create(objs, batch_size=500)
        table.written += len(table.rows)
        table.rows = []


# --- reference data ----------------------------------------------------------------------------


def _villages_for(n_children: int, out: Callable[[str], None]) -> list[tuple[Village, float]]:
    """Villages to place children in, with weights; adds 第N村 villages where needed so each
    holds ~100 children. A township's share follows its number of real villages."""
    townships = list(Township.objects.order_by("code"))
    real = {t.pk: 0 for t in townships}
    for tid in Village.objects.exclude(code__contains=SCALE_VILLAGE_MARK).values_list(
        "township_id", flat=True
    ):
        real[tid] += 1
    total_real = sum(real.values()) or 1
    new = []
    for township in townships:
        share = n_children * max(real[township.pk], 1) / total_real
        wanted = max(1, math.ceil(share / CHILDREN_PER_VILLAGE))
        have = Village.objects.filter(township=township).count()
        existing_scale = Village.objects.filter(
            township=township, code__contains=SCALE_VILLAGE_MARK
        ).count()
        for number in range(existing_scale + 1, existing_scale + 1 + max(0, wanted - have)):
            new.append(
                Village(
                    township=township,
                    code=f"{township.code}{SCALE_VILLAGE_MARK}{number:04d}",
                    name=f"第{number}村（规模测试）",
                )
            )
    if new:
        Village.objects.bulk_create(new, batch_size=500)
        out(f"新增规模测试村 {len(new)} 个（临时代码含“{SCALE_VILLAGE_MARK}”）。")
    result = []
    for township in townships:
        villages = list(Village.objects.filter(township=township).order_by("code"))
        share = max(real[township.pk], 1) / total_real
        result.extend((v, share / len(villages)) for v in villages)
    return result


def _users(villages: list[Village], out) -> tuple[dict[int, int], dict[int, int], int]:
    """A director per village and a supervisor per township (accounts that cannot log in),
    created in bulk; returns {village: director id}, {township: supervisor id}, actor id."""
    password = make_password(None)  # unusable
    directors = dict(
        User.objects.filter(role=Role.VILLAGE_DIRECTOR, village__in=villages)
        .order_by("pk")
        .values_list("village_id", "pk")
    )
    supervisors = dict(
        User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR)
        .order_by("pk")
        .values_list("township_id", "pk")
    )
    new = []
    for village in villages:
        if village.pk not in directors:
            new.append(
                User(
                    username=f"{SCALE_USER_PREFIX}dir_{village.code}",
                    name=f"{village.name}儿童主任",
                    role=Role.VILLAGE_DIRECTOR,
                    township_id=village.township_id,
                    village=village,
                    password=password,
                )
            )
    for township in Township.objects.all():
        if township.pk not in supervisors:
            new.append(
                User(
                    username=f"{SCALE_USER_PREFIX}sup_{township.code}",
                    name=f"{township.name}督导员",
                    role=Role.TOWNSHIP_SUPERVISOR,
                    township=township,
                    password=password,
                )
            )
    if new:
        User.objects.bulk_create(new, batch_size=500)
        created = User.objects.filter(username__in=[u.username for u in new])
        through = User.groups.through
        groups = {
            Role.VILLAGE_DIRECTOR: role_group(Role.VILLAGE_DIRECTOR).pk,
            Role.TOWNSHIP_SUPERVISOR: role_group(Role.TOWNSHIP_SUPERVISOR).pk,
        }
        through.objects.bulk_create(
            [through(user_id=u.pk, group_id=groups[u.role]) for u in created], batch_size=500
        )
        out(f"新增规模测试账号 {len(new)} 个（不可登录）。")
        return _users(villages, lambda _m: None)
    actor = (
        User.objects.filter(role=Role.COUNTY_ADMIN).order_by("pk").values_list("pk", flat=True)
    ).first() or next(iter(supervisors.values()))
    return directors, supervisors, actor


def _campaign(actor_id: int) -> Campaign:
    campaign = Campaign.objects.filter(year=CAMPAIGN_YEAR).first()
    if campaign is None:
        campaign = Campaign.objects.create(
            year=CAMPAIGN_YEAR,
            start_date=CAMPAIGN_START,
            end_date=CAMPAIGN_END,
            report_deadline=default_report_deadline(CAMPAIGN_YEAR),
            created_by_id=actor_id,
        )
    return campaign


def _reference_ids(actor_id: int) -> tuple[list[int], list[int]]:
    for name, kind in INSTITUTIONS:
        Institution.objects.get_or_create(name=name, defaults={"kind": kind})
    institutions = list(
        Institution.objects.filter(name__in=[n for n, _k in INSTITUTIONS]).values_list(
            "pk", flat=True
        )
    )
    mentors = list(Mentor.objects.filter(note="规模测试").values_list("pk", flat=True))
    if not mentors:
        rng = random.Random(7)
        Mentor.objects.bulk_create(
            [
                Mentor(
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    kind=rng.choice(list(care_choices.MentorType.values)),
                    organisation="龙胜县规模测试单位",
                    note="规模测试",
                    created_by_id=actor_id,
                )
                for _i in range(300)
            ]
        )
        mentors = list(Mentor.objects.filter(note="规模测试").values_list("pk", flat=True))
    return institutions, mentors


# --- screening answers --------------------------------------------------------------------------


def _answer_pool(rng: random.Random, per_instrument: int = 80) -> dict[str, list[tuple]]:
    """Scored answer sets per instrument, skewed towards low scores as in a real county:
    (answers as stored, ScreeningResult). Reused across children: scoring is the same."""
    pool: dict[str, list[tuple]] = {}
    for code in ("PHQA", "GAD7", "SCARED", "CESDC"):
        instrument = INSTRUMENTS[code]
        values = [o.value for o in instrument.options]
        sets = []
        for index in range(per_instrument):
            # A few high scorers, most low: the "distress" of this answer set.
            distress = 0.9 if index % 20 == 0 else 0.4 if index % 10 == 0 else 0.1
            answers = {}
            for number in range(1, instrument.item_count + 1):
                if code in ("PHQA",) and number == 9:
                    answers[number] = 1 if index % 27 == 0 else 0
                    continue
                value = values[0]
                for v in values[1:]:
                    if rng.random() < distress:
                        value = v
                    else:
                        break
                answers[number] = value
            for item in instrument.supplementary:
                answers[item.number] = 0
            result = score(code, answers)
            stored = {str(number): value for number, value in sorted(answers.items())}
            sets.append((stored, result))
        pool[code] = sets
    return pool


def _instruments_for(age: int) -> list[str]:
    if age >= 11:
        return ["PHQA", "GAD7", "SCARED", "CESDC"]
    if age >= 8:
        return ["SCARED", "CESDC"]
    if age >= 6:
        return ["CESDC"]
    return []


# --- the generator ------------------------------------------------------------------------------


def seed_scale(
    *,
    children: int,
    seed: int = 0,
    stdout: Callable[[str], None] | None = None,
    today: dt.date | None = None,
) -> ScaleResult:
    """Write ``children`` synthetic children and their records; see the module docstring."""
    out = stdout or (lambda _m: None)
    clock = time.monotonic()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    writer = Writer()

    with transaction.atomic():
        placed = _villages_for(children, out)
        villages = [v for v, _w in placed]
        directors, supervisors, actor = _users(villages, out)
        campaign = _campaign(actor)
        institutions, mentors = _reference_ids(actor)
    village_cum = []
    acc = 0.0
    for _v, weight in placed:
        acc += weight
        village_cum.append(acc)

    # ID numbers are encrypted: read the synthetic ones and compare the area code here.
    used_ids = {
        number
        for number in Child.objects.filter(is_synthetic=True, id_number__isnull=False)
        .values_list("id_number", flat=True)
        .iterator(chunk_size=5000)
        if number.startswith(AREA_CODE)
    }
    free = 18 * 365 * (SYNTHETIC_SEQUENCE_MAX - SYNTHETIC_SEQUENCE_MIN + 1) - len(used_ids)
    if children > free * 0.9:
        raise ScaleError(
            f"最多还能生成约 {int(free * 0.9)} 名儿童（合成身份证号每个出生日期和性别仅 50 个）。"
        )

    names = []
    for surname in SURNAMES:
        for given in GIVEN:
            name = surname + given
            full, initials = pinyin_keys(name)
            names.append((name, full, initials))
    pool = _answer_pool(rng)
    pick_eth = _weighted(rng, ETHNICITIES)
    pick_risk = _weighted(rng, RISK_WEIGHTS)
    pick_benefit = _weighted(rng, BENEFIT_WEIGHTS)
    pick_father = _weighted(rng, FATHER_STATUS)
    pick_mother = _weighted(rng, MOTHER_STATUS)
    pick_guardian = _weighted(rng, GUARDIANS)
    pick_kind = _weighted(rng, VISIT_KINDS)
    pick_state = _weighted(rng, STATE_WEIGHTS)
    circumstances = [c.value for c in choices.Circumstance]
    assistance_codes = [c.value for c in choices.FamilyAssistance]
    problems = [c.value for c in visit_choices.Problem]
    services = [c.value for c in care_choices.CareService]
    referral_path = [
        ["referred"],
        ["referred", "admitted"],
        ["referred", "admitted", "outpatient"],
        ["referred", "admitted", "inpatient", "discharged"],
        ["referred", "not_admitted"],
    ]
    ages = list(range(18))
    now = timezone.now()
    registered_from = today - dt.timedelta(days=3 * 365)

    tables = {
        m: Table(m)
        for m in (
            Child,
            ChildCircumstance,
            ChildAssistance,
            BenefitCategoryPeriod,
            ChangeLog,
            Visit,
            VisitProblem,
            Screening,
            SafetyAlert,
            CarePlan,
            CarePlanService,
            Referral,
            ReferralStatusChange,
            Pairing,
            FollowUp,
        )
    }
    t = tables
    risk_rank = {"green": 0, "yellow": 1, "orange": 2, "red": 3}
    children_by_township: dict[int, list[int]] = {}

    def stamp(day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=TZ)

    def day_between(start: dt.date, end: dt.date) -> dt.date:
        span = (end - start).days
        return start + dt.timedelta(days=rng.randint(0, max(span, 0)))

    done = 0
    while done < children:
        n = min(CHUNK, children - done)
        child_ids = writer.reserve_ids(Child, n)
        # Plan the chunk's records first so that their keys can be reserved in one query each.
        plans = []
        counts = {"visits": 0, "problems": 0, "screenings": 0, "plans": 0, "referrals": 0}
        counts |= {"pairings": 0}
        for _i in range(n):
            age = rng.choices(ages, weights=AGE_WEIGHTS)[0]
            n_visits = rng.randint(5, 15)
            n_screen = rng.randint(1, 3) if _instruments_for(age) else 0
            care = rng.random()
            plan = {
                "age": age,
                "visits": n_visits,
                "screenings": n_screen,
                "care_plan": care < CARE_PLAN_SHARE,
                "referral": rng.random() < REFERRAL_SHARE,
                "pairing": rng.random() < PAIRING_SHARE,
            }
            plans.append(plan)
            counts["visits"] += n_visits
            counts["screenings"] += n_screen
            counts["plans"] += plan["care_plan"]
            counts["referrals"] += plan["referral"]
            counts["pairings"] += plan["pairing"]
        visit_ids = iter(writer.reserve_ids(Visit, counts["visits"]))
        screening_ids = iter(writer.reserve_ids(Screening, counts["screenings"]))
        plan_ids = iter(writer.reserve_ids(CarePlan, counts["plans"]))
        referral_ids = iter(writer.reserve_ids(Referral, counts["referrals"]))
        pairing_ids = iter(writer.reserve_ids(Pairing, counts["pairings"]))

        for child_id, plan in zip(child_ids, plans, strict=True):
            village = placed[
                min(
                    _bisect(village_cum, rng.random() * village_cum[-1]),
                    len(placed) - 1,
                )
            ][0]
            director = directors.get(village.pk, actor)
            supervisor = supervisors.get(village.township_id, actor)
            age = plan["age"]
            sex = rng.choice("MF")
            while True:
                birth = today - dt.timedelta(days=age * 365 + rng.randint(1, 364))
                sequence = rng.randrange(
                    SYNTHETIC_SEQUENCE_MIN + (1 if sex == "M" else 0),
                    SYNTHETIC_SEQUENCE_MAX + 1,
                    2,
                )
                id_number = make_synthetic_id_number(AREA_CODE, birth, sequence, sex)
                if id_number not in used_ids:
                    used_ids.add(id_number)
                    break
            name, name_pinyin, initials = names[rng.randrange(len(names))]
            registered = max(day_between(registered_from, today - dt.timedelta(days=30)), birth)
            closed = rng.random() < 0.05
            closed_on = day_between(registered, today) if closed else None
            risk = pick_risk()
            benefit = pick_benefit()

            # Screenings first: their results may raise the child's risk (as the service does).
            for _s in range(plan["screenings"]):
                code = rng.choice(_instruments_for(age))
                stored, result = pool[code][rng.randrange(len(pool[code]))]
                screened_on = day_between(max(registered, birth), today)
                screening_id = next(screening_ids)
                t[Screening].add(
                    id=screening_id,
                    child_id=child_id,
                    screened_on=screened_on,
                    instrument=code,
                    respondent="self",
                    answers=stored,
                    total=result.total,
                    band=result.band,
                    subscales=dict(result.subscales),
                    alerts=list(result.alerts),
                    positive=result.positive,
                    severity=result.severity,
                    cutoff_version=result.version,
                    entered_by_id=director,
                    created_at=stamp(screened_on),
                )
                level = care_choices.risk_for_result(result)
                if level and risk_rank[level] > risk_rank[risk]:
                    risk = level
                kind = care_choices.alert_kind_for_result(result)
                if kind:
                    open_ = rng.random() < 0.3
                    raised = stamp(screened_on, 11)
                    t[SafetyAlert].add(
                        child_id=child_id,
                        screening_id=screening_id,
                        kind=kind,
                        raised_at=raised,
                        status="open" if open_ else "closed",
                        closed_by_id=None if open_ else supervisor,
                        closed_at=None if open_ else raised + dt.timedelta(days=2),
                        resolution="" if open_ else "note",
                        note="" if open_ else "已电话联系监护人并安排心理辅导。",
                    )

            guardian = pick_guardian()
            stage = (
                "not_in_kindergarten"
                if age < 3
                else "kindergarten"
                if age < 6
                else "primary"
                if age < 12
                else "junior"
                if age < 15
                else rng.choice(["senior", "vocational"])
            )
            t[Child].add(
                id=child_id,
                name=name,
                sex=sex,
                ethnicity=pick_eth(),
                birth_date=birth,
                id_number=id_number,
                no_hukou=False,
                is_synthetic=True,
                name_pinyin=name_pinyin,
                name_initials=initials,
                household_registration="广西龙胜各族自治县",
                township_id=village.township_id,
                village_id=village.pk,
                group=f"{rng.randint(1, 12)}组",
                address=f"{village.name}{rng.randint(1, 120)}号",
                school_stage=stage,
                father_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                father_status=pick_father(),
                mother_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                mother_status=pick_mother(),
                guardian_name=rng.choice(SURNAMES) + rng.choice(GUARDIAN_NAMES),
                guardian_relation=guardian,
                guardian_phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                guardianship_assessment=rng.choice(["good", "fair", "fair", "poor"]),
                benefit_category=benefit,
                risk_level=risk,
                responsible_director_id=director,
                status="closed" if closed else "active",
                registered_on=registered,
                closed_on=closed_on,
                close_reason="moved_out" if closed else "",
                filled_by="规模测试",
                version=1,
                created_by_id=director,
                created_at=stamp(registered),
                updated_at=now,
            )
            children_by_township.setdefault(village.township_id, []).append(child_id)
            for code in rng.sample(circumstances, k=rng.choice((1, 1, 2, 2, 3))):
                t[ChildCircumstance].add(child_id=child_id, code=code)
            for code in rng.sample(assistance_codes, k=rng.choice((0, 0, 1, 1, 2))):
                t[ChildAssistance].add(child_id=child_id, code=code)
            if benefit != "none":
                t[BenefitCategoryPeriod].add(
                    child_id=child_id, category=benefit, started_on=registered, recorded_by_id=None
                )
            t[ChangeLog].add(
                child_id=child_id,
                action="create",
                record_type="child",
                record_id=child_id,
                actor_id=director,
                at=stamp(registered),
                changes={},
                note="登记（规模测试合成数据）",
            )

            # Visits: spread from registration to today, one in five in the last 60 days.
            last = closed_on or today
            for _v in range(plan["visits"]):
                if rng.random() < 0.2:
                    date = day_between(max(registered, last - dt.timedelta(days=60)), last)
                else:
                    date = day_between(registered, last)
                status = rng.random()
                review = "approved" if status < 0.85 else "pending" if status < 0.97 else "returned"
                visit_id = next(visit_ids)
                created = stamp(date, 17)
                needs_follow_up = rng.random() < 0.15
                t[Visit].add(
                    id=visit_id,
                    child_id=child_id,
                    date=date,
                    kind=pick_kind(),
                    visitor_id=director,
                    place=village.name,
                    emotion_state=pick_state(),
                    emotion_note=NOTES[rng.randrange(4)],
                    study_state=pick_state(),
                    study_note=NOTES[rng.randrange(4)],
                    life_state=pick_state(),
                    life_note=NOTES[rng.randrange(4)],
                    safety_state=pick_state(),
                    safety_note="",
                    guardian_informed=True,
                    actions_taken="了解近况，叮嘱监护人关注孩子情绪。",
                    follow_up_needed=needs_follow_up,
                    follow_up_note="下次家访了解学习情况。" if needs_follow_up else "",
                    review_status=review,
                    reviewer_id=None if review == "pending" else supervisor,
                    reviewed_at=None if review == "pending" else created + dt.timedelta(days=1),
                    review_comment="请补充监护人意见。" if review == "returned" else "",
                    version=1,
                    created_by_id=director,
                    created_at=created,
                    updated_at=created,
                )
                if rng.random() < 0.2:
                    t[VisitProblem].add(visit_id=visit_id, code=rng.choice(problems))

            if plan["care_plan"]:
                plan_id = next(plan_ids)
                started = day_between(registered, today)
                status = rng.choice(["active", "active", "completed"])
                t[CarePlan].add(
                    id=plan_id,
                    child_id=child_id,
                    goals="情绪稳定，按时上学。",
                    measures="每月心理辅导一次，学校老师每周谈心。",
                    responsible_name="儿童主任",
                    responsible_user_id=director,
                    started_on=started,
                    review_on=started + dt.timedelta(days=90),
                    status=status,
                    created_by_id=director,
                    created_at=stamp(started),
                    updated_at=stamp(started),
                )
                for code in rng.sample(services, k=rng.choice((1, 2))):
                    t[CarePlanService].add(plan_id=plan_id, code=code)
            if plan["referral"]:
                referral_id = next(referral_ids)
                referred = day_between(registered, today - dt.timedelta(days=10))
                path = rng.choice(referral_path)
                t[Referral].add(
                    id=referral_id,
                    child_id=child_id,
                    institution_id=rng.choice(institutions),
                    reason="测评提示中重度抑郁，需专业评估。",
                    referred_on=referred,
                    guardian_consent=True,
                    status=path[-1],
                    status_on=referred + dt.timedelta(days=len(path) - 1),
                    created_by_id=supervisor,
                    created_at=stamp(referred),
                    updated_at=stamp(referred),
                )
                previous = ""
                for step, status in enumerate(path):
                    t[ReferralStatusChange].add(
                        referral_id=referral_id,
                        from_status=previous,
                        to_status=status,
                        changed_on=referred + dt.timedelta(days=step),
                        recorded_by_id=supervisor,
                        recorded_at=stamp(referred + dt.timedelta(days=step)),
                    )
                    previous = status
            if plan["pairing"]:
                pairing_id = next(pairing_ids)
                started = day_between(registered, today - dt.timedelta(days=30))
                interval = 30
                follow_days = sorted(day_between(started, today) for _f in range(rng.randint(2, 6)))
                t[Pairing].add(
                    id=pairing_id,
                    child_id=child_id,
                    mentor_id=rng.choice(mentors),
                    started_on=started,
                    interval_days=interval,
                    status="active",
                    next_follow_up_on=(follow_days[-1] if follow_days else started)
                    + dt.timedelta(days=interval),
                    note="每月陪伴学习与谈心。",
                    created_by_id=director,
                    created_at=stamp(started),
                    updated_at=stamp(started),
                )
                for day in follow_days:
                    t[FollowUp].add(
                        pairing_id=pairing_id,
                        followed_on=day,
                        by_name="结对帮扶人",
                        condition="近况良好，学习有进步。",
                        created_by_id=director,
                        created_at=stamp(day),
                    )

        with transaction.atomic():
            for table in tables.values():  # in dependency order (dict keeps insertion order)
                writer.flush(table)
        done += n
        elapsed = time.monotonic() - clock
        out(
            f"  {done}/{children} 名儿童，家访 {t[Visit].written}，测评 {t[Screening].written}"
            f"（{elapsed:.0f} 秒）"
        )

    activity_counts = _activities(writer, rng, campaign, children_by_township, actor)
    _analyze(out)
    result = ScaleResult(
        counts={m._meta.model_name: table.written for m, table in tables.items()} | activity_counts,
        seconds=time.monotonic() - clock,
    )
    return result


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum)
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _activities(
    writer: Writer,
    rng: random.Random,
    campaign: Campaign,
    children_by_township: dict[int, list[int]],
    actor: int,
) -> dict[str, int]:
    """Campaign activities per township (one per ~200 children), 20–60 ledger participants each."""
    activities, formats, leaders, participations = (
        Table(Activity),
        Table(ActivityFormat),
        Table(ActivityLeader),
        Table(Participation),
    )
    names = dict(Township.objects.values_list("pk", "name"))
    now = timezone.now()
    for township_id, ids in children_by_township.items():
        count = max(1, len(ids) // CHILDREN_PER_ACTIVITY)
        activity_ids = writer.reserve_ids(Activity, count)
        for number, activity_id in enumerate(activity_ids, start=1):
            start = campaign.start_date + dt.timedelta(
                days=rng.randint(0, (campaign.end_date - campaign.start_date).days)
            )
            activities.add(
                id=activity_id,
                campaign_id=campaign.pk,
                township_id=township_id,
                title=f"{names[township_id]}「润心伴成长」主题活动（规模测试 {number}）",
                start_date=start,
                end_date=start,
                place=f"{names[township_id]}中心小学",
                organiser=f"{names[township_id]}人民政府",
                guardians_count=rng.randint(5, 40),
                other_children_count=rng.randint(0, 30),
                teachers_count=rng.randint(1, 8),
                public_count=rng.randint(0, 50),
                volunteers_count=rng.randint(0, 10),
                version=1,
                created_by_id=actor,
                created_at=now,
                updated_at=now,
            )
            for code in rng.sample(ACTIVITY_FORMS, k=rng.choice((1, 2))):
                formats.add(activity_id=activity_id, code=code)
            if rng.random() < 0.4:
                leaders.add(activity_id=activity_id, name="覃某", post="副镇长", level="township")
            for child_id in rng.sample(ids, k=min(len(ids), rng.randint(20, 60))):
                participations.add(
                    activity_id=activity_id, child_id=child_id, added_by_id=actor, added_at=now
                )
    with transaction.atomic():
        for table in (activities, formats, leaders, participations):
            writer.flush(table)
    return {
        "activity": activities.written,
        "participation": participations.written,
    }


def _analyze(out) -> None:
    """Fresh planner statistics and visibility maps, as autovacuum would leave them in a
    running system: without the VACUUM, index-only scans (the last-visit lookups of the visit
    schedule) fetch every heap row after a bulk load and pages measure a state production
    never stays in. VACUUM cannot run in a transaction, so this runs in autocommit."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        out("已执行 VACUUM (ANALYZE)。")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        out("已更新 PostgreSQL 统计信息（ANALYZE）。")


def summary(result: ScaleResult) -> Iterable[str]:
    for name, count in result.counts.items():
        yield f"  {name:<24} {count:>10}"

"""The columns of the ledger sheet (一人一表, docs/domain.md §5), shared by the template, the
importer and the export so that an exported 花名册 can be imported again unchanged.

Each column knows its official Chinese header, the header variants found in real files,
and how its cells are read (``kind``). Coded columns map Chinese labels (and a few common
synonyms) to the codes of ``children.choices``; the codes themselves are accepted too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from children import choices

# The county's ledgers are Chinese whatever language the user reads the portal in: coded
# columns are read and written with their Chinese labels (see the io entry points).
LEDGER_LANGUAGE = "zh-hans"

# Kinds of cell; the importer has one reader per kind.
TEXT = "text"
SEQ = "seq"  # 序号: ignored on import, numbered on export
ID = "id"
NO_HUKOU = "no_hukou"
DATE = "date"
CHOICE = "choice"
MULTI = "multi"
BOOL = "bool"
PHONE = "phone"
TOWNSHIP = "township"
VILLAGE = "village"
DIRECTOR = "director"

# Cell texts that mean "nothing to say" in a coded or phone column.
BLANK_WORDS = frozenset({"无", "没有", "/", "／", "-", "－", "—", "——", "无此项", "不详"})
# ID cell texts meaning the child has no registered hukou.
NO_HUKOU_WORDS = frozenset({"未登记户口", "无户口", "未落户", "未上户口", "黑户", "无户籍"})


@dataclass(frozen=True)
class Column:
    key: str  # model field name, or a pseudo field (circumstances, assistance, township…)
    header: str
    kind: str = TEXT
    aliases: tuple[str, ...] = ()
    choices: type[models.TextChoices] | None = None
    synonyms: dict[str, str] = field(default_factory=dict)
    width: int = 12
    note: str = ""  # shown in the template's instructions sheet

    @property
    def all_headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


def _col(key, header, kind=TEXT, *aliases, **options) -> Column:
    return Column(key=key, header=header, kind=kind, aliases=tuple(aliases), **options)


PARENT_STATUS_SYNONYMS = {
    "务工": "migrant_worker",
    "外出打工": "migrant_worker",
    "打工": "migrant_worker",
    "在家": "normal",
    "去世": "deceased",
    "已故": "deceased",
    "病故": "deceased",
    "亡故": "deceased",
    "失踪": "declared_missing",
    "服刑": "imprisoned",
    "服刑在押": "imprisoned",
    "在押": "imprisoned",
    "戒毒": "compulsory_rehab",
    "重度残疾": "severely_disabled",
    "重病": "severely_ill",
    "重大疾病": "severely_ill",
    "撤销监护资格": "guardianship_revoked",
}


def _parent_columns(prefix: str, key: str) -> list[Column]:
    return [
        _col(f"{key}_name", f"{prefix}姓名", TEXT, width=10),
        _col(
            f"{key}_phone",
            f"{prefix}电话",
            PHONE,
            f"{prefix}联系电话",
            f"{prefix}手机",
            f"{prefix}手机号",
            width=14,
        ),
        _col(
            f"{key}_status",
            f"{prefix}状况",
            CHOICE,
            f"{prefix}状态",
            f"{prefix}情况",
            f"{prefix}现状",
            choices=choices.ParentStatus,
            synonyms=PARENT_STATUS_SYNONYMS,
            width=12,
        ),
        _col(f"{key}_work_place", f"{prefix}务工地", TEXT, f"{prefix}务工地点", width=14),
    ]


COLUMNS: list[Column] = [
    _col("seq", "序号", SEQ, "编号", "序", width=6),
    _col("name", "姓名", TEXT, "儿童姓名", "学生姓名", width=10),
    _col("sex", "性别", CHOICE, choices=choices.Sex, synonyms={"男性": "M", "女性": "F"}, width=6),
    _col("ethnicity", "民族", TEXT, width=8),
    _col(
        "birth_date",
        "出生日期",
        DATE,
        "出生年月",
        "出生年月日",
        "出生时间",
        "生日",
        width=12,
        note=_("写成 2015-03-05、2015.3.5、2015年3月5日 或 20150305；有身份证号的可不填"),
    ),
    _col(
        "id_number",
        "公民身份号码",
        ID,
        "身份证号",
        "身份证号码",
        "身份证",
        "公民身份证号码",
        "公民身份证号",
        "证件号码",
        width=22,
        note=_("18位，单元格须为文本格式；没有户口的填「未登记户口」"),
    ),
    _col("no_hukou", "未登记户口", NO_HUKOU, "无户口", width=8),
    _col("household_registration", "户籍地", TEXT, "户籍所在地", "户口所在地", width=20),
    _col("township", "乡镇", TOWNSHIP, "所属乡镇", "乡（镇）", "乡镇（街道）", width=10),
    _col(
        "village",
        "村（社区）",
        VILLAGE,
        "村",
        "村（居）",
        "村/社区",
        "村（社区）名称",
        "所属村",
        "所在村",
        "行政村",
        "社区",
        width=12,
        note=_("须为本乡镇已有的村/社区"),
    ),
    _col("group", "组", TEXT, "村民小组", "组别", "屯（组）", width=8),
    _col("address", "现住址", TEXT, "现居住地", "家庭住址", "现住址详细地址", width=24),
    _col(
        "health",
        "健康状况",
        CHOICE,
        "身体状况",
        "健康情况",
        choices=choices.HealthStatus,
        synonyms={"正常": "healthy", "良好": "healthy", "疾病": "ill", "有病": "ill"},
        width=10,
    ),
    _col(
        "disability_type",
        "残疾类别",
        CHOICE,
        "残疾类型",
        choices=choices.DisabilityType,
        width=10,
    ),
    _col(
        "disability_grade",
        "残疾等级",
        CHOICE,
        "残疾级别",
        choices=choices.DisabilityGrade,
        synonyms={
            "一": "1",
            "二": "2",
            "三": "3",
            "四": "4",
            "1级": "1",
            "2级": "2",
            "3级": "3",
            "4级": "4",
        },
        width=8,
    ),
    _col("illness", "所患疾病", TEXT, "疾病名称", "患病情况", width=14),
    _col(
        "school_stage",
        "就学情况",
        CHOICE,
        "就读情况",
        "在校情况",
        "学段",
        choices=choices.SchoolStage,
        synonyms={
            "学前": "kindergarten",
            "中专": "vocational",
            "职高": "vocational",
            "普通高中": "senior",
            "失学": "dropped_out",
        },
        width=10,
    ),
    _col("school", "学校", TEXT, "就读学校", "学校名称", "所在学校", width=18),
    _col("grade", "年级", TEXT, "年级班级", width=8),
    _col("boarding", "是否寄宿", BOOL, "寄宿", "是否住校", width=8),
    *_parent_columns("父亲", "father"),
    *_parent_columns("母亲", "mother"),
    _col("guardian_name", "实际监护人", TEXT, "实际监护人姓名", "监护人", "监护人姓名", width=10),
    _col(
        "guardian_relation",
        "与儿童关系",
        CHOICE,
        "监护人与儿童关系",
        "与儿童的关系",
        "监护人关系",
        "关系",
        choices=choices.GuardianRelation,
        synonyms={
            "祖父": "grandparent",
            "祖母": "grandparent",
            "爷爷": "grandparent",
            "奶奶": "grandparent",
            "外祖父": "maternal_grandparent",
            "外祖母": "maternal_grandparent",
            "外公": "maternal_grandparent",
            "外婆": "maternal_grandparent",
            "父亲": "father",
            "父子": "father",
            "父女": "father",
            "母亲": "mother",
            "母子": "mother",
            "母女": "mother",
            "亲属": "other_relative",
        },
        width=10,
    ),
    _col(
        "guardian_phone",
        "监护人电话",
        PHONE,
        "监护人联系电话",
        "监护人手机",
        "联系电话",
        width=14,
    ),
    _col(
        "guardianship_assessment",
        "监护情况评估",
        CHOICE,
        "监护情况",
        "监护评估",
        choices=choices.GuardianshipAssessment,
        synonyms={"好": "good", "良好": "good", "较差": "poor"},
        width=10,
    ),
    _col(
        "benefit_category",
        "保障类别",
        CHOICE,
        "儿童类别",
        "保障类型",
        choices=choices.BenefitCategory,
        synonyms={
            "事实无人抚养": "de_facto_unsupported",
            "散居孤儿": "scattered_orphan",
            "集中供养孤儿": "institutional_orphan",
            "其他困境": "other_difficulty",
        },
        width=16,
    ),
    _col(
        "circumstances",
        "困境情形",
        MULTI,
        "困境类型",
        "困境类别",
        "困境情况",
        choices=choices.Circumstance,
        synonyms={
            "留守儿童": "left_behind",
            "流动儿童": "migrant",
            "心理行为异常": "psychological",
            "父母服刑": "parent_detained",
            "父母戒毒": "parent_detained",
            "父母服刑或戒毒": "parent_detained",
            "残疾儿童": "disability",
            "重病儿童": "serious_illness",
            "家庭困难": "living_difficulty",
        },
        width=20,
        note=_("可填多项，用顿号「、」分隔"),
    ),
    _col(
        "assistance",
        "救助帮扶",
        MULTI,
        "救助帮扶情况",
        "享受救助",
        "家庭救助",
        choices=choices.FamilyAssistance,
        synonyms={
            "低保户": "dibao",
            "特困": "tekun",
            "特困人员": "tekun",
            "低保边缘户": "dibao_marginal",
            "边缘户": "dibao_marginal",
            "监测对象": "poverty_monitoring",
            "防返贫监测户": "poverty_monitoring",
        },
        width=16,
        note=_("可填多项，用顿号「、」分隔"),
    ),
    _col(
        "risk_level",
        "风险等级",
        CHOICE,
        "风险级别",
        "预警等级",
        choices=choices.RiskLevel,
        synonyms={
            "红": "red",
            "红色": "red",
            "高风险": "red",
            "橙": "orange",
            "橙色": "orange",
            "较高风险": "orange",
            "黄": "yellow",
            "黄色": "yellow",
            "一般风险": "yellow",
            "绿": "green",
            "绿色": "green",
            "低风险": "green",
        },
        width=14,
    ),
    _col(
        "responsible_director",
        "责任儿童主任",
        DIRECTOR,
        "儿童主任",
        "责任人",
        width=12,
        note=_("填该村儿童主任的姓名或用户名"),
    ),
    _col("support_measures", "帮扶措施", TEXT, "帮扶措施及成效", width=30),
    _col("filled_by", "填表人", TEXT, width=10),
    _col("reviewed_by", "复核人", TEXT, "审核人", width=10),
    _col("filled_on", "填报日期", DATE, "填表日期", width=12),
]

COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
ALIASES = {column.key: list(column.all_headers) for column in COLUMNS}
# Without these three a sheet is not a ledger; everything else may be absent.
REQUIRED_COLUMNS = ("name", "id_number", "village")
# Multi-valued cells are split on 、，,/ and spaces, yet one label itself holds a slash.
SLASHED_LABELS = {"父母服刑/戒毒": "parent_detained"}


def header_label(key: str) -> str:
    """The official header of a field, for messages (falls back to the field's own name)."""
    column = COLUMNS_BY_KEY.get(key)
    if column is not None:
        return column.header
    if key in ("__all__", ""):
        return ""
    return key


def normalize_label(text: object) -> str:
    """Compare labels without width, spaces, bracket style or letter case."""
    value = unicodedata.normalize("NFKC", str(text))
    value = value.replace("（", "(").replace("）", ")")
    return "".join(value.split()).lower()


def _bare(label: str) -> str:
    # 红（高风险） is also written 红 alone.
    return label.split("(", 1)[0]


def choice_lookup(column: Column) -> dict[str, str]:
    """Normalised text → code for a coded column: labels, codes, bare labels, synonyms."""
    lookup: dict[str, str] = {}
    for code, label in column.choices.choices:
        lookup[normalize_label(code)] = code
        normalized = normalize_label(label)
        lookup[normalized] = code
        lookup.setdefault(_bare(normalized), code)
        if column.key == "disability_type":
            lookup.setdefault(normalized + "残疾", code)
    for text, code in column.synonyms.items():
        lookup.setdefault(normalize_label(text), code)
    return lookup


def allowed_labels(column: Column) -> str:
    return "、".join(str(label) for _code, label in column.choices.choices)


def choice_labels(column: Column) -> list[str]:
    return [str(label) for _code, label in column.choices.choices]


def multi_display(codes: Iterable[str], choice_class: type[models.TextChoices]) -> str:
    """Labels joined by 、 in the order of the choices (stable for export and history)."""
    wanted = set(codes)
    return "、".join(str(label) for code, label in choice_class.choices if code in wanted)

"""Instrument definitions for the screening forms: titles, respondents, answer options
and Chinese item texts.

This module is data only; scoring rules live in ``scoring`` and thresholds in
``cutoffs``. The SDQ is copyrighted (© Robert Goodman / youthinmind), so its item
texts are deliberately absent: SDQ answers are entered by item number from a
licensed paper or online form, and ``licensed_only`` tells the UI so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "AGE_SOURCES",
    "INSTRUMENTS",
    "INSTRUMENT_CODES",
    "RESPONDENT_KINDS",
    "RESPONDENT_PARENT",
    "RESPONDENT_SELF",
    "RESPONDENT_TEACHER",
    "AnswerOption",
    "Instrument",
    "SupplementaryItem",
    "age_in_years",
    "get_instrument",
    "instruments_for_age",
]

RESPONDENT_SELF = "self"
RESPONDENT_PARENT = "parent"
RESPONDENT_TEACHER = "teacher"
RESPONDENT_KINDS = (RESPONDENT_SELF, RESPONDENT_PARENT, RESPONDENT_TEACHER)


@dataclass(frozen=True)
class AnswerOption:
    value: int
    label: str


@dataclass(frozen=True)
class SupplementaryItem:
    """An optional question that is asked but not added to the total (PHQ-A)."""

    number: int
    text: str
    options: tuple[AnswerOption, ...]


@dataclass(frozen=True)
class Instrument:
    code: str
    title: str
    respondents: tuple[str, ...]
    item_count: int
    options: tuple[AnswerOption, ...]
    # One text per core item, in order (item 1 first); empty when ``licensed_only``.
    item_texts: tuple[str, ...]
    instructions: str = ""
    supplementary: tuple[SupplementaryItem, ...] = ()
    licensed_only: bool = False
    attribution: str = ""
    # Respondent -> (youngest, oldest) age in whole years at the screening date, inclusive;
    # None: no upper bound. The ages each form was validated for (AGE_SOURCES).
    ages: Mapping[str, tuple[int, int | None]] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        # Catch a dropped or duplicated item text at import time rather than in a form.
        if self.item_texts and len(self.item_texts) != self.item_count:
            raise ValueError(
                f"{self.code}: {len(self.item_texts)} item texts for {self.item_count} items"
            )
        if self.licensed_only and self.item_texts:
            raise ValueError(f"{self.code}: licensed instruments must not carry item texts")
        if set(self.ages) != set(self.respondents):
            raise ValueError(f"{self.code}: an age range is needed for each respondent")

    @property
    def item_numbers(self) -> range:
        return range(1, self.item_count + 1)

    @property
    def min_value(self) -> int:
        return min(option.value for option in self.options)

    @property
    def max_value(self) -> int:
        return max(option.value for option in self.options)

    def age_range(self, respondent: str) -> tuple[int, int | None]:
        return self.ages[respondent]

    def fits_age(self, respondent: str, age: int) -> bool:
        if respondent not in self.ages:
            return False
        low, high = self.ages[respondent]
        return age >= low and (high is None or age <= high)

    def item_text(self, number: int) -> str | None:
        """Text of core item ``number`` (1-based), or None for licensed instruments."""
        if number not in self.item_numbers:
            raise ValueError(f"{self.code} has no item {number}")
        return self.item_texts[number - 1] if self.item_texts else None


def _ages(**ranges: tuple[int, int | None]) -> Mapping[str, tuple[int, int | None]]:
    return MappingProxyType(dict(ranges))


# Where each age range comes from (docs/domain.md §7): outside it a score has no validated
# meaning, so a screening is refused rather than scored.
AGE_SOURCES = MappingProxyType(
    {
        "PHQ9": "adolescent validations (Richardson et al. 2010: 13–17): from 12, no upper bound",
        "PHQA": "Johnson et al. 2002: adolescents 11–17",
        "GAD7": "Spitzer et al. 2006 (adults) and its adolescent validations: from 12",
        "SCARED": "Birmaher et al. 1997/1999: children and adolescents 8–18",
        "CESDC": "Weissman, Orvaschel & Padian 1980: 6–17",
        "SDQ_S": "Goodman 1997/2001: self-report 11–17",
        "SDQ_P": "Goodman 1997/2001: parent report 4–17 (another form for 2–4)",
        "SDQ_T": "Goodman 1997/2001: teacher report 4–17 (another form for 2–4)",
    }
)


def _options(*labels: str) -> tuple[AnswerOption, ...]:
    return tuple(AnswerOption(value, label) for value, label in enumerate(labels))


PHQ_ATTRIBUTION = (
    "PHQ-9、PHQ-A 与 GAD-7 由 Robert L. Spitzer、Janet B. W. Williams、Kurt Kroenke "
    "等人编制，辉瑞公司（Pfizer Inc.）提供教育资助；无需许可即可复制、翻译、展示或分发。"
    " / Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
    "colleagues, with an educational grant from Pfizer Inc. No permission required to "
    "reproduce, translate, display or distribute."
)
PHQA_ATTRIBUTION = (
    PHQ_ATTRIBUTION + " PHQ-A: Johnson, Harris, Spitzer & Williams, J Adolesc Health 2002."
)
SCARED_ATTRIBUTION = (
    "SCARED（儿童焦虑性情绪障碍筛查表）: Birmaher B, et al. J Am Acad Child Adolesc "
    "Psychiatry 1997;36(4):545–553; Birmaher B, et al. J Am Acad Child Adolesc Psychiatry "
    "1999;38(10):1230–1236. 免费使用。"
)
CESDC_ATTRIBUTION = (
    "CES-DC（流调中心儿童抑郁量表）: Weissman MM, Orvaschel H, Padian N. "
    "J Nerv Ment Dis 1980;168(12):736–740. 公共领域。"
)
SDQ_ATTRIBUTION = (
    "SDQ（长处和困难问卷）© Robert Goodman / youthinmind。条目文本受版权保护，"
    "本系统不收录，请使用授权问卷并按题号录入。"
)

# Shared by PHQ-9, PHQ-A and GAD-7 (standard Chinese wording of the PHQ family).
PHQ_OPTIONS = _options("完全不会", "好几天", "一半以上的天数", "几乎每天")
SCARED_OPTIONS = _options("没有或几乎没有", "有时有", "经常有")
CESDC_OPTIONS = _options("一点也不", "有一点", "有一些", "很多")
# Generic response labels only; the copyrighted part of the SDQ is the item wording.
SDQ_OPTIONS = _options("不符合", "有点符合", "完全符合")
YES_NO_OPTIONS = (AnswerOption(0, "否"), AnswerOption(1, "是"))

PHQ9_ITEMS = (
    "做事时提不起劲或没有兴趣",
    "感到心情低落、沮丧或绝望",
    "入睡困难、睡不安稳或睡眠过多",
    "感觉疲倦或没有活力",
    "食欲不振或吃太多",
    "觉得自己很糟，或觉得自己很失败，或让自己或家人失望",
    "对事物专注有困难，例如阅读报纸或看电视时",
    "动作或说话速度缓慢到别人已经察觉？或正好相反——烦躁或坐立不安、动来动去的情况更胜于平常",
    "有不如死掉或用某种方式伤害自己的念头",
)

# PHQ-A (PHQ-9 modified for adolescents): items 1 and 2 swap order, irritability is
# added to item 1, weight change to item 4 and school work to item 7.
PHQA_ITEMS = (
    "感到心情低落、沮丧、烦躁或绝望",
    "做事时提不起劲或没有兴趣",
    "入睡困难、睡不安稳或睡眠过多",
    "食欲不振、体重减轻或吃太多",
    "感觉疲倦或没有活力",
    "觉得自己很糟，或觉得自己很失败，或让自己或家人失望",
    "对事物专注有困难，例如做功课、阅读或看电视时",
    "动作或说话速度缓慢到别人已经察觉？或正好相反——烦躁或坐立不安、动来动去的情况更胜于平常",
    "有不如死掉或用某种方式伤害自己的念头",
)

PHQA_SUPPLEMENTARY = (
    SupplementaryItem(
        10,
        "在过去一年里，即使有时感觉还好，你是否大多数日子都感到抑郁或难过？",
        YES_NO_OPTIONS,
    ),
    # The published PHQ-A asks this on a four-point difficulty scale, not yes/no;
    # scoring accepts 0–3 here so the original wording can be used unchanged.
    SupplementaryItem(
        11,
        "如果你有上述任何问题，这些问题对你做功课、处理家里的事情或与他人相处造成了多大困难？",
        _options("毫无困难", "有点困难", "非常困难", "极度困难"),
    ),
    SupplementaryItem(
        12,
        "在过去一个月里，你是否曾经认真地想过结束自己的生命？",
        YES_NO_OPTIONS,
    ),
    SupplementaryItem(
        13,
        "在你的一生中，你是否曾经尝试过自杀？",
        YES_NO_OPTIONS,
    ),
)

GAD7_ITEMS = (
    "感觉紧张、焦虑或急切",
    "不能够停止或控制担忧",
    "对各种各样的事情担忧过多",
    "很难放松下来",
    "由于不安而无法静坐",
    "变得容易烦恼或急躁",
    "感到似乎将有可怕的事情发生而害怕",
)

# SCARED child self-report form, 41 items in the original numbering (the subscale
# item lists in ``scoring`` depend on this order).
SCARED_ITEMS = (
    "我害怕时，会呼吸困难",
    "我在学校时会头痛",
    "我不喜欢和不太熟悉的人在一起",
    "如果不在家里睡觉，我会感到害怕",
    "我担心别人是否喜欢我",
    "我害怕时，感觉好像要昏倒",
    "我很紧张",
    "无论父母去哪里，我都想跟着",
    "别人说我看起来很紧张",
    "和不太熟悉的人在一起时，我会感到紧张",
    "我在学校时会肚子痛",
    "我害怕时，感觉自己好像要发疯了",
    "我担心一个人睡觉",
    "我担心自己不如别的孩子好",
    "我害怕时，感觉周围的事物好像不是真的",
    "我做噩梦，梦见父母发生了不好的事情",
    "我担心去上学",
    "我害怕时，心跳得很快",
    "我会发抖",
    "我做噩梦，梦见自己发生了不好的事情",
    "我担心事情对我来说会不会顺利",
    "我害怕时，会出很多汗",
    "我是一个爱担心的人",
    "我会无缘无故地感到非常害怕",
    "我害怕一个人待在家里",
    "我很难和不太熟悉的人说话",
    "我害怕时，感觉好像喘不过气来",
    "别人说我担心得太多了",
    "我不喜欢离开家人",
    "我害怕焦虑（或惊恐）发作",
    "我担心父母会发生不好的事情",
    "和不太熟悉的人在一起时，我会感到害羞",
    "我担心将来会发生什么事情",
    "我害怕时，感觉想吐",
    "我担心自己事情做得好不好",
    "我害怕去上学",
    "我担心已经发生过的事情",
    "我害怕时，会感到头晕",
    "当我和别的孩子或大人在一起，并且要在他们面前做事情时（例如：朗读、讲话、玩游戏、"
    "做运动），我会感到紧张",
    "去参加聚会、跳舞或去任何有不太熟悉的人在场的地方时，我会感到紧张",
    "我很害羞",
)

# CES-DC, 20 items. Items 4, 8, 12 and 16 are positively worded (reverse-scored).
CESDC_ITEMS = (
    "一些平常不会让我烦恼的事情让我感到烦恼",
    "我不想吃东西，我不太饿",
    "即使家人或朋友想让我高兴起来，我也高兴不起来",
    "我觉得自己和别的孩子一样好",
    "我觉得自己没办法集中注意力做正在做的事情",
    "我感到情绪低落、不开心",
    "我觉得自己太累了，不想做事情",
    "我觉得会有好事情发生",
    "我觉得以前做过的事情都没有做好",
    "我感到害怕",
    "我睡得不像平常那么好",
    "我很快乐",
    "我比平常更安静",
    "我感到孤独，好像一个朋友也没有",
    "我觉得认识的孩子们对我不友好，或者他们不想和我在一起",
    "我过得很开心",
    "我想哭",
    "我感到难过",
    "我觉得别人不喜欢我",
    "我很难开始做事情",
)

_PHQ_INSTRUCTIONS = "在过去两周里，你有多少时候受到以下问题的困扰？"
_SDQ_INSTRUCTIONS = "请使用授权的 SDQ 问卷作答，并按题号（1–25）录入每题的答案。"

_DEFINITIONS = (
    Instrument(
        code="PHQ9",
        title="患者健康问卷抑郁量表（PHQ-9）",
        respondents=(RESPONDENT_SELF,),
        item_count=9,
        options=PHQ_OPTIONS,
        item_texts=PHQ9_ITEMS,
        instructions=_PHQ_INSTRUCTIONS,
        ages=_ages(self=(12, None)),
        attribution=PHQ_ATTRIBUTION,
    ),
    Instrument(
        code="PHQA",
        title="青少年版患者健康问卷抑郁量表（PHQ-A）",
        respondents=(RESPONDENT_SELF,),
        item_count=9,
        options=PHQ_OPTIONS,
        item_texts=PHQA_ITEMS,
        instructions=_PHQ_INSTRUCTIONS,
        supplementary=PHQA_SUPPLEMENTARY,
        ages=_ages(self=(11, 17)),
        attribution=PHQA_ATTRIBUTION,
    ),
    Instrument(
        code="GAD7",
        title="广泛性焦虑障碍量表（GAD-7）",
        respondents=(RESPONDENT_SELF,),
        item_count=7,
        options=PHQ_OPTIONS,
        item_texts=GAD7_ITEMS,
        instructions=_PHQ_INSTRUCTIONS,
        ages=_ages(self=(12, None)),
        attribution=PHQ_ATTRIBUTION,
    ),
    Instrument(
        code="SCARED",
        title="儿童焦虑性情绪障碍筛查表（SCARED，儿童版）",
        respondents=(RESPONDENT_SELF,),
        item_count=41,
        options=SCARED_OPTIONS,
        item_texts=SCARED_ITEMS,
        instructions="下面是一些描述人们感受的句子。请根据你最近三个月的情况，选择最符合你的答案。",
        ages=_ages(self=(8, 18)),
        attribution=SCARED_ATTRIBUTION,
    ),
    Instrument(
        code="CESDC",
        title="流调中心儿童抑郁量表（CES-DC）",
        respondents=(RESPONDENT_SELF,),
        item_count=20,
        options=CESDC_OPTIONS,
        item_texts=CESDC_ITEMS,
        instructions="下面是一些描述感受和行为的句子。请根据你过去一周的情况，选择最符合你的答案。",
        ages=_ages(self=(6, 17)),
        attribution=CESDC_ATTRIBUTION,
    ),
    Instrument(
        code="SDQ_S",
        title="长处和困难问卷（SDQ，自评版）",
        respondents=(RESPONDENT_SELF,),
        item_count=25,
        options=SDQ_OPTIONS,
        item_texts=(),
        instructions=_SDQ_INSTRUCTIONS,
        licensed_only=True,
        ages=_ages(self=(11, 17)),
        attribution=SDQ_ATTRIBUTION,
    ),
    Instrument(
        code="SDQ_P",
        title="长处和困难问卷（SDQ，家长版）",
        respondents=(RESPONDENT_PARENT,),
        item_count=25,
        options=SDQ_OPTIONS,
        item_texts=(),
        instructions=_SDQ_INSTRUCTIONS,
        licensed_only=True,
        ages=_ages(parent=(4, 17)),
        attribution=SDQ_ATTRIBUTION,
    ),
    Instrument(
        code="SDQ_T",
        title="长处和困难问卷（SDQ，教师版）",
        respondents=(RESPONDENT_TEACHER,),
        item_count=25,
        options=SDQ_OPTIONS,
        item_texts=(),
        instructions=_SDQ_INSTRUCTIONS,
        licensed_only=True,
        ages=_ages(teacher=(4, 17)),
        attribution=SDQ_ATTRIBUTION,
    ),
)

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType(
    {instrument.code: instrument for instrument in _DEFINITIONS}
)
INSTRUMENT_CODES: tuple[str, ...] = tuple(INSTRUMENTS)


def get_instrument(code: str) -> Instrument:
    try:
        return INSTRUMENTS[code]
    except KeyError:
        raise ValueError(f"Unknown screening instrument code: {code!r}") from None


def age_in_years(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age on ``on`` (a birthday on 29 February counts from 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def instruments_for_age(age: int, codes=None) -> list[tuple[str, str]]:
    """(code, respondent) pairs whose age range includes ``age``, in definition order,
    among ``codes`` (default: every instrument)."""
    allowed = INSTRUMENT_CODES if codes is None else tuple(codes)
    return [
        (code, respondent)
        for code in INSTRUMENT_CODES
        if code in allowed
        for respondent in INSTRUMENTS[code].respondents
        if INSTRUMENTS[code].fits_age(respondent, age)
    ]

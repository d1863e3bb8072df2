"""Coded values of the care records (docs/domain.md §1, §7). Stored codes are English; labels
Chinese.

The rules that decide what a screening result means for a child (risk level, safety alert)
and which referral status may follow which live here too, each in one place.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from care.screening import (
    ALERT_SUICIDAL_IDEATION,
    ALERT_SUICIDE_ATTEMPT,
    NORM_BIRMAHER,
    NORM_CHINESE,
)
from children.choices import RiskLevel


class Respondent(models.TextChoices):
    SELF = "self", _("本人")
    PARENT = "parent", _("家长")
    TEACHER = "teacher", _("教师")


# Chinese names of the bands, subscales and alerts the scoring package returns (its codes
# are English so that it stays free of translations).
BAND_LABELS = {
    "minimal": _("无或极轻微"),
    "mild": _("轻度"),
    "moderate": _("中度"),
    "moderately_severe": _("中重度"),
    "severe": _("重度"),
    "negative": _("阴性"),
    "positive": _("阳性"),
    "normal": _("正常"),
    "borderline": _("临界"),
    "abnormal": _("异常"),
}
SUBSCALE_LABELS = {
    "panic_somatic": _("惊恐/躯体化"),
    "generalized_anxiety": _("广泛性焦虑"),
    "separation": _("分离焦虑"),
    "social": _("社交恐惧"),
    "school_avoidance": _("学校恐惧"),
    "emotional": _("情绪症状"),
    "conduct": _("品行问题"),
    "hyperactivity": _("多动/注意缺陷"),
    "peer": _("同伴交往问题"),
    "prosocial": _("亲社会行为"),
}
ALERT_LABELS = {
    ALERT_SUICIDAL_IDEATION: _("自杀意念"),
    # PHQ-A item 13, "ever tried to kill yourself": a past attempt, not a thought.
    ALERT_SUICIDE_ATTEMPT: _("曾尝试自杀（自杀未遂）"),
}
SUICIDE_ALERTS = frozenset({ALERT_SUICIDAL_IDEATION, ALERT_SUICIDE_ATTEMPT})
SUBSCALE_ALERT_PREFIX = "scared_"


def band_label(band: str) -> str:
    return str(BAND_LABELS.get(band, band))


def subscale_label(name: str) -> str:
    return str(SUBSCALE_LABELS.get(name, name))


def alert_label(code: str) -> str:
    if code in ALERT_LABELS:
        return str(ALERT_LABELS[code])
    if code.startswith(SUBSCALE_ALERT_PREFIX):
        name = code.removeprefix(SUBSCALE_ALERT_PREFIX)
        return str(_("%(name)s分量表超出界值")) % {"name": subscale_label(name)}
    return code


def risk_for_result(result) -> str | None:
    """The risk level a screening result calls for (THE mapping; nothing else decides it).

    - a suicidal-ideation or suicide-attempt alert, or a ``severe`` band → red (高风险);
    - any other positive result → orange (较高风险);
    - otherwise None: a negative result never changes the child's level.
    The level is only ever raised (children.services.child_raise_risk never lowers it).
    ``result`` is a ScreeningResult or a saved Screening (both have alerts/band/positive).
    """
    if SUICIDE_ALERTS & set(result.alerts or []) or result.band == "severe":
        return RiskLevel.RED
    if result.positive:
        return RiskLevel.ORANGE
    return None


class AlertKind(models.TextChoices):
    SUICIDAL_IDEATION = "suicidal_ideation", _("自杀意念")
    SUICIDE_ATTEMPT = "suicide_attempt", _("曾尝试自杀（自杀未遂）")
    POSITIVE_SCREENING = "positive_screening", _("测评阳性")


# Kinds handled as a suicide risk (the short deadline, the red badge, the report's 重度).
SUICIDE_KINDS = frozenset({AlertKind.SUICIDAL_IDEATION, AlertKind.SUICIDE_ATTEMPT})


def alert_kind_for_result(result) -> str | None:
    """Whether a result raises a safety alert, and of which kind (one alert per screening:
    a past attempt first, then ideation, then any other positive result)."""
    alerts = result.alerts or []
    if ALERT_SUICIDE_ATTEMPT in alerts:
        return AlertKind.SUICIDE_ATTEMPT
    if ALERT_SUICIDAL_IDEATION in alerts:
        return AlertKind.SUICIDAL_IDEATION
    if result.positive:
        return AlertKind.POSITIVE_SCREENING
    return None


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处置")
    CLOSED = "closed", _("已处置")


class Resolution(models.TextChoices):
    CARE_PLAN = "care_plan", _("已制定关爱方案")
    REFERRAL = "referral", _("已转介")
    NOTE = "note", _("处置说明")


class AlertAction(models.TextChoices):
    """What was done for the child (处置措施): one or more is required to close an alert."""

    GUARDIAN_INFORMED = "guardian_informed", _("已告知监护人")
    EMERGENCY = "emergency", _("已拨打 120/110 或送医")
    REFERRAL = "referral", _("已转介")
    CARE_PLAN = "care_plan", _("已制定关爱方案")
    SAFETY_PLAN = "safety_plan", _("已与儿童和监护人约定安全计划")


class AlertEventKind(models.TextChoices):
    RAISED = "raised", _("生成预警")
    ESCALATED_TOWNSHIP = "escalated_township", _("逾期未处置，已上报乡镇督导员")
    ESCALATED_COUNTY = "escalated_county", _("逾期未处置，已上报县未保中心")
    CLOSED = "closed", _("已处置")


# Escalation steps: the level an alert reaches and the event that records it.
ESCALATION_STEPS = (
    (1, AlertEventKind.ESCALATED_TOWNSHIP),
    (2, AlertEventKind.ESCALATED_COUNTY),
)


class ScaredNorm(models.TextChoices):
    BIRMAHER = NORM_BIRMAHER, _("Birmaher 原始界值（总分 ≥ 25）")
    CHINESE = NORM_CHINESE, _("中国城市常模（总分 ≥ 23）")


ALERT_NOTE_MIN_LENGTH = 10


class CareService(models.TextChoices):
    COUNSELLING = "counselling", _("心理辅导")
    EMOTIONAL_GUIDANCE = "emotional_guidance", _("情绪疏导")
    COMFORT = "comfort", _("心理慰藉")
    FAMILY_EDUCATION = "family_education", _("家庭教育指导")
    STUDY_SUPPORT = "study_support", _("学业帮扶")
    OTHER = "other", _("其他")


class PlanStatus(models.TextChoices):
    """A plan is drafted, submitted to the township supervisor, and becomes active only when
    approved (or is returned with a comment, edited and resubmitted). ``active`` is the
    approved state."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    RETURNED = "returned", _("已退回")
    ACTIVE = "active", _("进行中")
    COMPLETED = "completed", _("已完成")
    TERMINATED = "terminated", _("已终止")


# States a plan is in once approved: the plan has been made (制定) and counts in the report.
APPROVED_PLAN_STATUSES = (PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.TERMINATED)
# States its author may still edit and (re)submit.
EDITABLE_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.RETURNED)


class InstitutionType(models.TextChoices):
    SOCIAL_PSYCHOLOGICAL = "social_psychological", _("社会心理服务机构")
    MEDICAL = "medical", _("医疗卫生机构（精神科/心理门诊）")
    SCHOOL = "school", _("学校心理辅导室")
    OTHER = "other", _("其他")


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", _("已转介")
    ADMITTED = "admitted", _("已接诊")
    OUTPATIENT = "outpatient", _("治疗中（门诊）")
    INPATIENT = "inpatient", _("治疗中（住院）")
    DISCHARGED = "discharged", _("已出院")
    ENDED = "ended", _("已结束")
    NOT_ADMITTED = "not_admitted", _("未接诊")


# Which status may follow which (the referral lifecycle of docs/domain.md §1 / issue 4):
# 已转介 → 已接诊 or 未接诊 (with a reason); 已接诊 → treatment, or 已结束 when the
# institution found no treatment needed; outpatient may become inpatient and vice versa;
# 住院 ends in 已出院 (which prompts a pairing); a discharged child may be readmitted.
# 未接诊 and 已结束 are final: a new referral is recorded instead.
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.REFERRED: frozenset({ReferralStatus.ADMITTED, ReferralStatus.NOT_ADMITTED}),
    ReferralStatus.ADMITTED: frozenset(
        {ReferralStatus.OUTPATIENT, ReferralStatus.INPATIENT, ReferralStatus.ENDED}
    ),
    ReferralStatus.OUTPATIENT: frozenset({ReferralStatus.INPATIENT, ReferralStatus.ENDED}),
    ReferralStatus.INPATIENT: frozenset(
        {ReferralStatus.OUTPATIENT, ReferralStatus.DISCHARGED, ReferralStatus.ENDED}
    ),
    ReferralStatus.DISCHARGED: frozenset({ReferralStatus.INPATIENT, ReferralStatus.ENDED}),
    ReferralStatus.ENDED: frozenset(),
    ReferralStatus.NOT_ADMITTED: frozenset(),
}
# A status change to one of these must say why.
REFERRAL_REASON_REQUIRED = frozenset({ReferralStatus.NOT_ADMITTED})
# Referrals still in the institution's hands (counted as "referred" on the ledger).
REFERRAL_OPEN_STATUSES = frozenset(
    {
        ReferralStatus.REFERRED,
        ReferralStatus.ADMITTED,
        ReferralStatus.OUTPATIENT,
        ReferralStatus.INPATIENT,
    }
)


class MentorType(models.TextChoices):
    TEACHER = "teacher", _("教师")
    CHILD_DIRECTOR = "child_director", _("儿童主任")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    VOLUNTEER = "volunteer", _("志愿者")


class PairingStatus(models.TextChoices):
    ACTIVE = "active", _("帮扶中")
    ENDED = "ended", _("已结束")


DEFAULT_FOLLOW_UP_INTERVAL_DAYS = 30


# --- services delivered (服务记录) ----------------------------------------------------------

# The sessions the notice names (关爱服务: 心理辅导、情绪疏导、心理慰藉; 家庭教育指导): the
# same codes as the plan's services, so a session's kind is one of its plan's.
SESSION_KINDS = (
    CareService.COUNSELLING,
    CareService.EMOTIONAL_GUIDANCE,
    CareService.COMFORT,
    CareService.FAMILY_EDUCATION,
)


class SessionKind(models.TextChoices):
    COUNSELLING = CareService.COUNSELLING.value, CareService.COUNSELLING.label
    EMOTIONAL_GUIDANCE = (
        CareService.EMOTIONAL_GUIDANCE.value,
        CareService.EMOTIONAL_GUIDANCE.label,
    )
    COMFORT = CareService.COMFORT.value, CareService.COMFORT.label
    FAMILY_EDUCATION = CareService.FAMILY_EDUCATION.value, CareService.FAMILY_EDUCATION.label


class DeliveredBy(models.TextChoices):
    """Who delivered a session. Care may not import activities (they share a floor), so a
    partner organisation or a purchased service is named in text, not linked."""

    STAFF = "staff", _("工作人员（儿童主任/督导员）")
    PARTNER = "partner", _("合作社会组织")
    PURCHASED = "purchased", _("政府购买服务")


SESSION_MAX_MINUTES = 480


# --- incidents and mandatory reporting (强制报告, 未成年人保护法 第十一条) ------------------------


class IncidentKind(models.TextChoices):
    SEXUAL_ABUSE = "sexual_abuse", _("性侵害")
    ABUSE = "abuse", _("虐待、暴力伤害")
    NEGLECT = "neglect", _("遗弃、严重监护失职")
    TRAFFICKING = "trafficking", _("拐卖、失踪")
    BULLYING = "bullying", _("学生欺凌")
    OTHER = "other", _("其他侵害")


class ReportedTo(models.TextChoices):
    POLICE = "police", _("公安机关")
    CIVIL_AFFAIRS = "civil_affairs", _("民政部门")
    BOTH = "both", _("公安机关和民政部门")
    EDUCATION = "education", _("教育等其他有关部门")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("已报告，待反馈")
    INVESTIGATING = "investigating", _("立案调查中")
    UNFOUNDED = "unfounded", _("经核查不属实")
    RESOLVED = "resolved", _("已依法处置")


INCIDENT_OPEN_STATUSES = frozenset({IncidentStatus.REPORTED, IncidentStatus.INVESTIGATING})

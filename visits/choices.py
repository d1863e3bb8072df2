"""Coded values of home visits (docs/domain.md §6 and the care-records issue). Codes English,
labels Chinese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitKind(models.TextChoices):
    HOME = "home", _("入户家访")
    TALK = "talk", _("谈心谈话")
    PHONE = "phone", _("电话回访")
    SCHOOL = "school", _("学校走访")
    ACTIVITY = "activity", _("活动中走访")


class StateRating(models.TextChoices):
    """How the child seemed in one part of life (情绪、学习、生活、安全)."""

    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class Problem(models.TextChoices):
    """问题发现: many per visit, one row each (VisitProblem), so reports count them in SQL."""

    LIVING_DIFFICULTY = "living_difficulty", _("生活困难")
    STUDY_PRESSURE = "study_pressure", _("升学压力")
    FAMILY_CRISIS = "family_crisis", _("家庭变故")
    RIGHTS_VIOLATED = "rights_violated", _("权益受侵害")
    EMOTIONAL = "emotional", _("情绪异常")
    BEHAVIOURAL = "behavioural", _("行为异常")
    OTHER = "other", _("其他")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


# The four parts of the child's state seen at a visit: (field prefix, label).
STATE_PARTS = [
    ("emotion", _("情绪")),
    ("study", _("学习")),
    ("life", _("生活")),
    ("safety", _("安全")),
]

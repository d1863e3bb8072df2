"""Coded values of the activities app (docs/domain.md §1). Stored codes are English; labels
Chinese."""

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_THEME = "润心伴成长，同心护未来"


class ActivityForm(models.TextChoices):
    """活动形式: an activity may take several forms; each is stored as its own row."""

    PATRIOTIC_BASE = "patriotic_base", _("参观爱国主义教育基地")
    EDUCATIONAL_FILM = "educational_film", _("观看教育宣传片")
    THEME_DAY = "theme_day", _("主题日")
    OPEN_DAY = "open_day", _("开放日")
    SPORTS_MEET = "sports_meet", _("运动会")
    LECTURE = "lecture", _("专题讲座")
    KNOWLEDGE_QUIZ = "knowledge_quiz", _("知识竞赛")
    LIGHT_UP_JUNE_FIRST = "light_up_june_first", _("「点亮六一」")
    MENTAL_HEALTH_TALK = "mental_health_talk", _("心理健康宣讲")
    FAMILY_EDUCATION = "family_education", _("家庭教育指导")
    CLOUD_CONSULTATION = "cloud_consultation", _("云咨询")
    CARING_VISIT = "caring_visit", _("走访慰问")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    """宣传渠道."""

    INTERNET = "internet", _("网络")
    NEWSPAPER = "newspaper", _("报纸")
    WECHAT = "wechat", _("微信")
    APP = "app", _("APP")
    MINI_PROGRAM = "mini_program", _("小程序")
    SHORT_VIDEO = "short_video", _("小视频")
    ELECTRONIC_SCREEN = "electronic_screen", _("电子屏幕")


class LeaderLevel(models.TextChoices):
    """出席领导的层级."""

    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇级")
    VILLAGE = "village", _("村级")


class PartnerKind(models.TextChoices):
    """合作组织类型."""

    SOCIAL_ORGANISATION = "social_org", _("社会组织")
    ENTERPRISE = "enterprise", _("企业")
    CHARITY = "charity", _("慈善组织")
    SCHOOL = "school", _("学校")
    MEDICAL = "medical", _("医疗卫生机构")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿者队伍")


class TrainingKind(models.TextChoices):
    TRAINING = "training", _("培训")
    LECTURE = "lecture", _("专题讲座")

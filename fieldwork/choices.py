from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    """What a device may queue offline."""

    VISIT = "visit", _("家访/谈心谈话")
    VISIT_EDIT = "visit_edit", _("修改家访记录")
    SCREENING = "screening", _("心理健康测评")
    FOLLOW_UP = "follow_up", _("结对随访")

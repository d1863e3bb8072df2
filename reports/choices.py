"""Coded values of the reports app. Stored codes are English; labels Chinese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    """The township summary's workflow: draft → submitted → (returned → submitted)* → accepted."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已采纳")


# The township may edit its narratives only in these states; a submitted or accepted report
# is frozen until the county returns it or the county admin reopens it.
EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})


class VersionOutcome(models.TextChoices):
    """What the county did with one submitted version."""

    PENDING = "pending", _("待审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已采纳")
    REOPENED = "reopened", _("已重新开放")


# The narrative fields of the June 4 report, in the order of the county's notice:
# (model field, label). The workbook, the form and the version view all read this list.
NARRATIVE_FIELDS = [
    ("featured_practices", _("特色做法")),
    ("timeliness", _("活动时效情况")),
    ("leader_participation", _("领导参与")),
    ("brand", _("活动品牌")),
    ("innovative_practices", _("创新做法")),
]

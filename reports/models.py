"""The township summary due on the campaign's deadline (June 4) and its submitted versions.

Area rule: a report belongs to a township and has no village (``village_path = None``).
Village directors hold no report permission at all, so they never reach a report page.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from accounts.scoping import AreaScopedQuerySet
from core.models import VersionedModel
from reports.choices import EDITABLE_STATUSES, NARRATIVE_FIELDS, ReportStatus, VersionOutcome

# The notice's deadline is "6月4日前" in Beijing time: a report is on time when it is submitted
# before midnight at the end of the deadline day in this zone, whatever the server's zone.
DEADLINE_ZONE = ZoneInfo("Asia/Shanghai")


def deadline_end(deadline: dt.date) -> dt.datetime:
    """The first instant after the deadline day (00:00 of the next day, Asia/Shanghai)."""
    return dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time.min, tzinfo=DEADLINE_ZONE)


def is_on_time(submitted_at: dt.datetime, deadline: dt.date) -> bool:
    return submitted_at < deadline_end(deadline)


class TownshipReportQuerySet(AreaScopedQuerySet):
    village_path = None


class TownshipReport(VersionedModel):
    """乡镇主题活动情况报表: one per campaign and township; figures are computed, never typed."""

    campaign = models.ForeignKey(
        "activities.Campaign",
        on_delete=models.PROTECT,
        related_name="township_reports",
        verbose_name=_("年度主题活动"),
        db_index=False,  # report_one_per_campaign_township leads with it
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="reports", verbose_name=_("乡镇")
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.DRAFT,
        db_index=True,
    )

    # The narratives the notice asks for (重点是领导参与、活动品牌、创新做法、受益人数).
    featured_practices = models.TextField(_("特色做法"), blank=True)
    timeliness = models.TextField(_("活动时效情况"), blank=True)
    leader_participation = models.TextField(_("领导参与"), blank=True)
    brand = models.TextField(_("活动品牌"), blank=True)
    innovative_practices = models.TextField(_("创新做法"), blank=True)

    # The latest submission; ``on_time`` is that of the FIRST submission: whether the
    # township reported by the deadline. A version returned for correction and resubmitted
    # late keeps its own 按时/逾期 on the version.
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送人"),
    )
    on_time = models.BooleanField(_("按时报送"), null=True, blank=True)
    return_comment = models.TextField(_("退回意见"), blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("退回人"),
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("采纳人"),
    )
    accepted_at = models.DateTimeField(_("采纳时间"), null=True, blank=True)

    objects = TownshipReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("乡镇报表")
        verbose_name_plural = _("乡镇报表")
        ordering = ["-campaign__year", "township__code"]
        permissions = [
            ("submit_report", _("填报并报送本乡镇报表")),
            ("review_report", _("审核乡镇报表（退回、采纳）")),
            ("reopen_report", _("重新开放已报送的报表")),
            ("view_dashboard", _("查看数据看板")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "township"], name="report_one_per_campaign_township"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False, on_time__isnull=False),
                name="report_submitted_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.campaign.year}年 {self.township.name}"

    def get_absolute_url(self):
        return reverse("reports:township", args=[self.campaign.year, self.township_id])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def narratives(self) -> dict[str, str]:
        return {name: getattr(self, name) for name, _label in NARRATIVE_FIELDS}


class ReportVersionQuerySet(AreaScopedQuerySet):
    township_path = "report__township"
    village_path = None


class ReportVersion(models.Model):
    """报表版本: one submission, frozen: the figures and narratives as they were sent, and what
    the county did with it (returned with a comment, accepted, or reopened)."""

    report = models.ForeignKey(
        TownshipReport,
        on_delete=models.PROTECT,
        related_name="versions",
        db_index=False,  # report_version_unique leads with it
    )
    number = models.PositiveSmallIntegerField(_("版本号"))
    figures = models.JSONField(_("统计数据"))
    narratives = models.JSONField(_("文字材料"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报送人"),
    )
    submitted_at = models.DateTimeField(_("报送时间"))
    on_time = models.BooleanField(_("按时报送"))
    outcome = models.CharField(
        _("审核结果"),
        max_length=10,
        choices=VersionOutcome.choices,
        default=VersionOutcome.PENDING,
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("报表版本")
        verbose_name_plural = _("报表版本")
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique"),
            models.CheckConstraint(
                condition=Q(outcome="pending")
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="report_version_reviewed_has_reviewer",
            ),
        ]

    def __str__(self):
        return _("%(report)s 第%(n)s版") % {"report": self.report, "n": self.number}

    def get_absolute_url(self):
        return reverse(
            "reports:version",
            args=[self.report.campaign.year, self.report.township_id, self.number],
        )

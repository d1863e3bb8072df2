from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from children.choices import RiskLevel
from core.models import VersionedModel
from visits import choices

# docs/domain.md §6 defaults, also written by the data migration: days between visits per risk
# level, and the working days allowed for the first visit after registration.
DEFAULT_INTERVALS = {
    RiskLevel.RED: 14,
    RiskLevel.ORANGE: 30,
    RiskLevel.YELLOW: 30,
    RiskLevel.GREEN: 90,
}
DEFAULT_FIRST_VISIT_WORKING_DAYS = 5


class VisitQuerySet(AreaScopedQuerySet):
    # A visit lives where its child lives now: after a transfer the new area sees it.
    township_path = "child__township"
    village_path = "child__village"


class Visit(VersionedModel):
    """家访/谈心谈话: one contact with a child, recorded by a director or supervisor."""

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("儿童"),
        # visit_child_date (child, -date) serves every lookup by child: a second index on
        # the child alone would only make each recorded visit dearer to write.
        db_index=False,
    )
    date = models.DateField(_("走访日期"))
    kind = models.CharField(_("走访方式"), max_length=20, choices=choices.VisitKind.choices)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits_made",
        verbose_name=_("走访人"),
    )
    co_visitors = models.CharField(_("同行人员"), max_length=200, blank=True)
    place = models.CharField(_("走访地点"), max_length=200, blank=True)

    # The child's state seen, in four parts: a short rating and a note each.
    emotion_state = models.CharField(
        _("情绪状况"), max_length=10, choices=choices.StateRating.choices
    )
    emotion_note = models.CharField(_("情绪说明"), max_length=300, blank=True)
    study_state = models.CharField(
        _("学习状况"), max_length=10, choices=choices.StateRating.choices
    )
    study_note = models.CharField(_("学习说明"), max_length=300, blank=True)
    life_state = models.CharField(_("生活状况"), max_length=10, choices=choices.StateRating.choices)
    life_note = models.CharField(_("生活说明"), max_length=300, blank=True)
    safety_state = models.CharField(
        _("安全状况"), max_length=10, choices=choices.StateRating.choices
    )
    safety_note = models.CharField(_("安全说明"), max_length=300, blank=True)

    guardian_informed = models.BooleanField(_("已告知监护人"), default=False)
    actions_taken = models.TextField(_("采取的措施"), blank=True)
    follow_up_needed = models.BooleanField(_("需要跟进"), default=False)
    follow_up_note = models.CharField(_("跟进事项"), max_length=300, blank=True)

    # Review (审核): a director's record waits for the township supervisor.
    review_status = models.CharField(
        _("审核状态"),
        max_length=10,
        choices=choices.ReviewStatus.choices,
        default=choices.ReviewStatus.PENDING,
        db_index=True,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # The latest review's comment; kept after a resubmission so the history reads plainly.
    review_comment = models.CharField(_("审核意见"), max_length=300, blank=True)

    # Required, not editable in forms and labelled as the visit form calls them: as the
    # table was created (VersionedModel has the version).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("家访记录")
        verbose_name_plural = _("家访记录")
        ordering = ["-date", "-pk"]
        permissions = [("review_visit", _("审核家访记录"))]
        indexes = [
            models.Index(fields=["child", "-date"], name="visit_child_date"),
            # Date first, for the visits of a period; the child too, so that counting a
            # township's visits and children visited in a period reads only this index
            # (14 ms instead of 48 for the largest township at 100,000 children).
            models.Index(fields=["date", "child"], name="visit_date_child"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_status="pending")
                | Q(reviewer__isnull=False, reviewed_at__isnull=False),
                name="visit_reviewed_has_reviewer",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("visits:detail", args=[self.pk])

    def states(self) -> list[tuple[str, str, str, str]]:
        """(label, code, rating label, note) for the four parts of the child's state."""
        return [
            (
                str(label),
                getattr(self, f"{prefix}_state"),
                getattr(self, f"get_{prefix}_state_display")(),
                getattr(self, f"{prefix}_note"),
            )
            for prefix, label in choices.STATE_PARTS
        ]


class VisitProblem(models.Model):
    """家访发现的问题: one row per problem code, so reports count them in SQL."""

    visit = models.ForeignKey(
        Visit,
        on_delete=models.CASCADE,
        related_name="problems",
        db_index=False,  # visit_problem_unique leads with it
    )
    code = models.CharField(_("发现的问题"), max_length=30, choices=choices.Problem.choices)

    class Meta:
        verbose_name = _("发现的问题")
        verbose_name_plural = _("发现的问题")
        constraints = [
            models.UniqueConstraint(fields=["visit", "code"], name="visit_problem_unique")
        ]
        indexes = [models.Index(fields=["code", "visit"], name="visit_problem_code")]

    def __str__(self):
        return self.get_code_display()


class VisitAttachmentQuerySet(AreaScopedQuerySet):
    township_path = "visit__child__township"
    village_path = "visit__child__village"


class VisitAttachment(models.Model):
    """家访附件: a photo of the signed paper visit form. Stored under a random name in
    MEDIA_ROOT/visits/ and served only through the scoped attachment view."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="visits/", max_length=200)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = VisitAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("家访附件")
        verbose_name_plural = _("家访附件")
        ordering = ["pk"]

    def __str__(self):
        return str(_("附件 %(n)s") % {"n": self.pk})

    def get_absolute_url(self):
        return reverse("visits:attachment", args=[self.pk])


class VisitRule(models.Model):
    """家访频次规则: days between visits for a risk level; the county admin edits them."""

    risk_level = models.CharField(
        _("风险等级"), max_length=10, choices=RiskLevel.choices, unique=True
    )
    interval_days = models.PositiveSmallIntegerField(
        _("家访间隔（天）"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )

    class Meta:
        verbose_name = _("家访频次规则")
        verbose_name_plural = _("家访频次规则")
        ordering = ["interval_days", "risk_level"]

    def __str__(self):
        return f"{self.get_risk_level_display()}：{self.interval_days}"


class VisitScheduleSetting(models.Model):
    """首次家访时限: one row (pk 1) holding the schedule settings that are not per risk."""

    first_visit_working_days = models.PositiveSmallIntegerField(
        _("登记后首次家访时限（工作日）"),
        default=DEFAULT_FIRST_VISIT_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("工作日按周一至周五计算，不含法定节假日调整。"),
    )

    class Meta:
        verbose_name = _("首次家访时限")
        verbose_name_plural = _("首次家访时限")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="visit_setting_singleton")]

    def __str__(self):
        return str(_("登记后 %(n)s 个工作日内首次家访") % {"n": self.first_visit_working_days})

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from care import choices
from care.screening import INSTRUMENTS, get_instrument

INSTRUMENT_CHOICES = [(code, instrument.title) for code, instrument in INSTRUMENTS.items()]


class ChildScopedQuerySet(AreaScopedQuerySet):
    """A care record hangs on a child and is seen exactly where the child is seen."""

    township_path = "child__township"
    village_path = "child__village"


class ScreeningQuerySet(ChildScopedQuerySet):
    pass


class Screening(models.Model):
    """心理健康测评: one filled-in questionnaire, its raw answers and the score it got.

    Answers are stored as entered (item number → value) with the cut-off version used, so
    a result can be re-read against the thresholds it was scored with. Never edited: a
    wrong entry is answered by a new screening.
    """

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="screenings",
        verbose_name=_("儿童"),
    )
    screened_on = models.DateField(_("测评日期"))
    instrument = models.CharField(_("量表"), max_length=10, choices=INSTRUMENT_CHOICES)
    respondent = models.CharField(_("填答人"), max_length=10, choices=choices.Respondent.choices)
    # {"1": 0, "2": 3, …}: JSON keys are strings; see ``answers_by_item``.
    answers = models.JSONField(_("原始答案"), default=dict)
    total = models.PositiveSmallIntegerField(_("总分"))
    band = models.CharField(_("结果分级"), max_length=20)
    subscales = models.JSONField(_("分量表得分"), default=dict, blank=True)
    alerts = models.JSONField(_("提示"), default=list, blank=True)
    positive = models.BooleanField(_("阳性"), default=False, db_index=True)
    severity = models.PositiveSmallIntegerField(_("严重程度序号"), default=0)
    cutoff_version = models.CharField(_("界值版本"), max_length=30)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("心理健康测评")
        verbose_name_plural = _("心理健康测评")
        ordering = ["-screened_on", "-pk"]
        permissions = [("view_screening_details", _("查看测评详情（答案与得分）"))]
        indexes = [
            models.Index(fields=["child", "-screened_on"], name="screening_child_date"),
            models.Index(fields=["screened_on"], name="screening_date"),
        ]

    def __str__(self):
        return f"{self.instrument_short} {self.screened_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("care:screening_detail", args=[self.pk])

    @property
    def instrument_def(self):
        return get_instrument(self.instrument)

    @property
    def instrument_short(self) -> str:
        """PHQ-A, GAD-7 …: the code in the title's brackets, readable on a phone."""
        title = self.get_instrument_display()
        if "（" in title and title.endswith("）"):
            return title[title.index("（") + 1 : -1]
        return self.instrument

    @property
    def band_label(self) -> str:
        return choices.band_label(self.band)

    def answers_by_item(self) -> dict[int, int]:
        return {int(number): value for number, value in self.answers.items()}


class SafetyAlertQuerySet(ChildScopedQuerySet):
    def open(self):
        return self.filter(status=choices.AlertStatus.OPEN)


class SafetyAlert(models.Model):
    """待处置预警: raised by a screening with suicidal ideation or a positive result.

    Closed only by recording what was done: a care plan or referral for the child (linked),
    or a written note; who closed it and when are kept. The database refuses a closed alert
    without its action.
    """

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="safety_alerts",
        verbose_name=_("儿童"),
    )
    screening = models.OneToOneField(
        Screening,
        on_delete=models.PROTECT,
        related_name="safety_alert",
        verbose_name=_("测评"),
    )
    kind = models.CharField(_("预警类型"), max_length=30, choices=choices.AlertKind.choices)
    raised_at = models.DateTimeField(_("预警时间"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=choices.AlertStatus.choices,
        default=choices.AlertStatus.OPEN,
        db_index=True,
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处置人"),
    )
    closed_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    resolution = models.CharField(
        _("处置方式"), max_length=20, choices=choices.Resolution.choices, blank=True
    )
    care_plan = models.ForeignKey(
        "care.CarePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolved_alerts",
        verbose_name=_("关爱方案"),
    )
    referral = models.ForeignKey(
        "care.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolved_alerts",
        verbose_name=_("转介"),
    )
    note = models.TextField(_("处置说明"), blank=True)

    objects = SafetyAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("待处置预警")
        verbose_name_plural = _("待处置预警")
        ordering = ["-raised_at", "-pk"]
        permissions = [("close_safetyalert", _("处置预警"))]
        indexes = [models.Index(fields=["status", "child"], name="alert_status_child")]
        constraints = [
            models.CheckConstraint(
                name="alert_closed_with_action",
                condition=Q(
                    status="open",
                    closed_at__isnull=True,
                    closed_by__isnull=True,
                    resolution="",
                )
                | Q(status="closed", closed_at__isnull=False, closed_by__isnull=False)
                & (
                    Q(resolution="care_plan", care_plan__isnull=False)
                    | Q(resolution="referral", referral__isnull=False)
                    | (Q(resolution="note") & ~Q(note=""))
                ),
                violation_error_message=_("预警只能在记录处置措施后关闭。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.child}"

    def get_absolute_url(self):
        return reverse("care:alert_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == choices.AlertStatus.OPEN

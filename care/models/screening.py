from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
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
        # screening_child_date (child, -screened_on) serves every lookup by child.
        db_index=False,
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
    # The county's SCARED norm when this result was scored (CareSettings); blank for the
    # instruments that have one cut-off only.
    norm = models.CharField(
        _("常模"), max_length=20, choices=choices.ScaredNorm.choices, blank=True, default=""
    )
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

    def overdue(self, now=None):
        """Open alerts past their handling deadline (one definition everywhere)."""
        return self.open().filter(due_at__lte=now or timezone.now())


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
    # Set from the county's CareSettings when the alert is raised; a later change of the
    # setting does not move the deadline of an alert already raised.
    due_at = models.DateTimeField(_("处置期限"), null=True, blank=True, db_index=True)
    # 0: not escalated; 1: to the township supervisor; 2: to the county center. Raised by a
    # conditional UPDATE so that each step happens once however often the job runs.
    escalation_level = models.PositiveSmallIntegerField(_("上报级别"), default=0)
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
    # AlertAction codes: what was done (one or more; required to close since 2026.2).
    actions = models.JSONField(_("处置措施"), default=list, blank=True)

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

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at <= timezone.now()

    @property
    def is_suicide_risk(self) -> bool:
        return self.kind in choices.SUICIDE_KINDS

    def action_labels(self) -> list[str]:
        return [str(choices.AlertAction(code).label) for code in self.actions or []]


class AlertEvent(models.Model):
    """预警处置记录: the alert's timeline: raised, each escalation, closed; who and when."""

    alert = models.ForeignKey(
        SafetyAlert, on_delete=models.PROTECT, related_name="events", verbose_name=_("预警")
    )
    kind = models.CharField(_("事件"), max_length=30, choices=choices.AlertEventKind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("预警处置记录")
        verbose_name_plural = _("预警处置记录")
        ordering = ["at", "pk"]
        constraints = [
            # Each escalation step (and the closing) is recorded once per alert, whatever
            # runs the job twice: the database is the last word.
            models.UniqueConstraint(
                fields=["alert", "kind"],
                condition=Q(kind__in=["escalated_township", "escalated_county", "closed"]),
                name="alert_event_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class CareSettings(models.Model):
    """测评与预警设置: the county's clinical choices, set by the county admin. One row.

    Deadlines are per alert kind; an alert not closed by its deadline goes to the township
    supervisor, and ``county_escalation_hours`` later to the county center.
    """

    scared_norm = models.CharField(
        _("SCARED 界值"),
        max_length=20,
        choices=choices.ScaredNorm.choices,
        default=choices.ScaredNorm.BIRMAHER,
        help_text=_(
            "Birmaher 等（1997/1999）原始界值为总分 ≥ 25；中国城市常模为总分 ≥ 23。"
            "每条测评结果都记录当时采用的界值，修改只影响之后录入的测评。"
        ),
    )
    suicidal_ideation_hours = models.PositiveSmallIntegerField(
        _("自杀意念预警处置时限（小时）"), default=24
    )
    suicide_attempt_hours = models.PositiveSmallIntegerField(
        _("曾尝试自杀预警处置时限（小时）"), default=24
    )
    positive_screening_hours = models.PositiveSmallIntegerField(
        _("测评阳性预警处置时限（小时）"), default=7 * 24
    )
    county_escalation_hours = models.PositiveSmallIntegerField(
        _("上报乡镇后仍未处置，再上报县未保中心（小时）"), default=24
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )

    class Meta:
        verbose_name = _("测评与预警设置")
        verbose_name_plural = _("测评与预警设置")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="caresettings_singleton"),
            models.CheckConstraint(
                condition=Q(suicidal_ideation_hours__gte=1)
                & Q(suicide_attempt_hours__gte=1)
                & Q(positive_screening_hours__gte=1)
                & Q(county_escalation_hours__gte=1),
                name="caresettings_hours_positive",
            ),
        ]

    def __str__(self):
        return str(_("测评与预警设置"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one setting for the county
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "CareSettings":
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)

    def deadline_hours(self, kind: str) -> int:
        return {
            choices.AlertKind.SUICIDAL_IDEATION: self.suicidal_ideation_hours,
            choices.AlertKind.SUICIDE_ATTEMPT: self.suicide_attempt_hours,
        }.get(kind, self.positive_screening_hours)

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from care import choices
from care.models.screening import ChildScopedQuerySet
from core.models import VersionedModel


class CarePlanQuerySet(ChildScopedQuerySet):
    def active(self):
        return self.filter(status=choices.PlanStatus.ACTIVE)

    def approved(self):
        return self.filter(status__in=choices.APPROVED_PLAN_STATUSES)

    def awaiting_approval(self):
        return self.filter(status=choices.PlanStatus.SUBMITTED)


class CarePlan(VersionedModel):
    """心理关爱方案: the services a child gets, why, who is responsible, and when to review."""

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="care_plans",
        verbose_name=_("儿童"),
    )
    goals = models.TextField(_("目标"))
    measures = models.TextField(_("措施"))
    responsible_name = models.CharField(_("责任人"), max_length=50)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人账号"),
    )
    started_on = models.DateField(_("开始日期"))
    review_on = models.DateField(_("复核日期"), db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=choices.PlanStatus.choices,
        default=choices.PlanStatus.DRAFT,
        db_index=True,
    )
    status_note = models.CharField(_("状态说明"), max_length=200, blank=True)
    # The approval (审批): who submitted it, who approved or returned it, and the comment.
    # Every step is also in the child's history.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True, editable=False)
    decision_comment = models.CharField(_("审批意见"), max_length=300, blank=True, editable=False)
    # Required and not editable in forms, labelled: as the tables were created.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CarePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("心理关爱方案")
        verbose_name_plural = _("心理关爱方案")
        ordering = ["-started_on", "-pk"]
        permissions = [("approve_careplan", _("审批心理关爱方案"))]
        indexes = [models.Index(fields=["status", "review_on"], name="careplan_status_review")]
        constraints = [
            models.CheckConstraint(
                name="careplan_review_after_start",
                condition=Q(review_on__gte=F("started_on")),
                violation_error_message=_("复核日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return _("关爱方案（%(date)s起）") % {"date": f"{self.started_on:%Y-%m-%d}"}

    def get_absolute_url(self):
        return reverse("care:plan_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == choices.PlanStatus.ACTIVE

    @property
    def is_approved(self) -> bool:
        return self.status in choices.APPROVED_PLAN_STATUSES

    @property
    def is_editable_draft(self) -> bool:
        return self.status in choices.EDITABLE_PLAN_STATUSES

    @property
    def awaits_approval(self) -> bool:
        return self.status == choices.PlanStatus.SUBMITTED

    def service_codes(self) -> list[str]:
        """The plan's services in display order (uses the prefetch when there is one)."""
        order = {code: i for i, code in enumerate(choices.CareService.values)}
        return sorted((s.code for s in self.services.all()), key=lambda c: order.get(c, 99))

    def services_display(self) -> str:
        return "、".join(str(choices.CareService(code).label) for code in self.service_codes())


class CarePlanService(models.Model):
    """关爱服务项目 of a plan: one row per service, so reports can count them in SQL."""

    plan = models.ForeignKey(
        CarePlan,
        on_delete=models.CASCADE,
        related_name="services",
        db_index=False,  # careplan_service_unique leads with it
    )
    code = models.CharField(_("服务"), max_length=30, choices=choices.CareService.choices)

    class Meta:
        verbose_name = _("关爱服务项目")
        verbose_name_plural = _("关爱服务项目")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="careplan_service_unique")
        ]

    def __str__(self):
        return self.get_code_display()

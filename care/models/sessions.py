from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from care import choices
from care.models.plans import CarePlan
from care.models.screening import ChildScopedQuerySet
from core.models import VersionedModel


class ServiceSessionQuerySet(ChildScopedQuerySet):
    pass


class ServiceSession(VersionedModel):
    """服务记录: one session of a care plan's service, delivered to the plan's child.

    ``child`` repeats the plan's child (a plan never changes child): the scoping rule and the
    report's 人数 read it without going through the plan."""

    plan = models.ForeignKey(
        CarePlan, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("关爱方案")
    )
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="service_sessions",
        verbose_name=_("儿童"),
        editable=False,
        # session_child_date (child, delivered_on) serves every lookup by child.
        db_index=False,
    )
    delivered_on = models.DateField(_("服务日期"), db_index=True)
    kind = models.CharField(_("服务类型"), max_length=30, choices=choices.SessionKind.choices)
    delivered_by = models.CharField(
        _("服务提供方"), max_length=12, choices=choices.DeliveredBy.choices
    )
    provider_name = models.CharField(
        _("服务人员/机构"),
        max_length=100,
        help_text=_("工作人员填姓名；合作社会组织或购买服务填机构名称及服务人员。"),
    )
    provider_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务人员账号"),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("时长（分钟）"),
        validators=[MinValueValidator(1), MaxValueValidator(choices.SESSION_MAX_MINUTES)],
    )
    notes = models.TextField(_("服务记录"), blank=True, max_length=2000)

    objects = ServiceSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-delivered_on", "-pk"]
        indexes = [models.Index(fields=["child", "delivered_on"], name="session_child_date")]

    def __str__(self):
        return _("%(kind)s %(date)s") % {
            "kind": self.get_kind_display(),
            "date": f"{self.delivered_on:%Y-%m-%d}",
        }

    def get_absolute_url(self):
        return reverse("care:session_edit", args=[self.pk])

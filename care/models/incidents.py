from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import area_q
from care import choices
from care.models.screening import ChildScopedQuerySet
from core.models import VersionedModel

VIEW_PERM = "care.view_incident"
ADD_PERM = "care.add_incident"


class IncidentQuerySet(ChildScopedQuerySet):
    def readable_by(self, user):
        """The incidents whose details ``user`` may read: in their area, and either all of
        them (``care.view_incident``: the roles that must act) or only those they recorded
        themselves (a village director is a mandated reporter and may re-read their own
        report, never a report made by someone else)."""
        scoped = self.visible_to(user)
        if user.has_perm(VIEW_PERM):
            return scoped
        if user.has_perm(ADD_PERM):
            return scoped.filter(created_by=user)
        return scoped.none()

    def exists_for(self, user):
        """Incidents of children in the user's area, for the flag that says only that one
        exists (no detail)."""
        return self.filter(area_q(user, township="child__township", village="child__village"))


class Incident(VersionedModel):
    """强制报告: a suspected infringement of a child's rights and its report to the police
    or civil affairs (未成年人保护法 第十一条). Details are read only by the roles that must
    act; the child page says only that one exists, the report counts them."""

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("儿童"),
    )
    kind = models.CharField(_("侵害类型"), max_length=20, choices=choices.IncidentKind.choices)
    occurred_on = models.DateField(_("发生（发现）日期"))
    description = models.TextField(_("情况简述"), max_length=2000)
    reported_to = models.CharField(_("报告单位"), max_length=20, choices=choices.ReportedTo.choices)
    reported_on = models.DateField(_("报告日期"), db_index=True)
    reported_by_name = models.CharField(_("报告人"), max_length=50)
    reference_number = models.CharField(_("受案/回执编号"), max_length=50, blank=True)
    status = models.CharField(
        _("处理状态"),
        max_length=20,
        choices=choices.IncidentStatus.choices,
        default=choices.IncidentStatus.REPORTED,
        db_index=True,
    )
    outcome = models.TextField(_("处理结果"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("强制报告")
        verbose_name_plural = _("强制报告")
        ordering = ["-reported_on", "-pk"]
        permissions = [("export_incident", _("导出强制报告"))]
        constraints = [
            models.CheckConstraint(
                name="incident_reported_after_occurred",
                condition=Q(reported_on__gte=models.F("occurred_on")),
                violation_error_message=_("报告日期不能早于发生（发现）日期。"),
            ),
        ]

    def __str__(self):
        return _("强制报告 %(date)s") % {"date": f"{self.reported_on:%Y-%m-%d}"}

    def get_absolute_url(self):
        return reverse("care:incident_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in choices.INCIDENT_OPEN_STATUSES

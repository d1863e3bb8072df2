from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from children import choices
from core.models import VersionedModel


class ClosureRequestQuerySet(AreaScopedQuerySet):
    township_path = "child__township"
    village_path = "child__village"

    def pending(self):
        return self.filter(status=choices.ClosureRequestStatus.PENDING)


class ClosureRequest(VersionedModel):
    """结案申请: closing a case (结案/销号) asked with its reason; the child stays on the
    ledger (在册) until the township supervisor or the county admin approves it."""

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="closure_requests",
        verbose_name=_("儿童"),
    )
    reason = models.CharField(_("结案原因"), max_length=20, choices=choices.CloseReason.choices)
    closed_on = models.DateField(_("结案日期"))
    note = models.CharField(_("结案说明"), max_length=200, blank=True)
    status = models.CharField(
        _("审批状态"),
        max_length=10,
        choices=choices.ClosureRequestStatus.choices,
        default=choices.ClosureRequestStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.CharField(_("审批意见"), max_length=300, blank=True)

    objects = ClosureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("结案申请")
        verbose_name_plural = _("结案申请")
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_closurerequest", _("审批结案申请"))]
        constraints = [
            # One open request per child: a second would be approved against a closed case.
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(status="pending"),
                name="closure_one_pending_per_child",
                violation_error_message=_("该儿童已有待审批的结案申请。"),
            ),
        ]

    def __str__(self):
        return _("结案申请：%(reason)s") % {"reason": self.get_reason_display()}

    def get_absolute_url(self):
        return reverse("children:closure_detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status == choices.ClosureRequestStatus.PENDING

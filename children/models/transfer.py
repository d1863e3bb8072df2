"""Transfers with acceptance (转移) and caseload hand-overs (工作移交)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Township, Village
from accounts.scoping import AreaScopedQuerySet, TwoAreaScopedQuerySet
from children.choices import TransferState
from core.models import VersionedModel


class ChildTransferQuerySet(TwoAreaScopedQuerySet):
    # The sending area, then the receiving one (``on_side(user, 0 | 1)``).
    area_paths = (("from_township", "from_village"), ("to_township", "to_village"))

    def pending(self):
        return self.filter(state=TransferState.REQUESTED)

    def overdue(self, days: int, now=None):
        """Waiting longer than ``days``: the county must see them."""
        cutoff = (now or timezone.now()) - timezone.timedelta(days=days)
        return self.pending().filter(requested_at__lte=cutoff)


class ChildTransfer(VersionedModel):
    """转移申请: a child's move to another village or township, requested by the sending
    side and accepted or rejected (with a reason) by the receiving side.

    Until it is accepted the child stays where it is: the child's own pages and lists are
    the sending area's alone. The receiving area sees this record, with what it needs to
    decide. At most one request per child waits at a time (the database refuses a second).
    ``created_by`` (VersionedModel) is the person who asked.
    """

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("儿童"),
    )
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=TransferState.choices,
        default=TransferState.REQUESTED,
        db_index=True,
    )
    from_township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("转出乡镇")
    )
    from_village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转出村/社区"),
        db_index=False,  # transfer_from_state leads with it
    )
    to_township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("转入乡镇")
    )
    to_village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转入村/社区"),
        db_index=False,  # transfer_to_state leads with it
    )
    reason = models.CharField(_("转移原因"), max_length=200)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=200, blank=True)
    # The receiving village's director named on acceptance (None: the village has none).
    new_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接收后责任儿童主任"),
    )
    # When the waiting request reached the county (set once, by escalate_transfers).
    escalated_at = models.DateTimeField(_("上报县级时间"), null=True, blank=True)

    objects = ChildTransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("转移申请")
        verbose_name_plural = _("转移申请")
        ordering = ["-requested_at", "-pk"]
        permissions = [("decide_childtransfer", _("接收或退回转入的儿童"))]
        indexes = [
            models.Index(fields=["to_village", "state"], name="transfer_to_state"),
            models.Index(fields=["from_village", "state"], name="transfer_from_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(state="requested"),
                name="transfer_one_pending_per_child",
                violation_error_message=_("该儿童已有一条待接收的转移申请。"),
            ),
            models.CheckConstraint(
                condition=~Q(from_village=F("to_village")),
                name="transfer_to_another_village",
                violation_error_message=_("转入村/社区不能与转出村/社区相同。"),
            ),
            models.CheckConstraint(
                condition=Q(state="requested", decided_by__isnull=True, decided_at__isnull=True)
                | Q(
                    state__in=["accepted", "rejected", "cancelled"],
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                ),
                name="transfer_decided_has_who_and_when",
                violation_error_message=_("已处理的转移申请须记录处理人和处理时间。"),
            ),
        ]

    def __str__(self):
        return _("%(child)s：%(source)s → %(target)s") % {
            "child": self.child.name,
            "source": self.from_village,
            "target": self.to_village,
        }

    def get_absolute_url(self):
        return reverse("children:transfer_detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.state == TransferState.REQUESTED


class CaseloadHandoverQuerySet(AreaScopedQuerySet):
    # A hand-over belongs to the area of the account handed over (a director's village).
    township_path = "township"
    village_path = "village"


class CaseloadHandover(models.Model):
    """工作移交: one account's whole caseload handed to another in one step, and the old
    account deactivated. What moved is counted per kind in ``counts``; each child's history
    names both accounts."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("移交人"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("接收人"),
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("乡镇")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("村/社区"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("移交时间"), auto_now_add=True, db_index=True)
    note = models.CharField(_("移交原因"), max_length=200)
    # {"label": count} of what moved, in the order the providers gave them.
    counts = models.JSONField(_("移交内容"), default=dict, blank=True)
    deactivated = models.BooleanField(_("已停用原账号"), default=True)

    objects = CaseloadHandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作移交")
        verbose_name_plural = _("工作移交")
        ordering = ["-at", "-pk"]
        permissions = [("handover_caseload", _("移交儿童主任的工作并停用其账号"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")),
                name="handover_to_another_account",
                violation_error_message=_("接收人不能是移交人本人。"),
            ),
        ]

    def __str__(self):
        return f"{self.from_user} → {self.to_user}"

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from children.choices import ChangeAction


class ChangeLogQuerySet(AreaScopedQuerySet):
    township_path = "child__township"
    village_path = "child__village"


class ChangeLog(models.Model):
    """变更记录: who changed what on a child's case and when, with before → after values.

    Written by services in the same transaction as the change. Care records (visits,
    screenings…) write here too, with ``record_type``/``record_id`` naming the record.
    """

    # changelog_child_at (child, -at) serves every lookup by child: an index on the child
    # alone would only make each logged change (10,000 of them in a large import) dearer.
    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, related_name="change_log", db_index=False
    )
    action = models.CharField(_("操作"), max_length=20, choices=ChangeAction.choices)
    record_type = models.CharField(_("记录类型"), max_length=30, default="child")
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    # {"field verbose name": [before, after]} as display strings, so the history stays
    # readable after choices or fields change.
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ChangeLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["child", "-at"], name="changelog_child_at")]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Township, Village


class DuplicateCheckStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    TRANSFERRED = "transferred", _("已发起转入申请村/社区")
    REJECTED = "rejected", _("已驳回")


class DuplicateCheckKind(models.TextChoices):
    ID_NUMBER = "id_number", _("公民身份号码")
    DOCUMENT = "document", _("其他证件号码")
    # No number: the same name, birth date and guardian as a child outside the area. The
    # child was registered (nothing was said); the county center checks both records.
    PERSON = "person", _("同名、同出生日期、同监护人（无身份证号）")


class DuplicateCheckSource(models.TextChoices):
    REGISTER = "register", _("登记")
    EDIT = "edit", _("编辑")
    IMPORT = "import", _("导入")


class DuplicateCheck(models.Model):
    """县未保中心核实: someone entered a number that is registered to a child outside their
    area. They are told only that the number cannot be registered there and that the county
    center will check it (no existence oracle: never where, never whom); the county center
    sees every attempt here and resolves it, by moving the registered child to the
    requester's village or by rejecting the request.

    No copy of the number is kept: it is the registered child's (``existing``)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    requested_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    source = models.CharField(_("来源"), max_length=10, choices=DuplicateCheckSource.choices)
    kind = models.CharField(_("号码类型"), max_length=10, choices=DuplicateCheckKind.choices)
    # Where the requester wanted the child: the village of the form or of the import row.
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请乡镇")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请村/社区")
    )
    name = models.CharField(_("申请登记的姓名"), max_length=50)
    existing = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="duplicate_checks",
        verbose_name=_("已登记的儿童"),
    )
    # The record being edited, when the number was typed into another child's edit form;
    # for PERSON, the child just registered.
    edited = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("正在编辑的儿童"),
    )
    import_row = models.PositiveIntegerField(_("导入行号"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=DuplicateCheckStatus.choices,
        default=DuplicateCheckStatus.OPEN,
        db_index=True,
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution_note = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("重复登记核实")
        verbose_name_plural = _("重复登记核实")
        ordering = ["-requested_at", "-pk"]
        permissions = [("resolve_duplicatecheck", _("处理重复登记核实"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="duplicatecheck_resolved_has_time",
                violation_error_message=_("已处理的核实须有处理时间。"),
            )
        ]

    def __str__(self):
        return f"{self.name} → {self.village}"

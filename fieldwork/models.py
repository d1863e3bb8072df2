"""The server's memory of offline work: which queued entries it has already written
(``SyncReceipt``, one row per idempotency key) and the county's offline setting."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fieldwork import choices

DEFAULT_OFFLINE_DAYS = 7


class SyncReceipt(models.Model):
    """同步回执: an entry queued on a device and written at sync. The key is made on the device
    when the entry is queued; its unique constraint is what makes a record be created exactly
    once, however often (or however concurrently) the entry is sent."""

    key = models.UUIDField(_("幂等键"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("用户")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=choices.EntryKind.choices)
    record_type = models.CharField(_("记录类型"), max_length=30)
    record_id = models.PositiveBigIntegerField(_("记录编号"), null=True)
    queued_at = models.DateTimeField(_("离线填写时间"), null=True, blank=True)
    synced_at = models.DateTimeField(_("同步时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("同步回执")
        verbose_name_plural = _("同步回执")
        ordering = ["-synced_at"]
        permissions = [("work_offline", _("离线外勤（离线名单与同步）"))]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"


class OfflineSettings(models.Model):
    """离线设置: how long a device may keep the caseload without refreshing it. One row."""

    max_days_unrefreshed = models.PositiveSmallIntegerField(
        _("离线数据保留天数"),
        default=DEFAULT_OFFLINE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("手机上的离线名单和待同步记录超过这么多天未联网刷新，将自动清除。"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("离线设置")
        verbose_name_plural = _("离线设置")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="offlinesettings_singleton")]

    def __str__(self):
        return str(_("离线设置"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one setting for the county
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "OfflineSettings":
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.choices import Channel, DeliveryStatus, NotificationKind


class Notification(models.Model):
    """站内通知: one thing a user must act on, shown in their inbox and sent to them off the
    portal (at once when urgent, otherwise in the daily digest).

    ``text`` never holds a child's full name or ID number: a masked name (张*) and the area
    at most; ``url`` leads to the scoped page, which checks access again.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
        db_index=False,  # notification_unread leads with it
    )
    kind = models.CharField(_("类型"), max_length=30, choices=NotificationKind.choices)
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    # What the notification is about ("alert:12:escalated_township"): the same event never
    # notifies the same person twice, however often a job runs.
    key = models.CharField(_("事件标识"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # When it went out by e-mail/SMS (alone or in a digest); None: still to be sent.
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["sent_at", "urgent"], name="notification_to_send"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_once"
            ),
        ]

    def __str__(self):
        return self.text


class Delivery(models.Model):
    """发送记录: one message sent (or tried) by e-mail or SMS, with its outcome. Every send
    is logged here; a failed one is retried and shown to the county admin."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("接收人"),
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=254)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"))
    digest = models.BooleanField(_("每日汇总"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次重试"), null=True, blank=True)
    notifications = models.ManyToManyField(
        Notification, related_name="deliveries", blank=True, verbose_name=_("通知")
    )

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_retry")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.address} {self.get_status_display()}"

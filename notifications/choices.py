from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    NEW_ALERT = "new_alert", _("新预警")
    ALERT_ESCALATED = "alert_escalated", _("预警逾期上报")
    VISIT_OVERDUE = "visit_overdue", _("家访逾期")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("随访逾期")
    REPORT_RETURNED = "report_returned", _("报送被退回")
    TRANSFER_WAITING = "transfer_waiting", _("待接收转移")


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败，待重试")
    GAVE_UP = "gave_up", _("多次失败，已停止重试")


# A failed send is tried again after these delays (then given up and left for the county
# admin, who sees every failure on the delivery page and the home page).
RETRY_DELAYS_MINUTES = (5, 30, 120, 720)

"""Writing and sending notifications.

``notify`` is what the other apps call, inside their own transaction, when something must
be acted on (a new alert, an escalation, a returned report, a transfer waiting).
``notifications_send`` (run by ``manage.py send_notifications``) sends what is pending:
urgent items at every run, everything else once a day as one digest per user, and retries
failed sends. Message texts are written by the callers from masked names only
(``mask_name``); this module adds the links and never sees a child record.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import COUNTY_ROLES, Role
from accounts.models import User
from core.extensions import collect
from notifications import sms
from notifications.choices import RETRY_DELAYS_MINUTES, Channel, DeliveryStatus, NotificationKind
from notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

MOBILE_PREFIXES = tuple(f"1{d}" for d in "3456789")


def mask_name(name: str) -> str:
    """张小花 → 张*: the family name only, and never how long the name is."""
    name = (name or "").strip()
    return f"{name[:1]}*" if name else "*"


@dataclass(frozen=True)
class DigestItem:
    """An overdue summary an app contributes to a user's daily digest (counts, no names)."""

    kind: str
    text: str
    url: str


# --- who must act ------------------------------------------------------------------------


def township_supervisors(township_id) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role=Role.TOWNSHIP_SUPERVISOR, township_id=township_id
        ).order_by("pk")
    )


def county_center() -> list[User]:
    return list(User.objects.filter(is_active=True, role__in=COUNTY_ROLES).order_by("pk"))


# --- writing -----------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    text: str,
    url: str = "",
    key: str = "",
    urgent: bool = False,
) -> list[Notification]:
    """Put a notification in each recipient's inbox (sent off the portal by the next run).

    ``key`` names the event; with it the same event never reaches the same person twice.
    Call it inside the transaction that records the event, so both are kept or neither.
    """
    NotificationKind(kind)  # an unknown kind is a programming error
    created = []
    seen = set()
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if key:
            notification, made = Notification.objects.get_or_create(
                recipient=user,
                key=key,
                defaults={"kind": kind, "text": text, "url": url, "urgent": urgent},
            )
            if made:
                created.append(notification)
        else:
            created.append(
                Notification.objects.create(
                    recipient=user, kind=kind, text=text, url=url, urgent=urgent
                )
            )
    return created


def notify_transfer_waiting(*, recipients: Iterable[User], child_name: str, url: str, key: str):
    """The hook for the transfer feature: a child is waiting to be received (待接收)."""
    return notify(
        recipients=recipients,
        kind=NotificationKind.TRANSFER_WAITING,
        text=_("有儿童（%(name)s）转入本辖区，等待您接收。") % {"name": mask_name(child_name)},
        url=url,
        key=key,
    )


def notification_mark_read(*, actor, notification: Notification) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- the daily digest's overdue summaries --------------------------------------------------


def digest_items_add(*, today: dt.date | None = None) -> int:
    """Ask every app for each user's overdue summaries and put them in the inbox, once a
    day per kind (the key carries the date)."""
    today = today or timezone.localdate()
    made = 0
    users = (
        User.objects.filter(is_active=True).exclude(role="").select_related("township", "village")
    )
    for user in users:
        for item in collect("notification_digest", user, today):
            made += len(
                notify(
                    recipients=[user],
                    kind=item.kind,
                    text=item.text,
                    url=item.url,
                    key=f"{item.kind}:{today.isoformat()}",
                )
            )
    return made


# --- sending -------------------------------------------------------------------------------


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.PORTAL_URL.rstrip("/") + url


def sms_number(user: User) -> str:
    phone = (user.phone or "").strip()
    return phone if len(phone) == 11 and phone.startswith(MOBILE_PREFIXES) else ""


def compose_email(user: User, items: list[Notification], *, digest: bool) -> tuple[str, str]:
    urgent = sum(1 for item in items if item.urgent)
    subject = _("【龙胜儿童关爱】%(n)d 条待办提醒") % {"n": len(items)}
    if urgent:
        subject += _("（含 %(n)d 条紧急）") % {"n": urgent}
    lines = [
        _("%(name)s，您好：") % {"name": user.display_name},
        "",
        _("以下事项需要您处理（为保护儿童隐私，消息中只显示姓氏，详情请登录平台查看）：")
        if not digest
        else _("这是您今天的待办汇总（为保护儿童隐私，消息中只显示姓氏，详情请登录平台查看）："),
        "",
    ]
    for number, item in enumerate(items, 1):
        mark = _("[紧急] ") if item.urgent else ""
        lines.append(f"{number}. {mark}{item.text}")
        if item.url:
            lines.append(f"   {absolute(item.url)}")
    lines += [
        "",
        _("全部通知：%(url)s") % {"url": absolute(reverse("notifications:inbox"))},
        _("本邮件由系统自动发送，请勿回复。"),
    ]
    return subject, "\n".join(lines)


def compose_sms(items: list[Notification]) -> str:
    urgent = sum(1 for item in items if item.urgent)
    text = ngettext(
        "【龙胜儿童关爱】您有 %(n)d 条待办提醒", "【龙胜儿童关爱】您有 %(n)d 条待办提醒", len(items)
    ) % {"n": len(items)}
    if urgent:
        text += _("，其中 %(n)d 条紧急预警须尽快处置") % {"n": urgent}
    return text + _("，请登录平台查看：%(url)s") % {"url": absolute(reverse("notifications:inbox"))}


def _attempt(delivery: Delivery, now: dt.datetime) -> bool:
    """Send one logged message; record the outcome (and when to try again)."""
    try:
        if delivery.channel == Channel.EMAIL:
            EmailMessage(
                delivery.subject, delivery.body, settings.DEFAULT_FROM_EMAIL, [delivery.address]
            ).send()
        else:
            sms.send_sms(delivery.address, delivery.body)
    except Exception as exc:  # any failure of a backend: log it, retry later
        delivery.attempts += 1
        # The error's type and text only: it never carries the message body.
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if delivery.attempts > len(RETRY_DELAYS_MINUTES):
            delivery.status = DeliveryStatus.GAVE_UP
            delivery.next_attempt_at = None
        else:
            delivery.status = DeliveryStatus.FAILED
            delay = RETRY_DELAYS_MINUTES[delivery.attempts - 1]
            delivery.next_attempt_at = now + dt.timedelta(minutes=delay)
        delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        logger.warning("notification send failed: delivery %s (%s)", delivery.pk, exc)
        return False
    delivery.attempts += 1
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = now
    delivery.next_attempt_at = None
    delivery.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at"])
    return True


def _claim(user_id: int, *, digest: bool, now: dt.datetime) -> list[Notification]:
    """Take the user's pending notifications (urgent only between digests), marked sent
    in the same transaction so that a concurrent run cannot take them too."""
    pending = Notification.objects.select_for_update().filter(
        recipient_id=user_id, sent_at__isnull=True
    )
    if not digest:
        pending = pending.filter(urgent=True)
    items = list(pending.order_by("-urgent", "created_at", "pk"))
    if items:
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(sent_at=now)
    return items


def notifications_send(*, digest: bool = False, now: dt.datetime | None = None) -> dict:
    """Send what is pending, one message per user and channel; then retry failed sends.

    Returns counts: users, sent, failed (for the command's output and the tests).
    """
    now = now or timezone.now()
    stats = defaultdict(int)
    if digest:
        digest_items_add(today=timezone.localdate(now))
    pending = Notification.objects.filter(sent_at__isnull=True, recipient__is_active=True)
    if not digest:
        pending = pending.filter(urgent=True)
    user_ids = sorted(set(pending.values_list("recipient_id", flat=True)))
    users = User.objects.in_bulk(user_ids)
    # Messages in the recipient's portal language: Chinese.
    with translation.override(settings.LANGUAGE_CODE):
        for user_id in user_ids:
            user = users[user_id]
            with transaction.atomic():
                items = _claim(user_id, digest=digest, now=now)
                if not items:
                    continue
                stats["users"] += 1
                deliveries = []
                if user.email:
                    subject, body = compose_email(user, items, digest=digest)
                    deliveries.append(
                        Delivery(
                            recipient=user,
                            channel=Channel.EMAIL,
                            address=user.email,
                            subject=subject,
                            body=body,
                            digest=digest,
                            status=DeliveryStatus.PENDING,
                            next_attempt_at=now,
                        )
                    )
                phone = sms_number(user)
                if phone:
                    deliveries.append(
                        Delivery(
                            recipient=user,
                            channel=Channel.SMS,
                            address=phone,
                            body=compose_sms(items),
                            digest=digest,
                            status=DeliveryStatus.PENDING,
                            next_attempt_at=now,
                        )
                    )
                for delivery in deliveries:
                    delivery.save()
                    delivery.notifications.set(items)
            # Sent after the commit: a slow mail server holds no lock, and a crash between
            # the two leaves a logged, unsent delivery that the retry below picks up.
            for delivery in deliveries:
                stats["sent" if _attempt(delivery, now) else "failed"] += 1
        # Failed sends whose retry is due, and any left unsent by a crash mid-run.
        for delivery in Delivery.objects.filter(
            status__in=(DeliveryStatus.FAILED, DeliveryStatus.PENDING), next_attempt_at__lte=now
        ).order_by("pk"):
            stats["retried"] += 1
            stats["sent" if _attempt(delivery, now) else "failed"] += 1
    return dict(stats)

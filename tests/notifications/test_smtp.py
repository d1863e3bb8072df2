"""A real SMTP server on loopback (aiosmtpd, started by the test) receives the alert e-mail
through Django's SMTP backend, and the message holds no ID number and no full name."""

import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from notifications import services
from tests.care.conftest import screen

pytestmark = pytest.mark.django_db


class Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield collector, port
    finally:
        controller.stop()


def test_the_alert_email_reaches_a_real_smtp_server_without_name_or_id(
    smtp_server, longsheng_supervisor, shandong_child
):
    collector, port = smtp_server
    longsheng_supervisor.email = "ls-supervisor@example.test"
    longsheng_supervisor.save(update_fields=["email"])
    screen(longsheng_supervisor, shandong_child, "PHQA", i9=1)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=10,
    ):
        stats = services.notifications_send()
    assert stats.get("sent") == 1, stats
    (envelope,) = collector.envelopes
    assert envelope.rcpt_tos == ["ls-supervisor@example.test"]
    raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
    message = email.message_from_bytes(raw, policy=default_policy)
    body = message.get_body(preferencelist=("plain",)).get_content()
    subject = str(message["subject"])
    assert "待办提醒" in subject
    assert "自杀意念预警：张*（龙胜镇 山东村）" in body
    for text in (body, subject, raw.decode("ascii", errors="replace")):
        assert shandong_child.name not in text
        assert shandong_child.id_number not in text
    assert shandong_child.id_number[-6:] not in body

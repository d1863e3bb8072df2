"""The SMS channel behind one small interface: ``send_sms(phone, text)``.

``settings.SMS_BACKEND`` names the backend class by dotted path. Development uses the
console or a file (``SMS_FILE_PATH``); tests use the in-memory outbox; production names a
provider's adapter: a class with ``send(phone, text)`` that raises ``SmsError`` (or any
exception) when the provider refuses, so the send is logged as failed and retried.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

__all__ = ["BaseSmsBackend", "ConsoleBackend", "FileBackend", "LocmemBackend", "send_sms"]


class SmsError(Exception):
    """The provider refused or could not be reached."""


class BaseSmsBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Prints each message (development)."""

    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {phone}] {text}\n")


class FileBackend(BaseSmsBackend):
    """Appends each message to a file of the day under ``SMS_FILE_PATH`` (development,
    staging: what would have been sent, without a provider)."""

    def send(self, phone: str, text: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"sms-{timezone.localdate():%Y%m%d}.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{timezone.now().isoformat()}\t{phone}\t{text}\n")


# The in-memory outbox of LocmemBackend, like django.core.mail.outbox.
outbox: list[tuple[str, str]] = []


class LocmemBackend(BaseSmsBackend):
    """Keeps messages in ``notifications.sms.outbox`` (tests)."""

    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, text: str) -> None:
    get_backend().send(phone, text)

"""Offline field work in the demo: the county's offline setting (7 days) is written, so the
admin finds it under 离线设置; the directors' caseload is the demo children of their village.

Idempotent: an existing setting is left as the county set it."""

from fieldwork.models import OfflineSettings


def seed(stdout=None) -> None:
    if not OfflineSettings.objects.exists():
        OfflineSettings().save()
    if stdout is not None:
        stdout.write("离线外勤：离线设置已就绪（登录 director 后打开「离线外勤」）。")

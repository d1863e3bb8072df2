"""Delete access-log entries older than the retention period (settings.ACCESS_LOG_RETENTION_DAYS).

This is the only way an access-log entry is ever deleted. The model and its queryset refuse
delete() so that no application code can do it by accident; this command goes around them
on purpose with the base QuerySet's ``_raw_delete`` (one DELETE … WHERE at < cutoff, no
signals, nothing else touched). The Cybersecurity Law (art. 21) asks for at least six months,
so a retention under 183 days is refused.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import AccessLog

MIN_RETENTION_DAYS = 183


class Command(BaseCommand):
    help = "删除超过保存期限的访问日志（ACCESS_LOG_RETENTION_DAYS，不少于 183 天）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除的条数，不删除。")

    def handle(self, *args, dry_run=False, **options):
        days = int(settings.ACCESS_LOG_RETENTION_DAYS)
        if days < MIN_RETENTION_DAYS:
            raise CommandError(
                f"ACCESS_LOG_RETENTION_DAYS={days} is below the legal minimum of "
                f"{MIN_RETENTION_DAYS} days (six months); nothing was deleted."
            )
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = AccessLog.objects.filter(at__lt=cutoff)
        if dry_run:
            self.stdout.write(f"{old.count()} entries older than {cutoff:%Y-%m-%d} would go.")
            return
        with transaction.atomic():
            deleted = old._raw_delete(old.db)
        self.stdout.write(f"Deleted {deleted} access-log entries older than {cutoff:%Y-%m-%d}.")

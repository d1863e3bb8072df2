"""List every record still assigned to an inactive account (children/caseload.py); exit 1
when there is any, so that a cron job or a deploy step can raise it."""

from django.core.management.base import BaseCommand, CommandError

from children.services_handover import orphans


class Command(BaseCommand):
    help = "列出仍由已停用账号负责的记录（责任儿童、关爱方案、未完成的家访）；有则以非零状态退出。"

    def handle(self, *args, **options):
        rows = orphans()
        for row in rows:
            self.stdout.write(
                f"{row.kind}\t{row.user.username}\t{row.user.display_name}\t{row.count}"
            )
        if rows:
            raise CommandError(
                f"{sum(r.count for r in rows)} record(s) assigned to inactive accounts"
            )
        self.stdout.write("no record is assigned to an inactive account")

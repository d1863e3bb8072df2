"""Transfers waiting past ``TRANSFER_COUNTY_AFTER_DAYS`` reach the county center (run daily
by the digest timer in deploy/, before send_notifications). Each request reaches it once."""

from django.core.management.base import BaseCommand

from children.services_transfer import county_after_days, transfers_escalate


class Command(BaseCommand):
    help = "把等待接收超过规定天数的转移申请上报县未保中心（每条只上报一次）。"

    def handle(self, *args, **options):
        done = transfers_escalate()
        self.stdout.write(f"transfers waiting over {county_after_days()} days, escalated: {done}")

"""Escalate safety alerts past their handling deadline (run by the systemd timer in deploy/,
before send_notifications). Safe to run as often as wanted: each step happens once."""

from django.core.management.base import BaseCommand

from care.services import alerts_escalate


class Command(BaseCommand):
    help = "Escalate overdue safety alerts to the township supervisor, then the county center."

    def handle(self, *args, **options):
        done = alerts_escalate()
        self.stdout.write(f"escalated to township: {done['township']}, to county: {done['county']}")

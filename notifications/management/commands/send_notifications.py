"""Send pending notifications by e-mail and SMS (run by the systemd timer in deploy/).

Every run sends the urgent ones (new suicide-risk alerts, escalations) and retries failed
sends; ``--digest`` (once a day) also adds each user's overdue summaries and sends
everything else as one digest per user.
"""

from django.core.management.base import BaseCommand

from notifications.services import notifications_send


class Command(BaseCommand):
    help = "Send pending notifications (urgent at once; --digest: the daily digest)."

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="send the daily digest")

    def handle(self, *args, digest=False, **options):
        stats = notifications_send(digest=digest)
        self.stdout.write(
            "users {users}, sent {sent}, failed {failed}, retried {retried}".format(
                **{"users": 0, "sent": 0, "failed": 0, "retried": 0, **stats}
            )
        )

"""Fill the database with demo users and synthetic data so a newcomer sees a living portal.

Each app contributes through a ``demo`` module with a ``seed(stdout)`` function; they run in
INSTALLED_APPS order (areas and users first). Every ``seed`` is idempotent: running the
command twice leaves the same data.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "创建演示账号与合成演示数据（幂等；生产环境需 --force）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="即使 DEBUG 关闭也执行（会向该数据库写入演示账号，慎用）。",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 未开启：这可能是生产数据库，拒绝写入演示数据。确需执行请加 --force。"
            )
        with transaction.atomic():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("演示数据已就绪。演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        )
        for username, role_label, area in demo_user_rows():
            self.stdout.write(f"  {username:<10} {role_label}  {area}")


def demo_user_rows():
    from accounts.choices import Role

    for spec in DEMO_USERS:
        area = " ".join(part for part in (spec.township, spec.village) if part) or "全县"
        yield spec.username, str(Role(spec.role).label), area

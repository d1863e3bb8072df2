"""Fill the database with N synthetic children and their records, fast, for the benchmark.

    python manage.py seed_scale --children 100000 [--seed 0] [--force]

Refuses when DEBUG is off unless --force: it writes a large amount of synthetic data and is
never meant for a production database. See scale/seed.py for what is written and how.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scale.seed import ScaleError, seed_scale, summary


class Command(BaseCommand):
    help = "批量生成合成儿童及其家访、测评、关爱记录（性能测试用；DEBUG 关闭时需 --force）。"

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, required=True, help="生成的儿童人数")
        parser.add_argument("--seed", type=int, default=0, help="随机种子（相同种子生成相同数据）")
        parser.add_argument(
            "--force",
            action="store_true",
            help="即使 DEBUG 关闭也执行（会向该数据库写入大量合成数据，慎用）。",
        )

    def handle(self, *args, children, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 未开启：这可能是生产数据库，拒绝写入规模测试数据。确需执行请加 --force。"
            )
        if children < 1:
            raise CommandError("--children 必须是正整数。")

        def out(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        try:
            result = seed_scale(children=children, seed=seed, stdout=out)
        except ScaleError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary(result):
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"完成：{children} 名合成儿童，用时 {result.seconds:.1f} 秒。")
        )

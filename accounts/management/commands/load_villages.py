from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.services_villages import villages_load
from core.xlsx_guard import WorkbookRefused


class Command(BaseCommand):
    help = (
        "从 .xlsx 或 .csv 文件（村代码、乡镇代码、名称）导入或更新村/社区：先按代码、再按"
        "（乡镇，名称）匹配；不移动任何儿童或账号；任何一行有错则不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并列出将要做的变更，不写入。"
        )
        parser.add_argument(
            "--retire-absent",
            action="store_true",
            help="把文件所含乡镇中、不在新清单里的村/社区标记为“已撤并”（保留，不删除）。",
        )

    def handle(self, *args, file: Path, dry_run: bool, retire_absent: bool, **options):
        if not file.exists():
            raise CommandError(f"找不到文件：{file}")
        try:
            report = villages_load(
                filename=file.name,
                data=file.read_bytes(),
                dry_run=dry_run,
                retire_absent=retire_absent,
            )
        except WorkbookRefused as exc:
            raise CommandError(str(exc)) from exc
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"文件有 {len(report.errors)} 处错误，未写入任何数据。")
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(report.summary())

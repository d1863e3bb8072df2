from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.services import villages_load
from core.xlsx_guard import WorkbookRefused


class Command(BaseCommand):
    help = (
        "从 .xlsx 或 .csv 文件（村代码、乡镇代码、名称）导入或更新村/社区；任何一行有错则不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入。")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.exists():
            raise CommandError(f"找不到文件：{file}")
        try:
            report = villages_load(filename=file.name, data=file.read_bytes(), dry_run=dry_run)
        except WorkbookRefused as exc:
            raise CommandError(str(exc)) from exc
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"文件有 {len(report.errors)} 处错误，未写入任何数据。")
        verb = "将" if dry_run else "已"
        self.stdout.write(
            f"{verb}新增 {report.created} 个、更新 {report.updated} 个、"
            f"未变 {report.unchanged} 个村/社区。"
        )

"""python manage.py import_ledger FILE --township 龙胜镇 [--dry-run] [--user USERNAME]"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.choices import Role
from accounts.models import Township, User
from children.io.ledger_import import import_ledger, preview_ledger
from core.validators import mask_id_number
from core.xlsx_guard import WorkbookRefused

SHOWN_ROWS = 20


class Command(BaseCommand):
    help = (
        "从 Excel（.xlsx）导入一个乡镇的困境儿童台账：先检查全部行，任何一行有错则不写入任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="台账文件（.xlsx）")
        parser.add_argument(
            "--township", required=True, help="导入到哪个乡镇：名称（如 龙胜镇）或区划代码"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入。")
        parser.add_argument(
            "--user", help="以哪个用户的名义导入（默认：第一个在用的县未保中心管理员）"
        )

    def handle(self, *args, file: Path, township: str, dry_run: bool, user=None, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        target = Township.objects.filter(
            Q(name=township) | Q(code=township) | Q(former_name=township)
        ).first()
        if target is None:
            names = "、".join(Township.objects.values_list("name", flat=True))
            raise CommandError(f"未知的乡镇：{township}。可用：{names}")
        actor = self.actor(user)
        try:
            if dry_run:
                result = preview_ledger(actor=actor, township=target, data=file.read_bytes())
            else:
                result = import_ledger(
                    actor=actor, township=target, data=file.read_bytes(), filename=file.name
                )
        except WorkbookRefused as exc:
            raise CommandError(exc.message) from exc
        except PermissionDenied as exc:
            raise CommandError(
                str(exc) or f"用户 {actor.username} 不能导入{target.name}的台账"
            ) from exc

        self.report(result, target)
        errors = result.errors
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(f"文件有 {len(errors)} 处错误，未写入任何数据。")
        plan = result.plan
        verb = "将" if dry_run else "已"
        summary = f"{verb}新增 {plan.new} 人、更新 {plan.updated} 人，无变化 {plan.unchanged} 人。"
        if dry_run:
            summary += "（试运行，未写入任何数据）"
        self.stdout.write(self.style.SUCCESS(summary))

    def actor(self, username):
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到在用的用户：{username}")
            return actor
        actor = User.objects.filter(role=Role.COUNTY_ADMIN, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("没有在用的县未保中心管理员账号，请用 --user 指定导入人")
        return actor

    def report(self, result, township):
        ledger, plan = result.file, result.plan
        self.stdout.write(
            f"乡镇：{township.name}　工作表：{ledger.sheet}　表头在第 {ledger.header_row} 行　"
            f"数据 {ledger.data_rows} 行"
        )
        if ledger.ignored:
            self.stdout.write("未识别、已忽略的列：" + "、".join(ledger.ignored))
        self.stdout.write(
            f"新增 {plan.new}　更新 {plan.updated}　无变化 {plan.unchanged}　"
            f"错误 {len(result.errors)}"
        )
        for row in plan.rows[:SHOWN_ROWS]:
            child = row.child
            number = mask_id_number(child.id_number) if child.id_number else "未登记户口"
            line = f"  第 {row.source.row} 行  {row.status_label}  {child.name}  {number}"
            if row.changes:
                line += "  " + "；".join(
                    f"{label}：{before or '—'} → {after or '—'}"
                    for label, (before, after) in row.changes.items()
                )
            self.stdout.write(line)
        if len(plan.rows) > SHOWN_ROWS:
            self.stdout.write(f"  ……另有 {len(plan.rows) - SHOWN_ROWS} 行")
        for warning in result.warnings:
            self.stdout.write(f"注意：{warning}")

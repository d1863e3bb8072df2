"""``python manage.py export_report --campaign 2026 [--township 龙胜镇] -o FILE``.

Without ``--township``: the county workbook (summary, one sheet per township, narratives).
The township may be given by name or statistical code. The export is written to the access
log like a download from the portal.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import AccessAction, log_access
from reports import exports
from reports.selectors import campaign_of_year


class Command(BaseCommand):
    help = "导出年度主题活动情况统计表（Excel）：指定乡镇时导出该乡镇报表，否则导出全县汇总。"

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="年度，例如 2026")
        parser.add_argument("--township", default="", help="乡镇名称或统计用区划代码")
        parser.add_argument("-o", "--output", required=True, help="输出文件（.xlsx）")

    def handle(self, *args, campaign, township, output, **options):
        found = campaign_of_year(campaign)
        if found is None:
            raise CommandError(f"找不到 {campaign} 年度主题活动。")
        if township:
            area = exports.find_township(township)
            if area is None:
                raise CommandError(f"找不到乡镇：{township}（请填写乡镇名称或统计用区划代码）。")
            content = exports.township_export(found, area)
            label, kind = f"{found.year}年 {area.name}", "township_report"
        else:
            content = exports.county_export(found)
            label, kind = f"{found.year}年 全县汇总", "county_report"
        path = Path(output)
        path.write_bytes(content)
        log_access(
            action=AccessAction.EXPORT,
            username="manage.py export_report",
            target_type="campaign",
            target_id=str(found.pk),
            target_label=label,
            detail={"export": kind, "campaign": found.year, "file": path.name},
        )
        self.stdout.write(self.style.SUCCESS(f"已导出：{path}"))

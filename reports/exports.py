"""The two workbook downloads, shared by the download views and ``manage.py export_report``.

Callers decide who may export what (the views check permission and scope); these functions
read unscoped for the campaign and township they are given.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Township
from reports import workbooks
from reports.figures import county_rollup, township_figures
from reports.models import TownshipReport
from reports.selectors import report_content


def township_filename(campaign, township) -> str:
    return f"{campaign.year}年{township.name}主题活动情况统计表.xlsx"


def county_filename(campaign) -> str:
    return f"{campaign.year}年龙胜各族自治县主题活动情况汇总表.xlsx"


def township_export(campaign, township) -> bytes:
    report = TownshipReport.objects.filter(campaign=campaign, township=township).first()
    content = report_content(campaign, township, report)
    return workbooks.township_workbook(
        township_name=township.name,
        figures=content.figures,
        narratives=content.narratives,
        filled_on=content.filled_on,
        status_note=content.status_note,
    )


def county_export(campaign) -> bytes:
    """Summary, one sheet per township and the narratives. A submitted or accepted report
    contributes its latest version; the others their live figures and draft narratives
    (computed per township: a fixed ten, for a download, not a page)."""
    now = timezone.now()
    today = timezone.localdate(now).isoformat()
    rollup = county_rollup(campaign, now=now)
    sheets = []
    for row in rollup.rows:
        if row.snapshot is not None:
            figures, narratives = row.snapshot["figures"], row.snapshot["narratives"]
            filled_on = timezone.localtime(row.report.submitted_at).date().isoformat()
            note = ""
        else:
            figures = township_figures(campaign, row.township, today=timezone.localdate(now))
            narratives = row.report.narratives() if row.report is not None else {}
            filled_on = today
            note = _("注：本乡镇报表尚未报送（%(s)s），数据为导出时实时统计。") % {
                "s": row.status_label
            }
        sheets.append(
            {
                "township_name": row.township.name,
                "figures": figures,
                "narratives": narratives,
                "filled_on": filled_on,
                "status_note": note,
                "status_label": row.status_label if not row.missing else _("逾期未报送"),
            }
        )
    return workbooks.county_workbook(rollup=rollup, townships=sheets, filled_on=today)


def find_township(text: str) -> Township | None:
    """A township by name (龙胜镇) or statistical code (450328100)."""
    text = (text or "").strip()
    return Township.objects.filter(name=text).first() or Township.objects.filter(code=text).first()

"""The two workbook downloads, shared by the download views and ``manage.py export_report``.

Callers decide who may export what (the views check permission and scope); these functions
read unscoped for the campaign and township they are given.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Township
from reports import workbooks
from reports.figures import COUNTY_CENTER, area_figures, county_rollup, township_figures
from reports.models import TownshipReport
from reports.narratives import render_all
from reports.sections import figure_sections
from reports.selectors import report_content, version_note


def township_filename(campaign, township) -> str:
    return f"{campaign.year}年{township.name}主题活动情况统计表.xlsx"


def county_filename(campaign) -> str:
    return f"{campaign.year}年龙胜各族自治县主题活动情况汇总表.xlsx"


def township_export(campaign, township, progress=None) -> bytes:
    """The township's workbook. ``progress`` (a job's, optional) is told the number of
    figure rows of the sheet, and advanced once they are written."""
    if progress is not None:
        progress.start(None, message=_("正在统计本乡镇报表……"))
    report = TownshipReport.objects.filter(campaign=campaign, township=township).first()
    content = report_content(campaign, township, report)
    data = workbooks.township_workbook(
        township_name=township.name,
        figures=content.figures,
        narratives=content.narratives,
        filled_on=content.filled_on,
        status_note=content.status_note,
    )
    if progress is not None:
        rows = sum(len(section.rows) for section in figure_sections(content.figures, links=False))
        progress.start(rows)
        progress.advance(rows)
    return data


def county_export(campaign, progress=None) -> bytes:
    """Summary, one sheet per township, the county center's own sheet, and the narratives.
    A submitted or accepted report contributes its latest version (the sheet says which and
    how it stands against the deadline); the others their live figures and draft narratives
    (computed per township: a fixed ten, for a download, not a page).

    ``progress`` (a job's, optional) is told the number of rows of the summary (the
    townships and the county center) and advanced as each one's sheet is compiled."""
    now = timezone.now()
    today = timezone.localdate(now)
    rollup = county_rollup(campaign, now=now)
    if progress is not None:
        progress.start(len(rollup.rows) + 1, message=_("正在汇总各乡镇报表……"))
    sheets = []
    for row in rollup.rows:
        if row.snapshot is not None:
            figures, narratives = row.snapshot["figures"], row.snapshot["narratives"]
            filled_on = timezone.localtime(row.version_submitted_at).date().isoformat()
            note = (
                row.township.name
                + "："
                + version_note(
                    SimpleNamespace(
                        number=row.version_number,
                        submitted_at=row.version_submitted_at,
                        on_time=row.version_on_time,
                    ),
                    row.first_on_time,
                )
            )
        else:
            figures = township_figures(campaign, row.township, today=today)
            draft = row.report.narratives() if row.report is not None else {}
            narratives = render_all(draft, figures)
            filled_on = today.isoformat()
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
        if progress is not None:
            progress.advance()
    sheets.append(
        {
            "township_name": _("县级"),
            "unit": workbooks.COUNTY_UNIT,
            "figures": area_figures(campaign, COUNTY_CENTER, today=today),
            "narratives": {},
            "filled_on": today.isoformat(),
            "status_note": _("注：县未保中心自行开展的活动、培训和购买服务，导出时实时统计。"),
            "status_label": _("实时统计"),
        }
    )
    if progress is not None:
        progress.advance()
    return workbooks.county_workbook(rollup=rollup, townships=sheets, filled_on=today.isoformat())


def find_township(text: str) -> Township | None:
    """A township by name (龙胜镇) or statistical code (450328100)."""
    text = (text or "").strip()
    return Township.objects.filter(name=text).first() or Township.objects.filter(code=text).first()

"""Journey 5: the county admin, at a desk, opens the dashboard (the charts draw), follows a
number to the filtered ledger, and downloads the county workbook: one sheet per township."""

import re

import openpyxl
from playwright.sync_api import expect

from accounts.models import Township
from tests.e2e.helpers import (
    assert_journey_clean,
    check_page,
    login,
    open_menu_item,
    save_artifact,
)

# Every drawn chart: its canvas has a size and something painted on it.
_CANVASES_JS = """
() => [...document.querySelectorAll('[data-chart]:not(.d-none)')].map((box) => {
  const canvas = box.querySelector('canvas');
  if (!canvas) return {chart: box.dataset.chart, canvas: false};
  const rect = canvas.getBoundingClientRect();
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = false;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { painted = true; break; } }
  return {chart: box.dataset.chart, canvas: true, width: rect.width, height: rect.height, painted};
})
"""


def test_county_dashboard_charts_drilldown_and_workbook(desktop_page, tmp_path):
    page = desktop_page
    login(page, "county")
    open_menu_item(page, "数据看板")
    expect(page.get_by_role("heading", name=re.compile("数据看板 · 全县"))).to_be_visible()

    # The charts render (ECharts draws on a canvas once the page's script has run).
    expect(page.locator("[data-chart] canvas").first).to_be_attached()
    charts = page.evaluate(_CANVASES_JS)
    assert len(charts) >= 3, charts
    for chart in charts:
        assert chart["canvas"], f"chart {chart['chart']} has no canvas"
        assert chart["width"] > 0 and chart["height"] > 0, chart
        assert chart["painted"], f"chart {chart['chart']} drew nothing"
    check_page(page)
    save_artifact(page, "journey5-county-dashboard")

    # A number leads to the list behind it: the red-risk children on the ledger.
    kpi = page.locator(".card-stat").filter(has_text="红色（高风险）").locator("a.stat-value")
    red = int(kpi.inner_text())
    assert red > 0, "the demo data has red-risk children"
    kpi.click()
    expect(page).to_have_url(re.compile(r"/children/\?.*risk_level=red"))
    expect(page.get_by_role("heading", name=re.compile("困境儿童台账"))).to_contain_text(
        f"共 {red} 人"
    )
    expect(page.get_by_label("风险等级")).to_have_value("red")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    # Every listed child is red, and only red.
    expect(rows.locator(".badge.risk-red")).to_have_count(rows.count())
    expect(rows.locator(".badge.risk-orange, .badge.risk-yellow, .badge.risk-green")).to_have_count(
        0
    )
    check_page(page)

    # The county workbook: summary, one sheet per township, narratives.
    open_menu_item(page, "统计报表")
    expect(page.get_by_role("heading", name=re.compile("各乡镇主题活动情况汇总"))).to_be_visible()
    check_page(page)
    # The workbook is written by a background job: its page shows the rows, then the link.
    page.get_by_role("link", name="下载全县汇总（Excel）").click()
    expect(page.locator("#job-progress")).to_contain_text("已完成，共 11 行")
    check_page(page)
    with page.expect_download() as download_info:
        page.locator("a.job-download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    townships = set(Township.objects.values_list("name", flat=True))
    assert len(townships) == 10
    assert townships <= set(workbook.sheetnames), workbook.sheetnames
    others = [name for name in workbook.sheetnames if name not in townships]
    assert len(others) == len(workbook.sheetnames) - 10
    assert "汇总" in others, workbook.sheetnames
    save_artifact(page, "journey5-county-rollup")
    assert_journey_clean(page)

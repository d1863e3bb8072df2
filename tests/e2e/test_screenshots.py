"""The README's screenshots (docs/screenshots/), taken from the demo data at phone (390×844)
and desktop (1366×900) size. Run on purpose, not in every test run, since it rewrites tracked
files: ``make screenshots`` (SCREENSHOTS=1). Saved as 256-colour PNGs to stay small."""

import io
import os

import pytest
from PIL import Image

from tests.e2e.conftest import DESKTOP
from tests.e2e.helpers import REPO_ROOT, login

SHOTS = REPO_ROOT / "docs" / "screenshots"

pytestmark = pytest.mark.skipif(
    os.environ.get("SCREENSHOTS") != "1", reason="README screenshots: make screenshots"
)

PHONE_1X = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 1,
}

# (file name, size, user, address)
PAGES = [
    ("phone-home", PHONE_1X, "director", "/"),
    ("phone-ledger", PHONE_1X, "director", "/children/"),
    ("phone-overdue", PHONE_1X, "director", "/visits/overdue/"),
    ("phone-alerts", PHONE_1X, "longsheng", "/care/alerts/"),
    ("desktop-ledger", DESKTOP, "longsheng", "/children/"),
    ("desktop-dashboard", DESKTOP, "county", "/reports/dashboard/"),
]


def _save_small(png: bytes, name: str) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SHOTS / f"{name}.png", optimize=True)


def test_readme_screenshots(browser, live_server, demo_data):
    contexts = {}
    try:
        for name, size, username, url in PAGES:
            key = (username, size["viewport"]["width"])
            if key not in contexts:
                context = browser.new_context(
                    base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **size
                )
                page = context.new_page()
                login(page, username)
                contexts[key] = (context, page)
            page = contexts[key][1]
            page.goto(url)
            page.wait_for_load_state("networkidle")
            # Charts animate in: wait until ECharts has drawn them.
            page.wait_for_function(
                "() => !document.querySelector('.chart')"
                " || !!document.querySelector('.chart canvas')"
            )
            page.wait_for_timeout(1200)  # the charts' entry animation (not a test of speed)
            _save_small(page.screenshot(), name)
            assert (SHOTS / f"{name}.png").stat().st_size < 400_000
    finally:
        for context, _page in contexts.values():
            context.close()

"""Helpers shared by the browser journeys: logging in, screenshots and the page checks every
journey runs on the pages it visits (no horizontal scrolling on a phone, labelled fields,
axe-core's WCAG 2.1 AA rules, tap targets of at least 44×44 px on a phone, no script errors
or CSP refusals)."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
# axe-core, vendored for the tests only (tests/e2e/vendor/VENDOR.md).
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
# Bootstrap's small breakpoint: below it the portal lays pages out for a phone.
PHONE_MAX_WIDTH = 575
# The smallest tap target on a phone (WCAG 2.5.5; Apple's and Material's guidance).
MIN_TAP = 44

# htmx inserts its indicator <style> at load unless told not to; the CSP refuses it.
HTMX_STYLE_HASH = "sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk="
HTMX_STYLE_HINT = (
    " [this is htmx's built-in .htmx-indicator <style>: base.html needs "
    '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'> and the two '
    ".htmx-indicator rules in static/css]"
)

# Collected per page by ``watch_page`` (conftest): uncaught script errors and console errors.
_ERRORS_ATTR = "_e2e_errors"
# Collected per page by ``check_page``: layout and label problems.
_PROBLEMS_ATTR = "_e2e_problems"


def watch_page(page: Page) -> Page:
    """Record uncaught script errors, console errors (a CSP refusal is one) and static files
    (scripts, styles, images, fonts) that failed to load."""
    errors: list[tuple[str, str]] = []  # (page URL, what went wrong)
    setattr(page, _ERRORS_ATTR, errors)
    setattr(page, _PROBLEMS_ATTR, [])

    def on_console(msg):
        text = msg.text
        # A failed load is reported by on_response with its URL; the favicon is not ours.
        if msg.type == "error" and not text.startswith("Failed to load resource"):
            if HTMX_STYLE_HASH in text:
                text += HTMX_STYLE_HINT
            errors.append((page.url, f"console.error: {text}"))

    def on_response(response):
        request = response.request
        if (
            response.status >= 400
            and request.resource_type in {"script", "stylesheet", "image", "font"}
            and not request.url.endswith("/favicon.ico")
        ):
            errors.append(
                (page.url, f"{response.status} for {request.resource_type} {request.url}")
            )

    # A person answers 确定 to the portal's confirmations (data-confirm); keep what was asked.
    dialogs: list[str] = []
    page.dialogs = dialogs

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: errors.append((page.url, f"uncaught: {exc}")))
    page.on("console", on_console)
    page.on("response", on_response)
    return page


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form and wait until the portal has let us in."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="退出", include_hidden=True)).to_be_attached()


def open_menu_item(page: Page, label: str) -> None:
    """Follow a main-menu link as a person would: on a phone, open the collapsed menu first."""
    toggler = page.get_by_role("button", name="展开菜单")
    nav = page.locator("#portal-nav")
    if toggler.is_visible():
        toggler.click()
        # Bootstrap slides the menu open: wait until it has finished ("collapsing" gone),
        # or a tap can land while the links are still moving and open nothing.
        expect(nav).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    link = nav.get_by_role("link", name=label, exact=True)
    with page.expect_navigation():
        link.click()
    page.wait_for_load_state("load")


def is_phone(page: Page) -> bool:
    return (page.viewport_size or {}).get("width", 10**6) <= PHONE_MAX_WIDTH


def list_rows(page: Page):
    """The rows of the page's list as the person sees them: cards on a phone, the table's
    rows from 576 px up (templates/django_tables2/portal.html)."""
    if is_phone(page):
        return page.locator(".list-cards > .list-card")
    return page.locator("table tbody tr")


def save_artifact(page: Page, name: str) -> Path:
    """A full-page screenshot under test-artifacts/e2e/ (git-ignored), for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_OVERFLOW_JS = """
(viewportWidth) => {
  // On a phone (is_mobile) Chromium widens the layout viewport to fit content that overflows,
  // so window.innerWidth can grow to the page's width: compare with the device width too.
  const width = Math.min(window.innerWidth, viewportWidth);
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.right <= width + 1) continue;
    // Inside a scrolling or clipping box (e.g. .table-responsive) it does not widen the page.
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox !== 'visible') { clipped = true; break; }
    }
    if (clipped) continue;
    // Report the outermost offender only.
    if (culprits.some((c) => c.node.contains(el))) continue;
    culprits.push({node: el, right: Math.round(rect.right)});
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    culprits: culprits.slice(0, 8).map((c) => {
      const el = c.node;
      const cls = (el.getAttribute('class') || '').trim().replace(/\\s+/g, '.');
      const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
      return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls ? '.' + cls : ''}>`
        + ` right=${c.right}px "${text}"`;
    }),
  };
}
"""


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page is no wider than the window (phones must never scroll sideways)."""
    viewport_width = (page.viewport_size or {}).get("width", 10**6)
    result = page.evaluate(_OVERFLOW_JS, viewport_width)
    limit = min(result["innerWidth"], viewport_width)
    assert result["scrollWidth"] <= limit, (
        f"{page.url} scrolls horizontally at {limit}px: scrollWidth={result['scrollWidth']}; "
        f"widest elements: {result['culprits']}"
    )


_UNLABELLED_JS = """
() => {
  const skip = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
  const hasText = (el) => !!el && (el.textContent || '').trim().length > 0;
  const bad = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (skip.has(type) || el.name === 'csrfmiddlewaretoken') continue;
    if (el.getClientRects().length === 0) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if ((el.getAttribute('aria-label') || '').trim()) continue;
    const labelledby = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    if (labelledby.some((id) => hasText(document.getElementById(id)))) continue;
    if (el.id && [...document.querySelectorAll('label')].some(
        (l) => l.htmlFor === el.id && hasText(l))) continue;
    if (hasText(el.closest('label'))) continue;
    bad.push(`<${el.tagName.toLowerCase()} name="${el.name}" id="${el.id}" type="${type}">`);
  }
  return bad;
}
"""


def assert_fields_labelled(page: Page) -> None:
    """Every visible field has a label (for=…), an aria-label/-labelledby or a wrapping label."""
    unlabelled = page.evaluate(_UNLABELLED_JS)
    assert not unlabelled, f"{page.url} has fields without a label: {unlabelled}"


def assert_no_script_errors(*pages: Page) -> None:
    """No uncaught script error, console error or CSP refusal, no broken static file, on any
    page the journey visited."""
    seen: dict[str, list[str]] = {}
    for page in pages:
        for url, error in getattr(page, _ERRORS_ATTR, []):
            seen.setdefault(error, []).append(url)
    report = "\n".join(
        f"- {error}\n  on {len(urls)} page(s), first {urls[0]}" for error, urls in seen.items()
    )
    assert not seen, f"script errors, CSP refusals or broken static files:\n{report}"


_AXE_RUN_JS = """
async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
    resultTypes: ['violations'],
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ': ' +
        (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 160)),
      count: v.nodes.length,
    }));
}
"""


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations of WCAG 2.0/2.1 A and AA (and its best
    practices) on the page as it is now. Injected through DevTools, so the portal's CSP, which
    allows no inline script, neither blocks it nor has to make room for it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    return page.evaluate(_AXE_RUN_JS)


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation (labels, contrast, landmarks, headings, names
    of links and buttons, ARIA)."""
    violations = axe_violations(page)
    assert not violations, f"{page.url} fails axe-core:\n" + "\n".join(
        f"  {v['impact']} {v['id']} ({v['help']}) x{v['count']}: {v['nodes']}" for v in violations
    )


_TAP_TARGETS_JS = """
(minimum) => {
  const small = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[role=button], [tabindex]:not([tabindex="-1"])';
  for (const el of document.querySelectorAll(selector)) {
    if (el.getClientRects().length === 0) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    let box = el;
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (type === 'checkbox' || type === 'radio') {
      // The tap target of a check box is its row: the box and its label.
      box = el.closest('.form-check, label') || el;
    }
    if (el.tagName === 'A') {
      // A link in running text is exempt (WCAG 2.5.5 "inline"): its sentence says more.
      const block = el.parentElement;
      const own = (el.textContent || '').trim().length;
      const around = (block && block.textContent || '').trim().length;
      if (block && around > own + 1 && getComputedStyle(el).display === 'inline'
          && !block.closest('.list-card-title')) continue;
      // A card's heading link covers the whole card (its ::after is stretched over it).
      const after = getComputedStyle(el, '::after');
      if (after.content !== 'none' && after.position === 'absolute' && el.closest('.card')) {
        box = el.closest('.card');
      }
    }
    const r = box.getBoundingClientRect();
    if (r.width + 0.5 >= minimum && r.height + 0.5 >= minimum) continue;
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 30);
    small.push(`<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}> "${text}" `
      + `${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return small;
}
"""


def assert_tap_targets(page: Page) -> None:
    """On a phone, every visible link, button and field is at least 44×44 px to the thumb."""
    if not is_phone(page):
        return
    small = page.evaluate(_TAP_TARGETS_JS, MIN_TAP)
    assert not small, f"{page.url} has tap targets under {MIN_TAP}×{MIN_TAP} px: {small[:12]}"


def assert_in_viewport(page: Page, locator) -> None:
    """The element (a list's primary action) lies inside the window's width: reachable
    without scrolling sideways."""
    box = locator.bounding_box()
    assert box is not None, f"{page.url}: {locator} is not displayed"
    width = (page.viewport_size or {}).get("width", 10**6)
    inner = page.evaluate("() => window.innerWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= min(width, inner) + 1, (
        f"{page.url}: {locator} lies at x={box['x']:.0f}..{box['x'] + box['width']:.0f}, "
        f"outside the {min(width, inner)} px window"
    )


def check_page(page: Page) -> None:
    """The checks every journey runs on each page it reaches: no sideways scrolling, every
    field labelled, no serious axe-core violation and, on a phone, tap targets of 44 px. A
    problem is recorded, not raised at once, so that one run of a journey shows every defect
    along it; ``assert_journey_clean`` at the end fails the test."""
    page.wait_for_load_state("load")
    problems = getattr(page, _PROBLEMS_ATTR)
    checks = (
        assert_no_horizontal_scroll,
        assert_fields_labelled,
        assert_accessible,
        assert_tap_targets,
    )
    for check in checks:
        try:
            check(page)
        except AssertionError as problem:
            problems.append(str(problem))


def assert_journey_clean(*pages: Page) -> None:
    """Last line of every journey: no layout or label problem on any page checked, and no
    script error anywhere."""
    problems = [problem for page in pages for problem in getattr(page, _PROBLEMS_ATTR, [])]
    assert not problems, "pages with problems:\n" + "\n".join(f"- {p}" for p in problems)
    assert_no_script_errors(*pages)

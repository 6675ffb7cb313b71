"""axe-core over every page type of the tiny site, in the light and the dark palette.

axe-core is the npm package ``axe-core``; ``.ci/run`` installs it outside the repository and names its
``axe.min.js`` in ``SB_AXE_JS`` (default: where ``npm install --prefix ~/.cache/sb-axe axe-core@4`` puts it).
Playwright injects the file into each page (no request leaves the local server). Without it the tests fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.conftest import LocalServer

pytestmark = pytest.mark.browser

AXE_JS = Path(os.environ.get("SB_AXE_JS")
              or Path.home() / ".cache/sb-axe/node_modules/axe-core/axe.min.js")

#: One page of each type, and what to do on it before the check (so that what scripts draw is checked too).
PAGES = {
    "home": ("", None),
    "explore": ("explore/?objective=contrastive", "#sb-explore[data-state=ready]"),
    "facet": ("topics/objective/", None),
    "topic": ("topics/objective/contrastive/", None),
    "paper": ("papers/alpha/", None),
    "dataset": ("datasets/pairs/", None),
    "trends": ("trends/", None),
    "graph": ("graph/?focus=alpha", "#sb-graph[data-state=ready]"),
    "cited-by": ("cited-by/", None),
    "candidates": ("candidates/", None),
    "downloads": ("downloads/", None),
    "contribute": ("contribute/", None),
}

#: Violations of the theme that no override of ours can remove, each with its reason (none today: the theme's
#: search dialog, which had no accessible name, is replaced by the Pagefind search of overrides/partials/).
THEME_VIOLATIONS: set[tuple[str, str]] = set()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is missing ({AXE_JS}): npm install --prefix ~/.cache/sb-axe axe-core@4, or set "
                    "SB_AXE_JS to its axe.min.js; the accessibility tests must run, not skip")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def page(browser: Browser, built_site: Path, local_server: LocalServer) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url.startswith((local_server.url, "blob:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield context.new_page()
    context.close()
    assert outside == []


def serious(page: Page, axe_source: str) -> list[str]:
    """The serious and critical violations axe-core finds on the page, as "rule: target" lines."""
    page.add_script_tag(content=axe_source)
    found = page.evaluate("""() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .flatMap(v => v.nodes.map(n => [v.id, n.target.join(" "), n.failureSummary])))""")
    return [f"{rule}: {target}: {why}" for rule, target, why in found if (rule, target) not in THEME_VIOLATIONS]


def show(page: Page, url: str, ready: str | None, scheme: str) -> None:
    page.goto(url)
    if ready:
        expect(page.locator(ready)).to_be_attached()
    # the palette as the theme's toggle sets it, then the theme's colour transitions run to their end (axe must
    # see the colours a reader sees, not the ones half-way)
    page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)
    page.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))")


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_serious_violation(page: Page, local_server: LocalServer, axe_source: str, kind: str,
                              scheme: str) -> None:
    path, ready = PAGES[kind]
    show(page, local_server.url + path, ready, scheme)
    if kind == "graph":  # the side panel and the focus view are checked as well
        page.locator(".sb-graph__pick[data-id=bravo]").click()
        expect(page.locator(".sb-graph__panel")).to_be_visible()
    if kind == "trends":  # the share charts and an open data table too
        page.get_by_role("radio", name="share of the year's papers").check()
        page.locator("details.sb-heat-data summary").first.click()
    assert serious(page, axe_source) == []


@pytest.mark.parametrize("path", ["", "papers/alpha/", "topics/objective/contrastive/", "explore/"])
def test_counts_and_badges_are_11px_or_more(page: Page, local_server: LocalServer, path: str) -> None:
    page.goto(local_server.url + path)
    if path == "explore/":
        expect(page.locator("#sb-explore[data-state=ready]")).to_be_attached()
    sizes = page.locator(".sb-count, .sb-badge").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= 11


def test_palette_switch_changes_the_colours(page: Page, local_server: LocalServer) -> None:
    """The dark runs above check the dark palette: the attribute switches the theme's colours."""
    page.goto(local_server.url)
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light

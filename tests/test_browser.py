"""Real-browser tests: Playwright drives Debian's Chromium over the tiny site served on 127.0.0.1.

Every page of every test routes all requests: anything not addressed to the local server is aborted and fails
the test, as does any console error or JavaScript dialog. These tests never skip: without Chromium they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.conftest import LocalServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def base_url(built_site: Path, local_server: LocalServer) -> str:
    return local_server.url


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    errors: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(base_url) or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()
    assert outside == [], "requests left the local server"
    assert errors == []


def explore(page: Page, base_url: str, query: str = "") -> None:
    page.goto(f"{base_url}explore/{query}")
    expect(page.locator("#sb-explore[data-state=ready]")).to_be_attached()


def rows(page: Page) -> list[str]:
    return page.locator("#sb-explore tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)")


def count_of(page: Page, facet: str, node: str) -> str:
    return page.locator(f"label[for=sb-f-{facet}-{node}] .sb-count").inner_text()


def test_two_facets_combine_and_counts_follow(page: Page, base_url: str) -> None:
    explore(page, base_url)
    assert rows(page) == ["delta", "alpha", "bravo", "echo", "charlie", "xss"]
    page.get_by_label("Instance discrimination", exact=False).first.check()
    page.locator("#sb-f-modality-image").check()
    expect(page.locator(".sb-status")).to_have_text("2 of 6 papers")
    assert rows(page) == ["alpha", "bravo"]  # parent node includes its children's papers; AND across facets
    assert count_of(page, "modality", "audio") == "2"  # charlie and echo, if audio were chosen instead
    assert count_of(page, "objective", "masked-prediction") == "2"  # bravo and delta carry image
    assert count_of(page, "objective", "contrastive") == "2"
    page.locator("#sb-f-modality-audio").check()  # OR within a facet
    expect(page.locator(".sb-status")).to_have_text("4 of 6 papers")
    assert rows(page) == ["alpha", "bravo", "echo", "charlie"]


def test_reload_restores_the_filter_from_the_url(page: Page, base_url: str) -> None:
    explore(page, base_url)
    page.locator("#sb-f-objective-contrastive").check()
    page.locator("#sb-code").check()
    expect(page).to_have_url(f"{base_url}explore/?objective=contrastive&code=1")
    page.reload()
    expect(page.locator("#sb-explore[data-state=ready]")).to_be_attached()
    expect(page.locator("#sb-f-objective-contrastive")).to_be_checked()
    expect(page.locator("#sb-code")).to_be_checked()
    assert rows(page) == ["alpha", "bravo", "echo"]


def test_shared_link_restores_text_year_and_flags(page: Page, base_url: str) -> None:
    explore(page, base_url, "?text=audio&from=2020&to=2021")
    expect(page.locator("#sb-q")).to_have_value("audio")
    assert rows(page) == ["echo"]
    explore(page, base_url, "?hybrid=1")
    assert rows(page) == ["bravo"]


def test_clear_resets_everything(page: Page, base_url: str) -> None:
    explore(page, base_url, "?objective=matching&modality=video&text=clip")
    assert rows(page) == ["charlie"]
    page.get_by_role("button", name="Clear all filters").click()
    expect(page.locator(".sb-status")).to_have_text("6 of 6 papers")
    expect(page).to_have_url(f"{base_url}explore/")
    expect(page.locator("#sb-f-objective-matching")).not_to_be_checked()
    expect(page.locator("#sb-q")).to_have_value("")


def test_text_filter_finds_a_paper_by_title(page: Page, base_url: str) -> None:
    explore(page, base_url)
    page.locator("#sb-q").fill("radiographs")
    expect(page.locator(".sb-status")).to_have_text("1 of 6 papers")
    assert rows(page) == ["delta"]


def test_site_search_finds_a_paper_by_title(page: Page, base_url: str) -> None:
    page.goto(base_url)
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("Radiographs", delay=20)  # real key events
    result = page.locator(".md-search-result__item").first
    expect(result).to_contain_text("Delta Masked Reports and Radiographs")


def test_paper_page_links_to_its_node_pages(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}papers/alpha/")
    hrefs = page.locator("dl.sb-tags a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == [f"{base_url}topics/{path}/" for path in (
        "objective/instance-discrimination", "objective/contrastive", "architecture/fusion-free",
        "alignment/coarse-grained", "alignment/noisy-paired", "application/general", "modality/image",
        "modality/text")]
    page.locator("dl.sb-tags a", has_text="Contrastive").click()
    expect(page.locator("h1")).to_contain_text("Contrastive")
    expect(page).to_have_url(f"{base_url}topics/objective/contrastive/")
    expect(page.locator(".sb-papers a", has_text="Alpha Contrastive Pretraining")).to_be_visible()


def test_instant_navigation_mounts_the_explore_table(page: Page, base_url: str) -> None:
    page.goto(base_url)
    page.evaluate("window.__sameDocument = true")
    page.locator(".md-tabs a", has_text="Explore").click()
    expect(page.locator("#sb-explore[data-state=ready]")).to_be_attached()
    assert page.evaluate("window.__sameDocument === true"), "the theme's instant navigation was not used"
    assert len(rows(page)) == 6
    page.locator("#sb-explore a", has_text="Echo Robust").click()
    expect(page.locator("h1")).to_contain_text("Echo Robust Audio-Text Embeddings")
    page.go_back()
    expect(page.locator("#sb-explore[data-state=ready]")).to_be_attached()
    assert len(rows(page)) == 6


def test_keyboard_operates_the_filters(page: Page, base_url: str) -> None:
    explore(page, base_url)
    page.locator("#sb-q").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#sb-from")).to_be_focused()
    page.locator("#sb-hybrid").focus()
    page.keyboard.press("Space")
    expect(page.locator(".sb-status")).to_have_text("1 of 6 papers")


def test_export_of_everything_equals_papers_csv(page: Page, base_url: str, built_site: Path) -> None:
    explore(page, base_url)
    with page.expect_download() as info:
        page.get_by_role("button", name="Export CSV").click()
    exported = Path(info.value.path()).read_text(encoding="utf-8")
    assert exported == (built_site / "site" / "downloads" / "papers.csv").read_text(encoding="utf-8")


def test_export_of_a_selection_as_bibtex(page: Page, base_url: str) -> None:
    explore(page, base_url, "?objective=contrastive")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export BibTeX").click()
    assert info.value.suggested_filename == "papers-selection.bib"
    library = bibtexparser.parse_string(Path(info.value.path()).read_text(encoding="utf-8"))
    assert not library.failed_blocks
    assert [(e.key, e.entry_type) for e in library.entries] == \
        [("alpha", "inproceedings"), ("bravo", "inproceedings"), ("echo", "article")]
    assert library.entries_dict["echo"]["journal"] == "IEEE TPAMI"


def test_hostile_record_shows_literal_text(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}papers/xss/")
    heading = page.locator("h1").evaluate("h => h.firstChild.textContent")
    assert heading == "<script>alert(1)</script> *[x](javascript:alert(1))* & Friends {: onclick=alert(1)}"
    assert page.title().startswith("<script>alert(1)</script> *[x]")
    assert page.locator("article a[href^='javascript']").count() == 0
    explore(page, base_url, "?text=friends")
    expect(page.locator("#sb-explore tbody a")).to_have_text(
        "<script>alert(1)</script> *[x](javascript:alert(1))* & Friends {: onclick=alert(1)}")


def test_bibtex_block_has_a_copy_button(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}papers/echo/")
    copy = page.locator("pre.sb-bibtex").get_by_role("button", name="Copy to clipboard")
    expect(copy).to_have_count(1)

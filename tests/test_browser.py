"""Real-browser tests: Playwright drives Debian's Chromium over the tiny site served on 127.0.0.1.

Every page of every test routes all requests: anything not addressed to the local server is aborted and fails
the test, as does any console error or JavaScript dialog. These tests never skip: without Chromium they fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import networkx as nx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LocalServer, guarded_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def base_url(built_site: Path, local_server: LocalServer) -> str:
    return local_server.url


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    with guarded_page(browser, base_url) as page:
        yield page


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


def test_paper_page_links_to_its_node_pages(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}papers/alpha/")
    hrefs = page.locator("ul.sb-tags a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == [f"{base_url}topics/{path}/" for path in (
        "objective/contrastive", "architecture/fusion-free", "alignment/noisy-paired", "application/general",
        "modality/image", "modality/text")]
    expect(page.locator("ul.sb-tags li").first).to_have_text("Objective: Instance discrimination › Contrastive")
    page.locator("ul.sb-tags a", has_text="Contrastive").click()
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


def test_bibtex_export_of_every_paper_is_papers_bib_byte_for_byte(page: Page, base_url: str,
                                                                 built_site: Path) -> None:
    explore(page, base_url)
    with page.expect_download() as info:
        page.get_by_role("button", name="Export BibTeX").click()
    exported = Path(info.value.path()).read_bytes()
    assert exported == (built_site / "site" / "downloads" / "papers.bib").read_bytes()
    assert exported.count(b"\turl = {") == 6


def test_paper_page_actions_come_first_and_link_the_citers(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}papers/alpha/")
    article = page.locator("article")
    texts = article.locator("p.sb-actions a, p.sb-actions .sb-badge, h2").evaluate_all(
        "els => els.map(e => e.textContent.trim())")
    assert texts[:6] == ["Paper", "Code", "official code", "Copy BibTeX", "Graph around this paper",
                         "2 papers cite this in the collection"]
    headings = [t.replace("¶", "").strip() for t in texts[6:]]
    assert headings[:2] == ["Taxonomy", "Datasets"] and headings[-2:] == ["Similar papers", "BibTeX"]
    summary_first = article.evaluate(
        "a => a.querySelector('p.sb-actions').compareDocumentPosition("
        "[...a.querySelectorAll('p')].find(p => p.textContent.startsWith('Two encoders'))) & 4")
    assert summary_first  # the summary follows the actions
    expect(page.locator("h2#bibtex + pre.sb-bibtex")).to_have_count(1)  # where "Copy BibTeX" leads without script
    page.get_by_role("link", name="2 papers cite this in the collection").click()
    page.wait_for_url(f"{base_url}explore/?cites=alpha")


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


# ---- trends and contribute ----

def test_trends_toggle_between_counts_and_shares(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}trends/")
    counts = page.locator("h2#modality ~ figure.sb-show--count").first
    shares = page.locator("h2#modality ~ figure.sb-show--share").first
    expect(counts).to_be_visible()
    expect(shares).to_be_hidden()
    # 2021 holds two papers (alpha, bravo), both on images
    expect(counts.locator("a[*|href*='modality=image&from=2021']")).to_contain_text("2")
    page.get_by_role("radio", name="share of the year's papers").check()
    expect(counts).to_be_hidden()
    expect(shares).to_be_visible()
    expect(shares.locator("a[*|href*='modality=image&from=2021']")).to_contain_text("100%")
    expect(shares.locator("a[*|href*='modality=audio&from=2019']")).to_contain_text("100%")  # charlie alone


def test_trends_cell_opens_explore_with_node_and_year(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}trends/")
    cell = page.locator("figure.sb-show--count a[*|href$='?objective=masked-prediction&from=2022&to=2022']")
    expect(cell).to_have_count(1)
    cell.click()
    expect(page).to_have_url(f"{base_url}explore/?objective=masked-prediction&from=2022&to=2022")
    expect(page.locator("#sb-explore[data-state=ready]")).to_be_attached()
    assert rows(page) == ["delta"]


def test_trends_charts_have_data_tables(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}trends/")
    tables = page.locator("details.sb-heat-data")
    expect(tables).to_have_count(page.locator("figure.sb-show--count").count())
    modality = tables.filter(has_text="Modality per year")
    modality.locator("summary").click()
    expect(modality.locator("tr", has_text="Audio").locator("td")).to_have_text(["", "1 (100%)", "1 (100%)", "", ""])


def test_contribute_page_shows_code_as_blocks(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}contribute/")
    steps = page.locator("article ol").first.locator(":scope > li")
    expect(steps).to_have_count(6)
    expect(steps.nth(4).locator("pre code")).to_contain_text("site-builder validate --strict")
    expect(page.locator("article p code, article li > code").filter(has_text="pip install")).to_have_count(0)
    expect(steps.nth(0).get_by_role("link", name="Fork the repository")).to_have_attribute(
        "href", "https://github.com/ssml-kb/ssml-knowledge-base/fork")
    expect(page.get_by_role("link", name="Suggest a paper").first).to_have_attribute(
        "href", "https://github.com/ssml-kb/ssml-knowledge-base/issues/new?template=suggest-a-paper.yml")
    expect(page.locator("article a[href$='records/']").first).to_be_attached()


# ---- the citation graph page ----

def graph_page(page: Page, base_url: str, query: str = "") -> None:
    page.goto(f"{base_url}graph/{query}")
    expect(page.locator("#sb-graph[data-state=ready]")).to_be_attached()


def on_canvas(page: Page, built_site: Path, pid: str) -> tuple[float, float]:
    """Where paper ``pid`` is drawn, in canvas pixels: its layout position through the view the page reports."""
    data = json.loads((built_site / "site" / "graph" / "citation-graph.json").read_text(encoding="utf-8"))
    col = {name: i for i, name in enumerate(data["cols"])}
    row = next(r for r in data["papers"] if r[col["id"]] == pid)
    scale, tx, ty = (float(v) for v in page.locator("#sb-graph").get_attribute("data-view").split())
    return row[col["x"]] * scale + tx, row[col["y"]] * scale + ty


def pixel(page: Page, x: float, y: float) -> list[int]:
    """The RGBA value the canvas holds at (x, y) in CSS pixels."""
    return page.locator("#sb-graph canvas").evaluate(
        "(c, [x, y]) => { const r = window.devicePixelRatio || 1; "
        "return Array.from(c.getContext('2d').getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data); }",
        [x, y])


def click_on_canvas(page: Page, x: float, y: float) -> None:
    box = page.locator("#sb-graph canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_graph_draws_papers_hover_shows_the_title_click_selects(page: Page, base_url: str, built_site: Path) -> None:
    graph_page(page, base_url)
    expect(page.locator(".sb-graph .sb-status")).to_have_text("6 of 6 papers shown")
    x, y = on_canvas(page, built_site, "alpha")
    assert pixel(page, x, y) == [51, 102, 204, 255]  # drawn in the colour of its objective family
    box = page.locator("#sb-graph canvas").bounding_box()
    assert box is not None
    assert pixel(page, 3, box["height"] - 3)[3] == 0  # and nothing where no paper is
    page.evaluate("window.__sameDocument = true")
    page.mouse.move(box["x"] + x, box["y"] + y)
    expect(page.locator(".sb-graph__tip")).to_contain_text(
        "Alpha Contrastive Pretraining of Images and Captions 2021 · cites 2 · cited by 2 in this collection")
    page.mouse.click(box["x"] + x, box["y"] + y)
    panel = page.get_by_role("complementary", name="Selected paper")
    expect(panel.locator("h2")).to_have_text("Alpha Contrastive Pretraining of Images and Captions")
    expect(panel).to_contain_text("2021 · cites 2 · cited by 2 in this collection")
    expect(page).to_have_url(f"{base_url}graph/")  # selecting does not navigate
    panel.get_by_role("link", name="Open page").click()
    expect(page).to_have_url(f"{base_url}papers/alpha/")
    expect(page.locator("h1")).to_contain_text("Alpha Contrastive Pretraining")
    assert page.evaluate("window.__sameDocument === true"), "the theme's instant navigation was not used"


def focus_view(page: Page) -> list[str]:
    return page.locator(".sb-graph__near .sb-graph__pick").evaluate_all("bs => bs.map(b => b.dataset.id)")


def test_graph_focus_shows_exactly_the_neighbours(page: Page, base_url: str, built_site: Path) -> None:
    graph_page(page, base_url, "?focus=echo")
    # echo is cited by alpha and delta and cites nothing in the snapshot (tests/golden/kb)
    expect(page.locator(".sb-graph .sb-status")).to_have_text("3 of 6 papers shown")
    assert sorted(focus_view(page)) == ["alpha", "delta", "echo"]
    page.wait_for_timeout(100)
    for pid in ("alpha", "delta", "echo"):
        assert pixel(page, *on_canvas(page, built_site, pid))[3] == 255, pid
    for pid in ("bravo", "charlie"):  # outside the view, wherever the re-fit view puts them
        x, y = on_canvas(page, built_site, pid)
        box = page.locator("#sb-graph canvas").bounding_box()
        assert box is not None
        assert not (0 <= x <= box["width"] and 0 <= y <= box["height"]) or pixel(page, x, y)[3] == 0, pid
    page.get_by_label("Two hops").check()
    expect(page).to_have_url(f"{base_url}graph/?focus=echo&hops=2")
    # and the neighbours of alpha (bravo, charlie) and of delta (bravo)
    expect(page.locator(".sb-graph .sb-status")).to_have_text("5 of 6 papers shown")
    assert sorted(focus_view(page)) == ["alpha", "bravo", "charlie", "delta", "echo"]
    page.get_by_role("button", name="Whole graph").click()
    expect(page.locator(".sb-graph .sb-status")).to_have_text("6 of 6 papers shown")
    expect(page).to_have_url(f"{base_url}graph/")


def test_graph_focus_here_from_the_panel_and_the_keyboard(page: Page, base_url: str) -> None:
    graph_page(page, base_url)
    page.locator("#sb-graph canvas").focus()
    page.keyboard.press("n")  # the first paper in the site's order: newest first
    panel = page.get_by_role("complementary", name="Selected paper")
    expect(panel.locator("h2")).to_have_text("Delta Masked Reports and Radiographs")
    panel.get_by_role("button", name="Focus here").click()
    expect(page).to_have_url(f"{base_url}graph/?focus=delta")
    assert sorted(focus_view(page)) == ["alpha", "bravo", "delta", "echo"]  # delta cites all three
    page.locator(".sb-graph__pick[data-id=bravo]").click()
    expect(panel.locator("h2")).to_have_text("Bravo Fusing Three Objectives in One Vision-Language Encoder")
    page.locator("#sb-graph canvas").focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


def test_graph_colour_by_one_value_counts_the_papers_shown(page: Page, base_url: str, built_site: Path) -> None:
    graph_page(page, base_url, "?colour=modality.audio")
    expect(page.get_by_label("Colour by")).to_have_value("modality.audio")
    expect(page.locator(".sb-graph__legend li")).to_have_text(["has Audio 2", "not Audio 4"])
    page.wait_for_timeout(100)
    assert pixel(page, *on_canvas(page, built_site, "charlie")) == [51, 102, 204, 255]  # audio + video
    page.get_by_role("button", name="Objective").click()
    page.locator("#sb-graph-f-objective-masked-prediction").check()
    expect(page.locator(".sb-graph__legend li")).to_have_text(["has Audio 0", "not Audio 2"])


def test_graph_colour_by_another_facet(page: Page, base_url: str, built_site: Path) -> None:
    graph_page(page, base_url)
    x, y = on_canvas(page, built_site, "charlie")
    assert pixel(page, x, y) == [51, 102, 204, 255]  # instance discrimination, like most papers
    page.get_by_label("Colour by").select_option("modality")
    expect(page).to_have_url(f"{base_url}graph/?colour=modality")
    expect(page.locator(".sb-graph__legend li")).to_have_text(["Image + Text 3", "Audio + Video 1", "Text 1",
                                                               "Text + Audio 1"])
    page.wait_for_timeout(100)  # the redraw happens on the next animation frame
    assert pixel(page, x, y) == [232, 115, 26, 255]  # audio + video: the second colour
    page.reload()
    expect(page.locator("#sb-graph[data-state=ready]")).to_be_attached()
    expect(page.get_by_label("Colour by")).to_have_value("modality")


def test_graph_filter_by_facet_values(page: Page, base_url: str, built_site: Path) -> None:
    graph_page(page, base_url)
    page.get_by_role("button", name="Objective").click()
    whole = page.locator("#sb-graph").get_attribute("data-view")
    page.locator("#sb-graph-f-objective-masked-prediction").check()
    expect(page.locator(".sb-graph .sb-status")).to_have_text("2 of 6 papers shown")  # bravo and delta
    expect(page).to_have_url(f"{base_url}graph/?objective=masked-prediction")
    expect(page.locator("#sb-graph")).not_to_have_attribute("data-view", whole)  # the view fits the two papers
    page.wait_for_timeout(100)
    alpha, bravo = on_canvas(page, built_site, "alpha"), on_canvas(page, built_site, "bravo")
    assert pixel(page, *alpha)[3] == 0 and pixel(page, *bravo)[3] == 255
    click_on_canvas(page, *alpha)  # a hidden paper cannot be clicked
    expect(page).to_have_url(f"{base_url}graph/?objective=masked-prediction")
    graph_page(page, base_url, "?objective=masked-prediction&modality=audio")
    expect(page.locator(".sb-graph .sb-status")).to_have_text("0 of 6 papers shown")
    expect(page.locator("#sb-graph-f-modality-audio")).to_be_checked()
    page.get_by_role("button", name="Clear filters").click()
    expect(page.locator(".sb-graph .sb-status")).to_have_text("6 of 6 papers shown")


def test_large_graph_draws_the_most_cited_until_zoomed(page: Page, base_url: str, built_site: Path) -> None:
    """2,500 papers: unzoomed, the whole graph shows the 400 most cited; zooming in shows every paper."""
    real = json.loads((built_site / "site" / "graph" / "citation-graph.json").read_text(encoding="utf-8"))
    n, side = 2500, 50
    papers = [[f"p{i:04d}", f"Paper {i}", 2000 + i % 20, (i % side) * 10.0, (i // side) * 10.0, i % 100, []]
              for i in range(n)]
    big = {**real, "w": side * 10.0, "h": side * 10.0, "cell": 10.0, "years": [[2000, 0.0]], "papers": papers,
           "edges": [1, 99, 2, 98]}
    page.route(f"{base_url}graph/citation-graph.json", lambda route: route.fulfill(json=big))
    graph_page(page, base_url)
    status = page.locator(".sb-graph .sb-status")
    expect(status).to_have_text("2500 of 2500 papers shown; the 400 most cited are drawn until you zoom in, "
                                "filter or focus")
    page.wait_for_timeout(100)
    scale, tx, ty = (float(v) for v in page.locator("#sb-graph").get_attribute("data-view").split())

    def at(i: int) -> tuple[float, float]:
        return papers[i][3] * scale + tx, papers[i][4] * scale + ty

    assert pixel(page, *at(99))[3] == 255  # cited 99 times: among the most cited
    assert pixel(page, *at(100))[3] == 0  # cited 0 times: left out
    page.locator("#sb-graph canvas").focus()
    for _ in range(4):
        page.keyboard.press("+")
    expect(status).to_have_text("2500 of 2500 papers shown")


def test_graph_controls_work_from_the_keyboard(page: Page, base_url: str) -> None:
    graph_page(page, base_url)

    def view() -> list[float]:
        return [float(v) for v in page.locator("#sb-graph").get_attribute("data-view").split()]

    start = view()
    page.locator("#sb-graph canvas").focus()
    page.keyboard.press("+")
    page.wait_for_timeout(100)
    zoomed = view()
    assert zoomed[0] == pytest.approx(start[0] * 1.25, rel=1e-3)
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(100)
    assert view() == pytest.approx([zoomed[0], zoomed[1] + 40, zoomed[2]])
    page.keyboard.press("0")
    page.wait_for_timeout(100)
    assert view() == pytest.approx(start)
    page.get_by_role("button", name="Zoom in").focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(100)
    assert view()[0] > start[0]
    page.locator("#sb-graph-find").focus()
    page.keyboard.type("radiographs")
    matches = page.locator(".sb-graph__found a")
    expect(matches).to_have_text(["Delta Masked Reports and Radiographs (2022)"])
    expect(page.locator(".sb-graph .sb-status")).to_have_text("6 of 6 papers shown, 1 found")
    page.keyboard.press("Tab")
    expect(matches.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}papers/delta/")


def test_graph_search_lists_matches_newest_first(page: Page, base_url: str) -> None:
    graph_page(page, base_url)
    page.locator("#sb-graph-find").fill("an")  # the data lists papers by id: alpha, bravo, delta
    expect(page.locator(".sb-graph__found a")).to_have_text([
        "Delta Masked Reports and Radiographs (2022)", "Alpha Contrastive Pretraining of Images and Captions (2021)",
        "Bravo Fusing Three Objectives in One Vision-Language Encoder (2021)"])


def test_instant_navigation_mounts_the_graph(page: Page, base_url: str) -> None:
    page.goto(base_url)
    page.evaluate("window.__sameDocument = true")
    page.locator(".md-tabs a", has_text="Citation graph").click()
    expect(page.locator("#sb-graph[data-state=ready]")).to_be_attached()
    assert page.evaluate("window.__sameDocument === true")
    page.locator(".md-tabs a", has_text="Trends").click()
    page.locator(".md-tabs a", has_text="Citation graph").click()
    expect(page.locator("#sb-graph[data-state=ready]")).to_be_attached()
    expect(page.locator("#sb-graph canvas")).to_have_count(1)


def test_graphml_download_loads_in_networkx(page: Page, base_url: str, built_site: Path) -> None:
    page.goto(f"{base_url}downloads/")
    with page.expect_download() as info:
        page.locator("article a", has_text="citation-graph.graphml").first.click(modifiers=["Alt"])
    graph = nx.read_graphml(info.value.path())
    assert sorted(graph.nodes) == ["alpha", "bravo", "charlie", "delta", "echo", "xss"]
    assert sorted(graph.edges) == [("alpha", "charlie"), ("alpha", "echo"), ("bravo", "alpha"),
                                   ("bravo", "charlie"), ("delta", "alpha"), ("delta", "bravo"), ("delta", "echo")]


def test_graph_shows_hostile_titles_as_text(page: Page, base_url: str, built_site: Path) -> None:
    graph_page(page, base_url)
    x, y = on_canvas(page, built_site, "xss")
    box = page.locator("#sb-graph canvas").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + x, box["y"] + y)
    expect(page.locator(".sb-graph__tip strong")).to_have_text(
        "<script>alert(1)</script> *[x](javascript:alert(1))* & Friends {: onclick=alert(1)}")
    assert page.locator(".sb-graph__tip *").evaluate_all("nodes => nodes.map(n => n.tagName)") == ["STRONG", "SPAN"]


@pytest.mark.parametrize("path", ["papers/bravo/", "topics/objective/contrastive/", "trends/", "graph/",
                                  "datasets/pairs/", ""])
def test_pages_have_no_horizontal_overflow_at_375_px(browser: Browser, base_url: str, path: str) -> None:
    """On a phone the page itself never scrolls sideways (wide charts and tables scroll inside their own box)."""
    context = browser.new_context(viewport={"width": 375, "height": 740})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url)
                  else route.abort())
    phone = context.new_page()
    phone.goto(base_url + path)
    phone.wait_for_load_state("networkidle")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, path
    context.close()

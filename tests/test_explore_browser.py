"""Explore in Chromium: match modes, the text filter, kind/dataset/citation filters, rows, narrow screens, Back.

Expected rows are computed from the records (the golden knowledge base, and the repository's own collection built
once per session into a tmp dir). Every page routes all requests: anything leaving the local server fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from site_builder.citations.snapshot import load_snapshot
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.site.model import SiteInfo, SiteModel, build_model
from tests.conftest import LocalServer, guarded_page

pytestmark = pytest.mark.browser

INFO = SiteInfo("Test KB", None)


@pytest.fixture(scope="session")
def base_url(built_site: Path, local_server: LocalServer) -> str:
    return local_server.url


@pytest.fixture(scope="session")
def golden(built_site: Path) -> SiteModel:
    kb, _ = load_knowledge_base(Project(built_site), use_cache=False)
    assert kb is not None
    return build_model(kb, INFO, load_snapshot(Project(built_site)))


@pytest.fixture(scope="session")
def repo_model(repo_site: LocalServer) -> SiteModel:
    kb, _ = load_knowledge_base(Project(repo_site.root), use_cache=False)
    assert kb is not None
    return build_model(kb, INFO, load_snapshot(Project(repo_site.root)))


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    with guarded_page(browser, base_url) as page:
        yield page


@pytest.fixture
def repo_page(browser: Browser, repo_site: LocalServer) -> Iterator[Page]:
    with guarded_page(browser, repo_site.url) as page:
        yield page


@pytest.fixture
def phone(browser: Browser, repo_site: LocalServer) -> Iterator[Page]:
    with guarded_page(browser, repo_site.url, width=375, height=740) as page:
        yield page


def explore(page: Page, url: str, query: str = "") -> None:
    page.goto(f"{url}explore/{query}")
    expect(page.locator("#sb-explore[data-state=ready]")).to_be_attached()


def rows(page: Page) -> list[str]:
    return page.locator("#sb-explore tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)")


def shown_total(page: Page) -> int:
    return int(page.locator(".sb-status").inner_text().split(" of ")[0])


def tagged(model: SiteModel, facet: str, *nodes: str) -> list[str]:
    """Papers carrying every node (a tag implies its ancestors), in display order."""
    return [p.id for p in model.papers if all(n in model.closure[p.id].get(facet, ()) for n in nodes)]


def tagged_any(model: SiteModel, facet: str, *nodes: str) -> list[str]:
    return [p.id for p in model.papers if any(n in model.closure[p.id].get(facet, ()) for n in nodes)]


def test_match_all_requires_every_value_and_counts_follow(page: Page, base_url: str, golden: SiteModel) -> None:
    explore(page, base_url, "?modality=image,text")
    assert rows(page) == tagged_any(golden, "modality", "image", "text")
    both = tagged(golden, "modality", "image", "text")
    assert both != tagged_any(golden, "modality", "image", "text"), "the golden records must tell the modes apart"
    page.locator("#sb-match-modality").select_option("all")
    expect(page.locator(".sb-status")).to_have_text(f"{len(both)} of {len(golden.papers)} papers")
    assert rows(page) == both
    expect(page).to_have_url(f"{base_url}explore/?modality=image,text&modality-match=all")
    for node in golden.taxonomy.facet("modality").nodes:  # a click on a value gives the papers with it as well
        assert page.locator(f"label[for=sb-f-modality-{node}] .sb-count").inner_text() == \
            str(len([p for p in both if node in golden.closure[p]["modality"]]))
    page.locator("#sb-f-modality-image").uncheck()
    assert rows(page) == tagged(golden, "modality", "text")


def test_shared_link_with_match_all(page: Page, base_url: str, golden: SiteModel) -> None:
    explore(page, base_url, "?modality=video,audio&modality-match=all")
    expect(page.locator("#sb-match-modality")).to_have_value("all")
    assert rows(page) == tagged(golden, "modality", "video", "audio") != []


def test_text_matches_aliases_summaries_and_needs_every_word(page: Page, base_url: str, golden: SiteModel) -> None:
    explore(page, base_url, "?text=InfoNCE")  # an alias of the contrastive node
    assert sorted(rows(page)) == sorted(tagged(golden, "objective", "contrastive"))
    summary_only = [p.id for p in golden.papers if "recorded" in p.summary.lower()
                    and "recorded" not in p.title.lower()]
    assert summary_only
    explore(page, base_url, "?text=recorded")
    assert sorted(rows(page)) == sorted(summary_only)
    page.locator("#sb-q").fill("contrastive audio")  # tag label and summary/tag words, both required
    expected = [p.id for p in golden.papers if "contrastive" in golden.closure[p.id]["objective"]
                and "audio" in golden.closure[p.id]["modality"]]
    expect(page).to_have_url(f"{base_url}explore/?text=contrastive+audio")
    assert sorted(rows(page)) == sorted(expected) != []
    assert page.locator("#sb-q").get_attribute("placeholder") == "e.g. contrastive audio"


def test_years_apply_as_you_type(page: Page, base_url: str, golden: SiteModel) -> None:
    explore(page, base_url)
    page.locator("#sb-from").press_sequentially("2021")  # no Enter, no blur
    expect(page.locator(".sb-status")).to_have_text(
        f"{len([p for p in golden.papers if p.year >= 2021])} of {len(golden.papers)} papers")
    expect(page).to_have_url(f"{base_url}explore/?from=2021")


def test_kind_and_dataset_facets(page: Page, base_url: str, golden: SiteModel) -> None:
    explore(page, base_url, "?dataset=pairs")
    assert rows(page) == [p.id for p in golden.papers if "pairs" in p.datasets] != []
    page.locator("#sb-f-kind-method").check()
    assert rows(page) == [p.id for p in golden.papers if "pairs" in p.datasets and p.kind == "method"]
    expect(page.locator("#sb-explore tbody tr").first.locator(".sb-kind")).to_have_text("method")


def test_cites_and_cited_by_filters_and_the_cited_sort(page: Page, base_url: str, golden: SiteModel) -> None:
    facts = golden.citations
    assert facts is not None
    target = max(golden.ids, key=lambda pid: len(facts.papers[pid].cited_by))
    explore(page, base_url, f"?cites={target}")
    assert sorted(rows(page)) == sorted(facts.papers[target].cited_by) != []
    expect(page.locator(".sb-cite-note")).to_contain_text(golden.by_id[target].title)
    source = max(golden.ids, key=lambda pid: len(facts.papers[pid].cites))
    explore(page, base_url, f"?cited-by={source}")
    assert sorted(rows(page)) == sorted(facts.papers[source].cites) != []
    explore(page, base_url, "?sort=cited")
    expected = sorted(golden.ids, key=lambda pid: -len(facts.papers[pid].cited_by))  # stable: ties keep the order
    assert rows(page) == expected
    cells = page.locator("#sb-explore tbody td.sb-cited").all_inner_texts()
    assert cells == [str(len(facts.papers[pid].cited_by)) for pid in expected]


def test_rows_show_tags_kind_and_an_expandable_summary(page: Page, base_url: str, golden: SiteModel) -> None:
    explore(page, base_url, "?text=radiographs")
    paper = golden.by_id[rows(page)[0]]
    row = page.locator(f"#sb-explore tbody tr[data-id={paper.id}]")
    chips = row.locator(".sb-chip").all_inner_texts()
    labels = {golden.taxonomy.facet(f).nodes[t].label for f in golden.taxonomy.facets for t in paper.tags.of(f)}
    assert set(chips) == labels
    expect(row.locator(".sb-summary")).to_contain_text(paper.summary)  # one sentence: nothing to expand
    expect(row.locator(".sb-expand")).to_be_hidden()


def test_a_long_summary_shows_its_first_sentence_until_expanded(repo_page: Page, repo_site: LocalServer,
                                                               repo_model: SiteModel) -> None:
    paper = next(p for p in repo_model.papers if re.search(r"\.\s+[A-Z]", p.summary))
    first = re.split(r"(?<=\.)\s+(?=[A-Z])", paper.summary)[0]
    explore(repo_page, repo_site.url, f"?text={paper.id}")
    row = repo_page.locator(f"#sb-explore tbody tr[data-id={paper.id}]")
    expect(row.locator(".sb-summary")).to_have_text(first + " more")
    row.get_by_role("button", name="more").click()
    expect(row.locator(".sb-summary")).to_have_text(paper.summary + " less")
    expect(row.locator(".sb-expand")).to_have_attribute("aria-expanded", "true")


def test_empty_result_names_the_filters_and_disables_export(page: Page, base_url: str, golden: SiteModel) -> None:
    explore(page, base_url, "?text=zzzyx&code=1")
    expect(page.locator(".sb-status")).to_have_text(f"0 of {len(golden.papers)} papers")
    removers = page.locator(".sb-empty button")
    expect(removers).to_have_text(["✕ text “zzzyx”", "✕ has code"])
    expect(page.locator("[data-export=csv]")).to_be_disabled()
    expect(page.locator("[data-export=bib]")).to_be_disabled()
    removers.first.click()
    assert rows(page) == [p.id for p in golden.papers if p.links.code]
    expect(page.locator(".sb-empty")).to_be_hidden()
    expect(page.locator("[data-export=csv]")).to_be_enabled()


def test_hand_edited_url_is_survived(page: Page, base_url: str, golden: SiteModel) -> None:
    explore(page, base_url, "?modality=nope,image&modality-match=bogus&sort=zzz&from=20x1&kind=%3Cb%3E"
                            "&cites=no-such-paper&cited-by=&dataset=,,&unknown=1")
    assert rows(page) == tagged(golden, "modality", "image")
    expect(page.locator(".sb-cite-note")).to_contain_text("No paper “no-such-paper”")


# -- the repository's own collection ---------------------------------------------------------------------------


def test_repository_collection_answers_the_issue_queries(repo_page: Page, repo_site: LocalServer,
                                                         repo_model: SiteModel) -> None:
    url = repo_site.url
    explore(repo_page, url, "?modality=video,audio&modality-match=all")
    both = tagged(repo_model, "modality", "video", "audio")
    assert both and shown_total(repo_page) == len(both)
    assert rows(repo_page) == both[:100]
    explore(repo_page, url, "?text=contrastive%20audio")
    assert shown_total(repo_page) >= len([p for p in tagged(repo_model, "objective", "contrastive")
                                          if "audio" in repo_model.closure[p]["modality"]]) > 0
    explore(repo_page, url, "?text=InfoNCE")
    assert shown_total(repo_page) >= len(tagged(repo_model, "objective", "contrastive")) > 0
    explore(repo_page, url, "?text=clip")  # exact short name first, whatever else mentions it
    assert rows(repo_page)[0] == "clip"
    if repo_model.citations is None:
        explore(repo_page, url, "?cites=clip")
        expect(repo_page.locator(".sb-cite-note")).to_contain_text("no citation data")
        assert shown_total(repo_page) == len(repo_model.papers)


def test_back_restores_rows_and_scroll(repo_page: Page, repo_site: LocalServer, repo_model: SiteModel) -> None:
    assert len(repo_model.papers) > 150
    explore(repo_page, repo_site.url)
    repo_page.locator(".sb-more").click()
    expect(repo_page.locator("#sb-explore tbody tr")).to_have_count(min(200, len(repo_model.papers)))
    target = repo_page.locator("#sb-explore tbody tr").nth(140)
    target.scroll_into_view_if_needed()
    repo_page.wait_for_timeout(400)  # the position is saved once scrolling pauses
    y = repo_page.evaluate("window.scrollY")
    assert y > 1000
    target.locator("a").first.click()
    expect(repo_page).to_have_url(f"{repo_site.url}papers/{repo_model.papers[140].id}/")
    repo_page.go_back()
    expect(repo_page.locator("#sb-explore[data-state=ready]")).to_be_attached()
    expect(repo_page.locator("#sb-explore tbody tr")).to_have_count(min(200, len(repo_model.papers)))
    repo_page.wait_for_function(f"Math.abs(window.scrollY - {y}) < 5")


def test_narrow_screen_cards_and_filter_drawer(phone: Page, repo_site: LocalServer) -> None:
    explore(phone, repo_site.url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "no horizontal overflow at 375 px"
    toggle = phone.locator(".sb-filters-toggle")
    expect(toggle).to_be_visible()
    expect(phone.locator("#sb-filters")).to_be_hidden()
    first = phone.locator("#sb-explore tbody tr").first.bounding_box()
    button = toggle.bounding_box()
    assert first is not None and button is not None
    assert first["y"] - (button["y"] + button["height"]) < 2 * 740, "the first result is within two screens"
    toggle.click()
    expect(phone.locator("#sb-q")).to_be_focused()
    phone.locator("#sb-f-modality-audio").check()
    expect(toggle).to_have_text("Filters (1)")
    phone.keyboard.press("Escape")
    expect(phone.locator("#sb-filters")).to_be_hidden()
    expect(toggle).to_be_focused()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_print_gives_a_plain_list(page: Page, base_url: str, golden: SiteModel) -> None:
    explore(page, base_url)
    page.emulate_media(media="print")
    expect(page.locator("#sb-filters")).to_be_hidden()
    expect(page.locator("[data-export=csv]")).to_be_hidden()
    assert page.locator("#sb-explore tbody tr").first.evaluate("r => getComputedStyle(r).display") == "block"
    expect(page.locator("#sb-explore tbody tr")).to_have_count(len(golden.papers))

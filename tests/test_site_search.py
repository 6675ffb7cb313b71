"""The site search (Pagefind, indexed by the build): exact short names and titles first, on the tiny site and on a
generated 2,000-paper collection; nothing of the index loads before a query; an accessible dialog; the index is
made before the swap, and a failed indexing leaves the previous site/ in place.

Browser tests drive Debian's Chromium (never skipped); every request must stay on the local server.
"""

from __future__ import annotations

import functools
import re
import stat
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, Route, expect

from site_builder.build.pipeline import build
from site_builder.kb.problems import SiteBuilderError
from site_builder.kb.project import Project
from tests.conftest import LocalServer, _QuietHandler, make_site_project, run_cli

pytestmark = pytest.mark.browser

#: What Pagefind fetches to answer a query (its loader, worker, index, metadata, filters, fragments, wasm); the
#: component UI's own script and stylesheet are not the index.
INDEX_FILE = re.compile(r"/pagefind/(pagefind(-worker)?\.js|pagefind-entry\.json|.*\.pf_\w+|wasm\.)")


@pytest.fixture(scope="session")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A generated 2,000-paper collection, built once (search index included) and served on 127.0.0.1."""
    from bench.generate import generate

    root = generate(2000, tmp_path_factory.mktemp("search-2k") / "kb")
    result = build(Project(root))
    if result.failed or not result.site_built:
        pytest.fail("the 2,000-paper site did not build: " + "; ".join(p.as_text() for p in result.problems))
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root / "site")))
    thread = threading.Thread(target=server.serve_forever, name="search-2k-server", daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _page(browser: Browser, base: str) -> tuple[Page, list[str], list[str]]:
    """A page whose requests outside ``base`` are aborted and recorded; returns (page, requests, problems)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    problems: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        requests.append(url)
        if url.startswith(base) or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            problems.append(f"left the site: {url}")
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return page, requests, problems


@pytest.fixture
def tiny(browser: Browser, built_site: Path, local_server: LocalServer) -> Iterator[tuple[Page, str, list[str]]]:
    page, requests, problems = _page(browser, local_server.url)
    yield page, local_server.url, requests
    page.context.close()
    assert problems == []


@pytest.fixture
def big(browser: Browser, big_site: tuple[Path, str]) -> Iterator[tuple[Page, str, Path]]:
    root, url = big_site
    page, _, problems = _page(browser, url)
    yield page, url, root
    page.context.close()
    assert problems == []


def search(page: Page, query: str, first: str) -> list[str]:
    """Open the dialog with its button, type ``query`` with real key events, expect ``first`` as the first result
    (results of the query's first keys may show for a moment, so the expectation waits) and return the titles."""
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("dialog").get_by_role("searchbox").press_sequentially(query, delay=5)
    expect(page.locator("pagefind-summary")).to_contain_text(
        re.compile(r"\d+ results? for " + re.escape(query), re.I), timeout=15000)
    links = page.locator("pagefind-results .pf-result-link")
    expect(links.first).to_have_text(first, timeout=15000)
    return links.all_inner_texts()


def test_short_name_puts_its_paper_first(tiny: tuple[Page, str, list[str]]) -> None:
    page, base, _ = tiny
    page.goto(base)
    titles = search(page, "CLIP", "Alpha Contrastive Pretraining of Images and Captions")  # short_name: [CLIP]
    assert "Charlie Which Sound Belongs to Which Clip" in titles  # has the word in its title, ranks after


def test_exact_title_puts_its_paper_first_and_the_link_opens_it(tiny: tuple[Page, str, list[str]]) -> None:
    page, base, _ = tiny
    page.goto(base)
    page.evaluate("window.__sameDocument = true")
    title = "Bravo Fusing Three Objectives in One Vision-Language Encoder"
    search(page, title, title)
    page.locator("pagefind-results .pf-result-link").first.click()
    expect(page).to_have_url(f"{base}papers/bravo/")
    expect(page.locator("article h1")).to_have_text(title)
    expect(page.get_by_role("dialog")).to_have_count(0)  # closed after following the result
    assert page.evaluate("window.__sameDocument === true"), "the theme's instant navigation was not used"


def test_no_page_load_fetches_the_index_before_a_query(tiny: tuple[Page, str, list[str]]) -> None:
    page, base, requests = tiny
    for path in ("", "explore/", "papers/alpha/", "topics/objective/contrastive/"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
    page.locator(".md-tabs a", has_text="Datasets").click()  # instant navigation too
    page.wait_for_load_state("networkidle")
    assert [u for u in requests if INDEX_FILE.search(u)] == []
    assert any(u.endswith("pagefind/pagefind-component-ui.js") for u in requests)  # the UI itself is there
    search(page, "radiographs", "Delta Masked Reports and Radiographs")
    assert any(INDEX_FILE.search(u) for u in requests)  # what the first query loads


def test_the_dialog_is_named_and_keyboard_operable(tiny: tuple[Page, str, list[str]]) -> None:
    page, base, _ = tiny
    page.goto(f"{base}papers/alpha/")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")  # the theme's search key opens the dialog
    dialog = page.get_by_role("dialog", name=re.compile(r"\S"))
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("searchbox")).to_be_focused()
    page.keyboard.type("radiographs")
    expect(dialog.locator(".pf-result-link").first).to_have_text("Delta Masked Reports and Radiographs")
    page.keyboard.press("ArrowDown")
    expect(dialog.locator(".pf-result-link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}papers/delta/")
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_dark_palette_and_narrow_screen(tiny: tuple[Page, str, list[str]]) -> None:
    page, base, _ = tiny
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(base)
    page.locator("[data-md-color-scheme]").first.evaluate("b => b.setAttribute('data-md-color-scheme', 'slate')")
    search(page, "CLIP", "Alpha Contrastive Pretraining of Images and Captions")
    box = page.get_by_role("dialog").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    colours = page.get_by_role("dialog").evaluate(
        "d => [getComputedStyle(d).backgroundColor, getComputedStyle(document.body).backgroundColor]")
    assert colours[0] == colours[1]  # the dialog follows the palette (the slate background, not white)


def _paper_with_short_name(root: Path) -> tuple[str, str]:
    for path in sorted((root / "papers").glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record.get("short_name"):
            return record["short_name"][0], record["title"]
    raise AssertionError("the generated collection has no short name")


def test_short_name_first_among_2000_papers(big: tuple[Page, str, Path]) -> None:
    page, base, root = big
    name, title = _paper_with_short_name(root)
    page.goto(base)
    titles = search(page, name, title)
    assert len(titles) > 1  # other titles hold the same word


def test_exact_title_first_among_2000_papers(big: tuple[Page, str, Path]) -> None:
    page, base, root = big
    title = yaml.safe_load((root / "papers" / "p001234.yaml").read_text(encoding="utf-8"))["title"]
    page.goto(base)
    search(page, title, title)


# -- the build stage ------------------------------------------------------------------------------------------


def test_every_page_is_indexed_with_filters(built_site: Path) -> None:
    pagefind = built_site / "site" / "pagefind"
    assert (pagefind / "pagefind.js").is_file() and list((pagefind / "index").glob("*.pf_index"))
    html = (built_site / "site" / "papers" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert 'data-pagefind-meta="short_name:CLIP"' in html and 'data-pagefind-filter="kind"' in html
    assert 'data-pagefind-filter="year:2021"' in html and 'data-pagefind-filter="objective"' in html
    assert '<pre class="sb-bibtex" data-pagefind-ignore>' in html


def _failing_pagefind(folder: Path) -> Path:
    script = folder / "pagefind-broken"
    script.write_text("#!/bin/sh\necho 'Error: cannot index this site' >&2\nexit 3\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_failed_indexing_keeps_the_previous_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site_project(tmp_path / "kb")
    (root / "site").mkdir()
    (root / "site" / "previous.txt").write_text("the previous site\n", encoding="utf-8")
    # Pagefind's documented setting for its binary: here a stand-in that fails.
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(_failing_pagefind(tmp_path)))
    with pytest.raises(SiteBuilderError, match=r"search index: pagefind failed \(exit status 3\): Error: cannot "
                                               r"index this site; the previous site/ is unchanged"):
        build(Project(root))
    code, _, err = run_cli(capsys, "build", "--root", str(root))
    assert code == 1 and "site-builder: search index: pagefind failed (exit status 3)" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in (root / "site").iterdir()) == ["previous.txt"]
    assert not list(root.glob(".site-build-*"))  # the temporary build folder is gone


def exact_name(page: Page, query: str) -> list[str]:
    """Open the dialog, type ``query``, and return the hrefs of the dialog's paper links in document order once the
    exact-name line has appeared."""
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("dialog").get_by_role("searchbox").press_sequentially(query, delay=5)
    expect(page.locator(".sb-name-hit a")).to_have_count(1, timeout=15000)
    expect(page.locator("pagefind-results .pf-result-link").first).to_be_visible(timeout=15000)
    return [a.get_attribute("href") or "" for a in page.get_by_role("dialog").locator("a[href*='papers/']").all()]


def test_an_exact_short_name_is_listed_first_whatever_its_case(tiny: tuple[Page, str, list[str]]) -> None:
    page, base, _ = tiny
    page.goto(base)
    hrefs = exact_name(page, "clip")
    assert hrefs[0].endswith("papers/alpha/")
    expect(page.locator(".sb-name-hit")).to_contain_text("Alpha Contrastive Pretraining of Images and Captions")


def test_clip_is_first_on_the_repository_site(browser: Browser, repo_site: LocalServer) -> None:
    """On the real collection, Pagefind alone ranks CLIP4Clip, CLIPBERT and others above CLIP: the exact-name
    line puts the CLIP paper first."""
    page, _, problems = _page(browser, repo_site.url)
    page.goto(repo_site.url)
    hrefs = exact_name(page, "CLIP")
    assert hrefs[0].endswith("papers/clip/"), hrefs[:5]
    assert any(h.endswith("papers/clip4clip/") for h in hrefs[1:])  # the prefix matches are still listed after it
    page.context.close()
    assert problems == []


def test_name_files_hold_every_short_name_in_its_first_character_file() -> None:
    from site_builder.kb.models import Paper
    from site_builder.site.search_names import KEYS, name_files
    from tests.conftest import paper_yaml

    records = [yaml.safe_load(paper_yaml(pid, short_name=names)) for pid, names in
               (("a", "[CLIP, Clip-2]"), ("b", "[3D-X]"), ("c", "['Ünified']"), ("d", "null"))]
    files = name_files([Paper.model_validate({k: v for k, v in r.items() if v is not None}) for r in records])
    assert sorted(files) == sorted(f"search/names-{k}.json" for k in KEYS)
    import json as _json
    assert _json.loads(files["search/names-c.json"]) == {"clip": ["a", records[0]["title"]],
                                                          "clip-2": ["a", records[0]["title"]]}
    assert set(_json.loads(files["search/names-3.json"])) == {"3d-x"}
    assert set(_json.loads(files["search/names-_.json"])) == {"ünified"}

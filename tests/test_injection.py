"""Script injection: a knowledge base whose records carry payloads in every text field builds, and in Chromium
no dialog opens, no payload script runs, no request leaves the local server, and the payloads show as text.

The payloads set ``window.__pwned`` (and call ``alert``) if they ever run. Every built page is visited.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser

from site_builder.build.pipeline import build
from site_builder.kb.project import Project
from tests.conftest import _QuietHandler, make_site_project

pytestmark = pytest.mark.browser

PAYLOADS = [
    '<script>window.__pwned=1;alert(1)</script>',
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    '<svg onload="window.__pwned=1">',
    '[click](javascript:window.__pwned=1)',
    '"><iframe srcdoc="<script>parent.__pwned=1</script>">',
    "' onmouseover='window.__pwned=1' x='",
    '{: onclick="window.__pwned=1"}',
    '&lt;script&gt;window.__pwned=1&lt;/script&gt;',
    '</textarea></code></pre><script>window.__pwned=1</script>',
]


#: The hostile paper's arXiv id; the fixture adds it to alpha's references in the citation snapshot, so that
#: its title also travels through alpha's citation list (JSON data drawn by the page script).
PWNED_ARXIV = "2201.09999"


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _payload(i: int) -> str:
    return f"{PAYLOADS[i % len(PAYLOADS)]} p{i}"


def hostile_paper() -> str:
    return "\n".join([
        "id: pwned",
        f"title: {_q(_payload(0))}",
        f"authors: [{_q(_payload(1))}, {_q(_payload(2))}]",
        "year: 2022",
        f"venue: {_q(_payload(3) + ' 2022')}",
        "kind: method",
        "ids:",
        f"  arxiv: {_q(PWNED_ARXIV)}",
        "tags:",
        "  objective: [contrastive]",
        "  architecture: [fusion-free]",
        "  application: [general]",
        "  modality: [image, text]",
        "datasets: [pwned-set]",
        f"summary: {_q(_payload(4) + ' ' + _payload(5))}",
        f"notes: {_q(_payload(6))}",
        "added: 2026-11-28",
    ]) + "\n"


def hostile_dataset() -> str:
    return "\n".join([
        "id: pwned-set",
        f"name: {_q(_payload(7))}",
        f"full_name: {_q(_payload(8))}",
        "category: image-text",
        "modalities: [image, text]",
        "size:",
        f"  images: {_q(_payload(9))}",
        f"domain: {_q(_payload(10))}",
        f"tasks: [{_q(_payload(11))}]",
        "links:",
        f"  - label: {_q(_payload(12))}",
        "    url: https://example.org/set",
        f"summary: {_q(_payload(13))}",
        "added: 2026-11-28",
    ]) + "\n"


def hostile_cited_by(original: str) -> str:
    return original + "\n".join([
        f"  - title: {_q(_payload(14))}",
        f"    authors: [{_q(_payload(15))}]",
        "    year: 2025",
        f"    venue: {_q(_payload(16))}",
    ]) + "\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("injection") / "kb"
    handler = functools.partial(_QuietHandler, directory=str(root / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    make_site_project(root)
    (root / "papers" / "pwned.yaml").write_text(hostile_paper(), encoding="utf-8")
    (root / "datasets" / "pwned-set.yaml").write_text(hostile_dataset(), encoding="utf-8")
    cited = root / "data" / "cited-by-survey.yaml"
    cited.write_text(hostile_cited_by(cited.read_text(encoding="utf-8")), encoding="utf-8")
    alpha = root / "data" / "semantic-scholar" / "alpha.json"
    record = json.loads(alpha.read_text(encoding="utf-8"))
    record["references"].append({"externalIds": {"ArXiv": PWNED_ARXIV}, "intents": [], "isInfluential": False,
                                 "paperId": "f" * 40, "title": _payload(0), "year": 2022})
    alpha.write_text(json.dumps(record), encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {url}", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    result = build(Project(root))
    assert not result.failed and result.site_built, [p.as_text() for p in result.problems]
    flagged = {(p.path, p.severity) for p in result.problems if p.code == "markup-in-text"}
    assert {("papers/pwned.yaml", "warning"), ("datasets/pwned-set.yaml", "warning"),
            ("data/cited-by-survey.yaml", "warning")} <= flagged, "validation names the payloads as warnings"
    yield root, url
    server.shutdown()
    server.server_close()
    shutil.rmtree(root, ignore_errors=True)


def test_no_payload_runs_on_any_page(hostile_site: tuple[Path, str], browser: Browser) -> None:
    root, url = hostile_site
    pages = sorted(p.parent.relative_to(root / "site").as_posix() for p in (root / "site").rglob("index.html"))
    assert {"papers/pwned", "datasets/pwned-set", "explore", "cited-by", "datasets"} <= set(pages)
    context = browser.new_context()
    problems: list[str] = []

    def guard(route: object) -> None:
        request_url = route.request.url  # type: ignore[attr-defined]
        if request_url.startswith(url) or request_url.startswith(("blob:", "data:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            problems.append(f"request left the server: {request_url}")
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    page = context.new_page()
    page.on("dialog", lambda d: (problems.append(f"dialog on {page.url}: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(f"page error on {page.url}: {e}"))
    for rel in pages:
        page.goto(url + (rel + "/" if rel != "." else ""))
        page.wait_for_load_state("load")
        page.mouse.move(10, 10)
        page.mouse.move(400, 300)
        if page.evaluate("() => window.__pwned !== undefined"):
            problems.append(f"a payload ran on {rel}")
        if page.locator("img[src='x'], svg[onload], iframe[srcdoc], [onclick], [onmouseover]").count():
            problems.append(f"a payload became markup on {rel}")
        if page.locator("a[href^='javascript' i]").count():
            problems.append(f"a javascript: link on {rel}")
    context.close()
    assert problems == []


def test_payloads_show_as_literal_text(hostile_site: tuple[Path, str], browser: Browser) -> None:
    _root, url = hostile_site
    page = browser.new_page()
    page.goto(url + "papers/pwned/")
    text = page.locator("article").inner_text()
    for i in (0, 1, 2, 4, 5, 6):
        assert _payload(i) in text, _payload(i)
    page.goto(url + "datasets/pwned-set/")
    text = page.locator("article").inner_text()
    for i in (7, 10, 13):
        assert _payload(i) in text, _payload(i)
    page.close()


def test_citation_lists_show_hostile_titles_as_links(hostile_site: tuple[Path, str], browser: Browser) -> None:
    _root, url = hostile_site
    page = browser.new_page()
    page.goto(url + "papers/alpha/")
    cites = page.locator("h3#cites-in-this-collection ~ ul.sb-neighbours").first
    link = cites.locator("a", has_text=_payload(0))
    # (the theme's instant navigation may make a link's href absolute: what counts is where it leads)
    assert urljoin(url + "papers/alpha/", link.get_attribute("href") or "") == url + "papers/pwned/"
    assert cites.locator("li", has_text=_payload(0)).locator("span.sb-venue").inner_text() == _payload(3) + " 2022"
    link.click()
    page.wait_for_url(url + "papers/pwned/")
    cited_by = page.locator("ul.sb-neighbours a", has_text="Alpha Contrastive Pretraining of Images and Captions")
    assert urljoin(url + "papers/pwned/", cited_by.get_attribute("href") or "") == url + "papers/alpha/"
    assert page.evaluate("() => window.__pwned") is None
    page.close()

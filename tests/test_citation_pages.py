"""Citation pages end to end: without a snapshot, from a snapshot, the GraphML download, the survey's citing papers."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import markdown
import networkx as nx
import pytest

from site_builder.build.pipeline import build, generate
from site_builder.citations.graph import build_graph, candidates
from site_builder.citations.snapshot import dump, load_snapshot
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.site.graph_index import graph_index
from site_builder.site.model import SiteInfo, SiteModel, build_model
from site_builder.site.render.citations import candidate_row
from site_builder.site.render.paper_citations import neighbours
from site_builder.tools.export import export
from tests.conftest import GOLDEN_KB, make_site_project
from tests.test_graph import s2

NOT_FETCHED = ("citation data has not been fetched yet. It will appear here once the Semantic Scholar snapshot "
               "(<code>site-builder enrich</code>) exists.")
INFO = SiteInfo("Test KB", None)


def golden_model() -> SiteModel:
    kb, _ = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None
    return build_model(kb, INFO, load_snapshot(Project(GOLDEN_KB)))


def test_without_a_snapshot_the_site_builds_and_says_not_fetched(tmp_path: Path) -> None:
    root = make_site_project(tmp_path / "kb")
    shutil.rmtree(root / "data" / "semantic-scholar")
    result = build(Project(root))
    assert not result.failed and result.site_built
    docs = root / "docs"
    for page, what in [("papers/alpha/index.md", "Citation counts, references and citing papers in this collection"),
                       ("topics/objective/contrastive/index.md", "Citations between the papers of this topic"),
                       ("trends/index.md", "The most-cited ranking"),
                       ("graph/index.md", "The citation graph"),
                       ("candidates/index.md", "The candidates queue"),
                       ("cited-by/index.md", "Semantic Scholar&#39;s full list of citing papers"),
                       ("downloads/index.md", "The citation graph download")]:
        assert f'<p class="sb-note">{what}: {NOT_FETCHED}</p>' in (docs / page).read_text(encoding="utf-8"), page
    assert not (docs / "graph" / "citation-graph.json").exists()
    assert not (docs / "downloads" / "citation-graph.graphml").exists()
    assert 'href="citation-graph.graphml"' not in (docs / "downloads" / "index.md").read_text(encoding="utf-8")
    assert 'id="sb-graph"' not in (root / "site" / "graph" / "index.html").read_text(encoding="utf-8")
    assert (root / "site" / "candidates" / "index.html").is_file()


def test_a_damaged_snapshot_file_stops_the_build(tmp_path: Path) -> None:
    root = make_site_project(tmp_path / "kb")
    (root / "data" / "semantic-scholar" / "bravo.json").write_text('{"schema": 1,', encoding="utf-8")
    result = generate(Project(root))
    assert result.failed and result.stats is None
    errors = [p.as_text() for p in result.problems if p.severity == "error"]
    assert errors == ["data/semantic-scholar/bravo.json:1:14: error [snapshot-bad-json] not valid JSON (Expecting "
                      "property name enclosed in double quotes); run 'site-builder enrich --only bravo' to refetch"]


def test_built_graphml_is_the_export_and_loads_back(built_site: Path) -> None:
    download = built_site / "site" / "downloads" / "citation-graph.graphml"
    text = download.read_text(encoding="utf-8")
    assert text == export(Project(built_site), "graphml").text
    kb, _ = load_knowledge_base(Project(built_site))
    assert kb is not None
    expected = build_graph(kb.papers, load_snapshot(Project(built_site)).records)
    back = nx.read_graphml(download)
    assert (sorted(back.nodes), sorted(back.edges)) == (sorted(expected.nodes), sorted(expected.edges))
    assert len(back.edges) == 7 and back.graph["fetched"] == "2026-11-20"
    assert back.nodes["alpha"]["citationCount"] == 1520 and "citationCount" not in back.nodes["echo"]


def test_graph_index_holds_positions_counts_and_edges() -> None:
    model = golden_model()
    assert model.citations is not None
    doc = json.loads(graph_index(model, model.citations))
    assert doc["cols"] == ["id", "title", "year", "x", "y", "citedBy", "tags"]
    ids = [row[0] for row in doc["papers"]]
    assert ids == sorted(p.id for p in model.papers)  # by id: independent of the display order
    pairs = sorted((ids[a], ids[b]) for a, b in zip(doc["edges"][::2], doc["edges"][1::2], strict=True))
    assert pairs == sorted(model.citations.graph.edges())
    assert {row[0]: row[5] for row in doc["papers"]} == {"delta": 0, "alpha": 2, "bravo": 1, "echo": 2,
                                                         "charlie": 2, "xss": 0}
    assert [y for y, _ in doc["years"]] == [2018, 2019, 2020, 2021, 2022]
    xs = {row[0]: row[3] for row in doc["papers"]}
    assert xs["xss"] < xs["charlie"] < xs["echo"] < xs["alpha"] == xs["bravo"] < xs["delta"]  # a timeline
    for row in doc["papers"]:
        assert 0 <= row[3] <= doc["w"] and 0 <= row[4] <= doc["h"]
    assert doc["asOf"] == "2026-11-20"


def test_candidate_row_lists_ten_citing_papers_and_an_add_command() -> None:
    model = golden_model()
    assert model.citations is not None
    row = candidate_row(model, model.citations.candidates[1])
    assert (row.title, row.year, row.count, [p.id for p in row.citing], row.more) == \
        ("Attention Is All You Need", 2017, 3, ["delta", "alpha", "bravo"], 0)
    assert (row.url, row.add) == ("https://arxiv.org/abs/1706.03762", "site-builder add ARXIV:1706.03762")
    assert row.s2_url == "https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776"


def test_many_citing_papers_are_cut_to_ten(tmp_path: Path) -> None:
    from tests.test_graph import record, ref, snapshot_file

    files = {f"papers/p{i:02d}.yaml": record(f"p{i:02d}", "contrastive", arxiv=f"2101.{i:05d}") for i in range(12)}
    root = make_site_project(tmp_path / "kb")
    for name in (root / "papers").iterdir():
        name.unlink()
    shutil.rmtree(root / "data")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "data" / "semantic-scholar").mkdir(parents=True)
    for i in range(12):
        (root / "data" / "semantic-scholar" / f"p{i:02d}.json").write_text(
            snapshot_file(f"p{i:02d}", [ref("z", title="Shared Outside Work", doi="10.1/Z")]), encoding="utf-8")
    kb, _ = load_knowledge_base(Project(root))
    assert kb is not None
    model = build_model(kb, INFO, load_snapshot(Project(root)))
    found = candidates(kb.papers, load_snapshot(Project(root)).records)
    assert [len(c.cited_by) for c in found] == [12]
    row = candidate_row(model, found[0])
    assert (len(row.citing), row.more, row.add, row.url) == (10, 2, "site-builder add DOI:10.1/Z",
                                                             "https://doi.org/10.1/Z")


@pytest.fixture
def survey_site(tmp_path: Path) -> Path:
    """The golden knowledge base plus the survey's record, whose snapshot lists three citing papers."""
    root = make_site_project(tmp_path / "kb")
    survey = (GOLDEN_KB / "papers" / "alpha.yaml").read_text(encoding="utf-8")
    survey = survey.replace("id: alpha", "id: ssml-survey").replace(
        "Alpha Contrastive Pretraining of Images and Captions", '"Self-Supervised Multimodal Learning: A Survey"')
    survey = survey.replace("2101.00001", "2304.01008").replace("example/alpha", "example/ssml")
    survey = "".join(line for line in survey.splitlines(keepends=True) if not line.startswith("short_name:"))
    (root / "papers" / "ssml-survey.yaml").write_text(survey, encoding="utf-8")
    doc = {"schema": 1, "id": "ssml-survey", "fetched": "2026-11-27", "resolved_by": "ARXIV:2304.01008",
           "record_key": "k", "status": "ok", "paper": {"paperId": s2("5"), "title": "SSML", "citationCount": 3},
           "references": [], "citations": [
               {"paperId": s2("b2"), "title": "Bravo as S2 spells it", "year": 2021, "venue": "NeurIPS",
                "externalIds": {"ArXiv": "2102.00002"}, "authors": [{"authorId": None, "name": "Grace Hopper"}]},
               {"paperId": s2("9"), "title": "<b>Outside</b> Citing Work", "year": 2025, "venue": "",
                "externalIds": {"ArXiv": "2501.00009"}, "authors": []},
               {"paperId": s2("8"), "title": None, "year": None, "externalIds": None}]}
    (root / "data" / "semantic-scholar" / "ssml-survey.json").write_text(dump(doc), encoding="utf-8")
    return root


def test_cited_by_page_comes_from_the_snapshot(survey_site: Path) -> None:
    result = generate(Project(survey_site))
    assert not result.failed
    page = (survey_site / "docs" / "cited-by" / "index.md").read_text(encoding="utf-8")
    assert page.split("<tbody>\n")[0].splitlines()[:6] == [
        "# Cited by",
        "",
        "Papers citing *Self-Supervised Multimodal Learning: A Survey* according to Semantic Scholar, as of",
        "2026-11-27: 3 papers, 1 of them in this collection",
        "(marked, and linked to their page here).",
        "",
    ]
    rows = page.split("<tbody>\n")[1].split("</tbody>")[0].splitlines()
    assert rows == [
        '<tr><td><a href="https://arxiv.org/abs/2501.00009">&#60;b&#62;Outside&#60;/b&#62; Citing Work</a><br>'
        '<span class="sb-authors"></span></td><td>2025</td><td></td><td></td></tr>',
        '<tr><td><a href="../papers/bravo/">Bravo as S2 spells it</a><br><span class="sb-authors">Grace Hopper'
        '</span></td><td>2021</td><td>NeurIPS</td><td><span class="sb-badge sb-badge--official">in collection'
        '</span></td></tr>',
        f'<tr><td><a href="https://www.semanticscholar.org/paper/{s2("8")}">(untitled on Semantic Scholar)</a><br>'
        '<span class="sb-authors"></span></td><td></td><td></td><td></td></tr>',
    ]
    assert "data/cited-by-survey.yaml" not in page


def test_serve_regenerates_when_the_snapshot_changes(tmp_path: Path) -> None:
    from site_builder.build.serve import input_signature, regenerate

    project = Project(make_site_project(tmp_path / "kb"))
    assert regenerate(project, lambda message: None)
    before = input_signature(project)
    snapshot = project.snapshot / "alpha.json"
    snapshot.write_text(snapshot.read_text(encoding="utf-8").replace('"citationCount": 1520', '"citationCount": 15200'),
                        encoding="utf-8")
    assert input_signature(project) != before
    assert regenerate(project, lambda message: None)
    assert "Cited <strong>15,200</strong> times" in (project.docs / "papers" / "alpha" / "index.md").read_text()


class _Links(HTMLParser):
    """The links of a block: (href, text) pairs, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[list[str]] = []
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.found.append([dict(attrs).get("href") or "", ""])
            self._in_link = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False

    def handle_data(self, data: str) -> None:
        if self._in_link:
            self.found[-1][1] += data


@pytest.mark.parametrize("title", [
    "' onmouseover='window.__pwned=1' x='", 'Say "hi" & <b>bye</b>', "Plain title", "It's &amp; not &",
])
def test_citation_lists_are_links_that_read_back_as_the_titles(title: str) -> None:
    """A citation list is plain HTML links (readable without JavaScript): after Python-Markdown, an HTML parser
    reads each paper's page and title back, whatever quotes or references the title holds."""
    model = golden_model()
    model.by_id["alpha"] = model.by_id["alpha"].model_copy(update={"title": title})
    block = neighbours(model, ["alpha", "bravo"])
    parser = _Links()
    parser.feed(markdown.markdown(f"## Cites\n\n{block}\n"))
    bravo = model.by_id["bravo"]
    assert parser.found == [["../../papers/alpha/", title], ["../../papers/bravo/", bravo.title]]

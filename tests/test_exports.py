"""Downloads: BibTeX through bibtexparser, CSV, versioned JSON, the Atom feed and the explore index."""

from __future__ import annotations

import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.citations.snapshot import load_snapshot
from site_builder.kb.models import Paper
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.site.explore_index import (
    COLUMNS,
    HAS_CODE,
    HYBRID,
    INDEX_VERSION,
    OFFICIAL_CODE,
    OwnTags,
    explore_index,
    explore_summaries,
    node_numbers,
)
from site_builder.site.export_schema import PapersExport, field_rows, json_schema
from site_builder.site.exports import (
    bibtex_entries,
    bibtex_entry,
    bibtex_library,
    bibtex_text,
    bibtex_type,
    csv_columns,
    csv_row,
    csv_text,
    join_bibtex,
    paper_document,
    paper_line,
    papers_csv,
    papers_json,
    venue_name,
)
from site_builder.site.feed import atom_feed
from site_builder.site.model import SiteInfo, SiteModel, build_model
from tests.conftest import GOLDEN_KB

INFO = SiteInfo("Test KB", "https://github.com/example/kb", site_url="https://example.org/kb/")


@pytest.fixture(scope="module")
def model() -> SiteModel:
    kb, problems = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None and not problems
    return build_model(kb, INFO)


@pytest.mark.parametrize(("venue", "kind"), [
    ("arXiv", "misc"), ("CVPR 2022", "inproceedings"), ("NeurIPS 2022 Datasets and Benchmarks", "inproceedings"),
    ("IEEE TPAMI 2025", "article"), ("IEEE S&P 2022", "inproceedings"), ("J. Chem. Inf. Model. 2025", "article"),
    ("Nature Medicine 2022", "article"), ("TACL 2021", "article"), ("ICCV Workshops 2023", "inproceedings"),
    ("ISPRS J. Photogramm. Remote Sens. 2023", "article"), ("IEEE Signal Processing Magazine 2017", "article"),
])
def test_bibtex_type(venue: str, kind: str) -> None:
    assert bibtex_type(venue) == kind


def test_venue_name_drops_the_year() -> None:
    assert venue_name("CVPR 2022", 2022) == "CVPR"
    assert venue_name("NeurIPS 2022 Datasets and Benchmarks", 2022) == "NeurIPS Datasets and Benchmarks"
    assert venue_name("arXiv", 2022) == "arXiv"


def test_bibtex_round_trips_through_bibtexparser(model: SiteModel) -> None:
    text = bibtex_text(bibtex_library(model.papers))
    parsed = bibtexparser.parse_string(text)
    assert not parsed.failed_blocks
    assert [e.key for e in parsed.entries] == [p.id for p in model.papers]
    types = {e.key: e.entry_type for e in parsed.entries}
    assert types == {"delta": "misc", "bravo": "inproceedings", "alpha": "inproceedings", "echo": "article",
                     "charlie": "inproceedings", "xss": "inproceedings"}
    echo = parsed.entries_dict["echo"]
    assert echo["journal"] == "IEEE TPAMI"
    assert echo["doi"] == "10.1109/TPAMI.2020.0000001"


def test_bibtex_entry_writes_what_bibtexparser_writes(model: SiteModel) -> None:
    library = bibtex_library(model.papers)
    assert {p.id: bibtex_entry(p) for p in model.papers} == bibtex_entries(library)
    assert join_bibtex(bibtex_entry(p) for p in model.papers) == bibtex_text(library)
    assert join_bibtex([]) == bibtex_text(bibtex_library([]))


_TEXT = st.text(alphabet=st.sampled_from("aZ09 -.,:;()'!?/@|=+*`[]é\"{}&%$#_~^<>"), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(title=_TEXT.filter(str.strip), authors=st.lists(_TEXT.filter(str.strip), min_size=1, max_size=3),
       venue=st.sampled_from(["arXiv", "CVPR 2021", "IEEE TPAMI 2021", "NeurIPS 2021 Workshop"]),
       doi=st.booleans(), arxiv=st.booleans(), url=st.booleans())
def test_bibtex_entry_fast_path_equals_bibtexparser(title: str, authors: list[str], venue: str, doi: bool,
                                                    arxiv: bool, url: bool) -> None:
    paper = Paper.model_validate({
        "id": "p1", "title": title, "authors": authors, "year": 2021, "venue": venue, "kind": "method",
        "ids": {"doi": "10.1000/a_b%c" if doi else None, "arxiv": "2101.00001" if arxiv else None},
        "links": {"paper": "https://example.org/x?y=1#z" if url else None}, "tags": {}, "summary": "x",
        "added": "2026-01-01"})
    assert bibtex_entry(paper) == bibtex_entries(bibtex_library([paper]))["p1"]


def test_papers_json_lines_are_the_paper_documents(model: SiteModel) -> None:
    assert [json.loads(paper_line(p)) for p in model.papers] == [paper_document(p) for p in model.papers]
    text = papers_json(model.papers, model.taxonomy)
    assert text.count("\n") == 3 + len(model.taxonomy.facets) + len(model.papers) + 2


def test_bibtex_entry_of_the_hostile_record_is_latex_encoded(model: SiteModel) -> None:
    entry = bibtex_entries(bibtex_library(model.papers))["xss"]
    assert entry.splitlines()[1] == (
        "\ttitle = {\\ensuremath{<}script\\ensuremath{>}alert(1)\\ensuremath{<}/script\\ensuremath{>} "
        "*[x](javascript:alert(1))* \\& Friends \\{: onclick=alert(1)\\}},"
    )
    assert bibtexparser.parse_string(entry).entries[0].key == "xss"


def test_csv_has_documented_columns_and_defuses_formulas(model: SiteModel) -> None:
    rows = list(csv.reader(io.StringIO(papers_csv(model.papers, model.taxonomy))))
    assert rows[0] == csv_columns(model.taxonomy) == [
        "id", "title", "authors", "year", "venue", "kind", "arxiv", "doi", "has_code", "datasets",
        "objective", "architecture", "alignment", "application", "modality", "challenge", "page"]
    by_id = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_id["alpha"]["datasets"] == "pairs" and by_id["charlie"]["datasets"] == ""
    assert by_id["bravo"]["objective"] == "contrastive; matching; auto-encoding"
    assert by_id["bravo"]["has_code"] == "yes" and by_id["charlie"]["has_code"] == "no"
    assert by_id["alpha"]["page"] == "papers/alpha/"
    formula = model.by_id["alpha"].model_copy(update={"title": "=HYPERLINK(\"https://evil.example\")"})
    assert csv_row(formula, model.taxonomy)[1] == "'=HYPERLINK(\"https://evil.example\")"


def test_papers_json_matches_its_schema(model: SiteModel) -> None:
    doc = json.loads(papers_json(model.papers, model.taxonomy))
    export = PapersExport.model_validate(doc)
    assert export.version == 1 and export.count == 6 and export.license == doc["license"] == "CC-BY-4.0"
    assert [p.id for p in export.papers] == [p.id for p in model.papers]
    assert {f.id for f in export.facets} == set(model.taxonomy.facets)
    assert json_schema()["properties"]["version"]["const"] == 1


def test_schema_docs_list_nested_fields() -> None:
    names = [name for name, _ in field_rows()]
    assert names[:4] == ["id", "title", "short_name", "authors"]
    assert "links.code[].official" in names and "page" in names
    assert all(description for _, description in field_rows())


def test_atom_feed_lists_newest_additions_first(model: SiteModel) -> None:
    root = ET.fromstring(atom_feed(model.papers, INFO))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = [e.findtext("a:id", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert ids[:3] == ["https://example.org/kb/papers/delta/", "https://example.org/kb/papers/bravo/",
                       "https://example.org/kb/papers/alpha/"]
    assert root.findtext("a:updated", namespaces=ns) == "2026-01-20T00:00:00Z"
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles[-1].startswith("<script>")  # text node: ElementTree escaped it in the XML


def test_explore_index_is_compact_and_complete(model: SiteModel) -> None:
    doc = json.loads(explore_index(model))
    assert doc["v"] == INDEX_VERSION == 2 and doc["cols"] == list(COLUMNS)
    nodes = [(n[1], n[3]) for n in doc["nodes"]]
    assert nodes[:3] == [("instance-discrimination", -1), ("contrastive", 0), ("matching", 0)]
    rows = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in doc["papers"]}
    assert rows["bravo"]["flags"] == HAS_CODE | HYBRID
    assert rows["alpha"]["flags"] == HAS_CODE | OFFICIAL_CODE
    assert [doc["nodes"][i][1] for i in rows["bravo"]["tags"]][:3] == ["contrastive", "matching", "auto-encoding"]
    assert doc["types"][rows["echo"]["type"]] == "article"
    summaries = json.loads(explore_summaries(model))
    assert summaries["v"] == INDEX_VERSION
    assert summaries["summaries"] == [model.by_id[r[0]].summary for r in doc["papers"]]
    assert rows["alpha"]["short"] == model.by_id["alpha"].short_name
    assert [doc["datasets"][i][0] for i in rows["alpha"]["datasets"]] == ["pairs"]
    assert doc["citations"] is False and all(r["cites"] == [] for r in rows.values())


def test_explore_index_carries_aliases_and_in_collection_cites() -> None:
    """Aliases sit beside their nodes; each paper's cites are the positions of the papers of the collection it
    cites, as the citation facts say."""
    kb, _ = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None
    model = build_model(kb, INFO, load_snapshot(Project(GOLDEN_KB)))
    assert model.citations is not None
    doc = json.loads(explore_index(model))
    assert doc["citations"] is True and len(doc["aliases"]) == len(doc["nodes"])
    for (fid, nid), number in node_numbers(model.taxonomy).items():
        assert doc["aliases"][number] == list(model.taxonomy.facet(fid).nodes[nid].aliases)
    ids = [r[0] for r in doc["papers"]]
    cites = COLUMNS.index("cites")
    edges = 0
    for row in doc["papers"]:
        positions = list(itertools.accumulate(row[cites]))  # differences from the one before
        assert positions == sorted(positions)
        assert sorted(ids[i] for i in positions) == sorted(model.citations.papers[row[0]].cites)
        edges += len(positions)
    assert edges > 0, "the golden snapshot has citations inside the collection"


def test_own_tag_numbers_follow_the_taxonomy_and_each_record() -> None:
    """The numbers of each paper's own tags: facets in taxonomy order, each tag once, in the record's order, tags
    the taxonomy lacks left out; the same for papers that share tag lists (numbered once)."""
    from tests.conftest import REPO

    kb, _ = load_knowledge_base(Project(REPO), use_cache=False)
    assert kb is not None
    numbers = node_numbers(kb.taxonomy)
    facets = list(kb.taxonomy.facets)
    papers = list(kb.papers.values())
    odd = papers[0].model_copy(update={"tags": papers[0].tags.model_copy(update={
        "objective": ["contrastive", "no-such-node", "contrastive", "masked-prediction"]})})
    own = OwnTags(facets, numbers)
    for paper in [*papers, *papers, odd]:
        expected = [numbers[(fid, t)] for fid in facets for t in dict.fromkeys(paper.tags.of(fid))
                    if (fid, t) in numbers]
        assert own(paper) == expected
    assert own(odd)[:2] == [numbers[("objective", "contrastive")], numbers[("objective", "masked-prediction")]]


def test_repository_explore_index_stays_small() -> None:
    from tests.conftest import REPO

    kb, _ = load_knowledge_base(Project(REPO))
    assert kb is not None
    size = len(explore_index(build_model(kb, INFO)).encode())
    assert size < 400 * len(kb.papers), "the index should cost well under 400 bytes per paper"


def test_written_downloads_exist(built_site: Path) -> None:
    downloads = built_site / "site" / "downloads"
    for name in ("papers.json", "papers.schema.json", "papers.csv", "papers.bib", "feed.xml", "index.html"):
        assert (downloads / name).is_file(), name


def _csv_module(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list(',"\r\n \t\'=+-@;a\u00e9\u2028\x00\\')), max_size=6),
                max_size=5))
def test_csv_text_is_what_the_csv_module_writes(row: list[str]) -> None:
    """Rows joined directly (no field to quote) and rows handed to the csv module give the module's own text."""
    assert csv_text(row) == _csv_module(row)


def test_csv_text_joins_plain_rows_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row without a comma, quote or line break in any field does not go through the csv module (the fast path is
    taken, so the property test above checks it)."""
    import site_builder.site.exports as exports

    monkeypatch.setattr(exports.csv, "writer", None)
    assert csv_text(["a b", "", "x;y", "=1"]) == "a b,,x;y,=1\n"
    with pytest.raises(TypeError):
        csv_text(["a,b", "c"])

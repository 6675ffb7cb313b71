"""Reading a paper: similar papers, the paper page's order, protected BibTeX titles, absolute CSV links, the
curation to-do page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware

from site_builder.kb.keyed_cache import KeyedFile
from site_builder.kb.models import Paper
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.kb.taxonomy import Taxonomy
from site_builder.site.exports import bibtex_entry, csv_columns, papers_csv, protect_title
from site_builder.site.model import SiteInfo, SiteModel, build_model
from site_builder.site.render.curation import curation_page, preprint_date
from site_builder.site.similar import CACHE_LIMITS, Similar, cached_similar_papers, similar_papers
from tests.conftest import GOLDEN_KB

GOLDEN_OUT = GOLDEN_KB.parent / "out"
INFO = SiteInfo("Test KB", "https://github.com/example/kb", site_url="https://example.org/kb/")


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    kb, problems = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None and not problems
    return kb.taxonomy


def nodes(taxonomy: Taxonomy, **tags: list[str]) -> frozenset[tuple[str, str]]:
    """A paper's closure: its tags and their ancestors, as (facet, node)."""
    return frozenset((f, n) for f, own in tags.items() for n in taxonomy.facet(f).closure(own))


# ---- similar papers ----

def test_rare_shared_nodes_rank_first_ties_by_id_with_reasons(taxonomy: Taxonomy) -> None:
    closures = {
        "p": nodes(taxonomy, objective=["contrastive"], modality=["audio", "text"], application=["general"]),
        "b": nodes(taxonomy, objective=["contrastive"], modality=["audio"], application=["general"]),
        "a": nodes(taxonomy, objective=["contrastive"], modality=["audio"], application=["general"]),
        "c": nodes(taxonomy, objective=["matching"], modality=["text"], application=["general"]),
        "d": nodes(taxonomy, objective=["auto-encoding"], modality=["video"], application=["general"]),
        "e": nodes(taxonomy, objective=["auto-encoding"], modality=["video"], application=["general"]),
    }
    ids = sorted(closures)
    found = similar_papers(ids, closures, taxonomy)["p"]
    # a and b share contrastive and audio (rare); c shares text and instance discrimination; "general" is on
    # every paper and weighs nothing, so d and e share nothing that counts.
    assert [s.id for s in found] == ["a", "b", "c"]
    assert found[0].score == found[1].score > found[2].score
    assert found[0].reason == "shares: audio, contrastive"
    assert found[2].reason == "shares: text, instance discrimination"  # the rarer node first


def test_citations_add_coupling_and_co_citation(taxonomy: Taxonomy) -> None:
    same = nodes(taxonomy, objective=["contrastive"], modality=["image"])
    other = nodes(taxonomy, objective=["auto-encoding"], modality=["video"])
    closures = {"p": same, "q": same, "r": same, "s": other, "x": other, "y": other, "z": other}
    # p and s both cite x and y (coupling); z cites p and s (co-citation). q and r only share the tags.
    cites = {"p": ["x", "y"], "s": ["x", "y"], "z": ["p", "s"], "q": [], "r": [], "x": [], "y": []}
    found = similar_papers(sorted(closures), closures, taxonomy, cites)["p"]
    assert found[0].id == "s"
    assert found[0].reason == "2 common references; cited together by 1 paper"
    assert [s.id for s in found[1:3]] == ["q", "r"]


def test_similar_papers_are_deterministic_and_never_the_paper_itself(taxonomy: Taxonomy) -> None:
    closures = {f"p{i}": nodes(taxonomy, objective=[["contrastive", "matching", "auto-encoding"][i % 3]],
                                modality=[["image", "audio", "video", "text"][i % 4]]) for i in range(40)}
    ids = sorted(closures)
    first = similar_papers(ids, closures, taxonomy)
    assert first == similar_papers(list(reversed(ids)), closures, taxonomy)
    assert all(pid not in [s.id for s in found] and len(found) == 5 for pid, found in first.items())


def test_kept_similar_papers_follow_every_input_and_survive_damage(taxonomy: Taxonomy, tmp_path: Path) -> None:
    """The kept result is the computed one, and any change of an input (a tag, a citation, the id list) gives the
    fresh result, never the kept one; a damaged or foreign file is computed again."""
    kept = KeyedFile(tmp_path / "similar.json", CACHE_LIMITS)
    closures = {f"p{i}": nodes(taxonomy, objective=[["contrastive", "matching", "auto-encoding"][i % 3]],
                                modality=[["image", "audio", "video", "text"][i % 4]]) for i in range(12)}
    cites: dict[str, list[str]] = {pid: [] for pid in closures}
    ids = sorted(closures)
    first = cached_similar_papers(kept, ids, closures, taxonomy, cites)
    assert first == similar_papers(ids, closures, taxonomy, cites)
    assert (tmp_path / "similar.json").is_file()
    # The file is used: a planted answer under the same key comes back.
    stored = json.loads((tmp_path / "similar.json").read_text(encoding="utf-8"))
    planted = {pid: [["p0", 1.5, "planted"]] for pid in ids}
    (tmp_path / "similar.json").write_text(json.dumps({"key": stored["key"], "value": planted}), encoding="utf-8")
    assert cached_similar_papers(kept, ids, closures, taxonomy, cites)["p1"] == [Similar("p0", 1.5, "planted")]
    changes = [
        (ids, {**closures, "p1": nodes(taxonomy, objective=["contrastive"], modality=["audio"])}, cites),
        (ids, closures, {**cites, "p1": ["p2", "p5"], "p3": ["p2"]}),
        (ids, closures, None),
        (ids[:-1], {pid: closures[pid] for pid in ids[:-1]}, {pid: cites[pid] for pid in ids[:-1]}),
    ]
    # Another order of the same ids (a title edit moves a paper in the display order) is the same scoring, kept.
    reordered = cached_similar_papers(kept, ids[::-1], closures, taxonomy, cites)
    assert list(reordered) == ids[::-1] and reordered["p1"] == [Similar("p0", 1.5, "planted")]
    for new_ids, new_closures, new_cites in changes:
        assert cached_similar_papers(kept, new_ids, new_closures, taxonomy, new_cites) == \
            similar_papers(new_ids, new_closures, taxonomy, new_cites)
    for damaged in ("not json", json.dumps({"key": stored["key"], "value": {"p0": [[1, "x", None]]}}), "[]",
                    json.dumps({"key": stored["key"], "value": {pid: [["nobody", 1.0, "x"]] for pid in ids}})):
        (tmp_path / "similar.json").write_text(damaged, encoding="utf-8")
        assert cached_similar_papers(kept, ids, closures, taxonomy, cites) == first
    assert cached_similar_papers(KeyedFile(None, CACHE_LIMITS), ids, closures, taxonomy, cites) == first


# ---- BibTeX and CSV ----

@pytest.mark.parametrize(("title", "protected"), [
    ("AudioCLIP: Extending CLIP to Image, Text and Audio", "{AudioCLIP}: Extending {CLIP} to Image, Text and Audio"),
    ("Self-Supervised Learning of 3D Point Clouds", "Self-Supervised Learning of {3D} Point Clouds"),
    ("X-CLIP and BLIP-2 beat wav2vec", "{X-CLIP} and {BLIP-2} beat wav2vec"),
    ("Masked Modelling:Pretraining at Scale", "Masked Modelling:{Pretraining} at Scale"),
    ("Learning Transferable Visual Models", "Learning Transferable Visual Models"),
])
def test_titles_protect_acronyms_and_inner_capitals(title: str, protected: str) -> None:
    assert protect_title(title) == protected


def paper(**fields: object) -> Paper:
    base: dict[str, object] = {
        "id": "audioclip", "title": "AudioCLIP: Extending CLIP to Image, Text and Audio",
        "authors": ["Andrey Guzhov", "Jörn Hees"], "year": 2022, "venue": "ICASSP 2022", "kind": "method",
        "tags": {"objective": ["contrastive"]}, "summary": "Adds audio to CLIP.", "added": "2026-11-28"}
    base.update(fields)
    return Paper.model_validate(base)


@pytest.mark.parametrize(("fields", "url"), [
    ({"links": {"paper": "https://example.org/audioclip"}, "ids": {"arxiv": "2106.13043"}},
     "https://example.org/audioclip"),
    ({"ids": {"arxiv": "2106.13043", "doi": "10.1109/ICASSP43922.2022.9747631"}}, "https://arxiv.org/abs/2106.13043"),
    ({"ids": {"doi": "10.1109/ICASSP43922.2022.9747631"}}, "https://doi.org/10.1109/ICASSP43922.2022.9747631"),
    ({}, "https://example.org/kb/papers/audioclip/"),
])
def test_bibtex_round_trips_with_protected_title_and_a_url(fields: dict[str, object], url: str) -> None:
    entry = bibtex_entry(paper(**fields), "https://example.org/kb/")
    library = bibtexparser.parse_string(entry)
    assert not library.failed_blocks and len(library.entries) == 1
    parsed = library.entries[0]
    assert parsed.key == "audioclip"
    assert parsed["title"] == "{AudioCLIP}: Extending {CLIP} to Image, Text and Audio"
    assert parsed["url"] == url
    decoded = bibtexparser.parse_string(entry, append_middleware=[LatexDecodingMiddleware()]).entries[0]
    assert decoded["author"] == "Andrey Guzhov and Jörn Hees"  # the non-ASCII path through bibtexparser


def test_every_golden_bibtex_entry_has_a_url() -> None:
    library = bibtexparser.parse_string((GOLDEN_OUT / "downloads" / "papers.bib").read_text(encoding="utf-8"))
    assert len(library.entries) == 6 and all(e.get("url") for e in library.entries)


def test_csv_pages_are_absolute_under_site_url_and_list_datasets() -> None:
    kb, _ = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None
    model = build_model(kb, INFO)
    text = papers_csv(model.papers, model.taxonomy, site_url=INFO.site_url)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert all(r["page"] == f"https://example.org/kb/papers/{r['id']}/" for r in rows)
    assert {r["id"]: r["datasets"] for r in rows}["alpha"] == "pairs"
    columns = csv_columns(model.taxonomy)
    assert columns.index("datasets") == columns.index("has_code") + 1
    assert all(r["page"] == f"papers/{r['id']}/" for r in csv.DictReader(io.StringIO(
        papers_csv(model.papers, model.taxonomy))))


# ---- the paper page and the curation page ----

def positions(page: str, *needles: str) -> list[int]:
    found = [page.find(n) for n in needles]
    assert -1 not in found, dict(zip(needles, found, strict=True))
    return found


def test_paper_page_puts_the_actions_before_the_summary() -> None:
    page = (GOLDEN_OUT / "papers" / "alpha" / "index.md").read_text(encoding="utf-8")
    order = positions(page, ">Paper</a>", ">Code</a>", "official code", ">Copy BibTeX</a>",
                      'href="../../graph/?focus=alpha">Graph around this paper',
                      'href="../../explore/?cites=alpha">2 papers cite this in the collection',
                      "Two encoders embed", "## Taxonomy", "## Datasets", "## Citations", "## Similar papers",
                      "## BibTeX")
    assert order == sorted(order)


def test_long_citation_lists_show_ten_and_link_to_explore(taxonomy: Taxonomy) -> None:
    from site_builder.site.render.paper_citations import sorted_lists

    kb, _ = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None
    model = build_model(kb, INFO)
    ids = model.ids * 2  # 12 entries: more than the ten shown
    html = sorted_lists(model, ids, "cites=alpha")
    assert 'href="../../explore/?cites=alpha">All 12 in Explore' in html
    by_year, by_count = html.split("<details", 1)
    assert by_year.count("<li>") == 10 and "Sorted by citation count" in by_count


def test_curation_page_lists_each_gap(taxonomy: Taxonomy) -> None:
    kb, _ = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None
    model = build_model(kb, INFO)
    model.built = dt.date(2026, 12, 1)
    page = curation_page(model).decode("utf-8")
    sections = dict(re.findall(r'data-gap="([a-z-]+)">\n(.*?)</ul>', page, re.S))

    def listed(gap: str) -> set[str]:
        return set(re.findall(r'href="\.\./papers/([a-z]+)/"', sections.get(gap, "")))

    assert listed("datasets") == {p.id for p in model.papers if not p.datasets}
    assert listed("code") == {p.id for p in model.papers if not p.links.code}
    assert listed("short-names") == {p.id for p in model.papers if p.kind == "method" and not p.short_name}
    assert listed("preprints") == {"delta"}  # arXiv, 2203.00003: March 2022, more than a year before the build
    assert 'href="https://github.com/example/kb/edit/main/papers/delta.yaml">edit</a>' in page
    model.built = dt.date(2022, 12, 1)
    assert "data-gap=\"preprints\"" not in curation_page(model).decode("utf-8")


def test_preprint_date_comes_from_the_arxiv_id() -> None:
    assert preprint_date(paper(ids={"arxiv": "2106.13043"})) == dt.date(2021, 6, 1)
    assert preprint_date(paper(ids={"arxiv": "cs/0501001"})) == dt.date(2022, 12, 31)


def test_site_model_has_similar_papers_for_every_paper(model_of_golden: SiteModel) -> None:
    assert set(model_of_golden.similar) == set(model_of_golden.ids)


@pytest.fixture
def model_of_golden() -> SiteModel:
    kb, _ = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None
    return build_model(kb, INFO)

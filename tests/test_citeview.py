"""The citation facts the pages show, on the golden knowledge base's hand-made snapshot and on small variants."""

from __future__ import annotations

import datetime as dt

import pytest

from site_builder.citations.facts import CANDIDATE_MIN, Citations, PaperCitations, SurveyCiting, derive_citations
from site_builder.citations.snapshot import dump, load_snapshot
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.site.model import SiteInfo, SiteModel, build_model
from tests.conftest import GOLDEN_KB, KbFactory
from tests.test_graph import record, ref, s2, snapshot_file

INFO = SiteInfo("Test KB", None)
S2 = "https://www.semanticscholar.org/paper/"


@pytest.fixture(scope="module")
def golden() -> SiteModel:
    kb, problems = load_knowledge_base(Project(GOLDEN_KB))
    snapshot = load_snapshot(Project(GOLDEN_KB))
    assert kb is not None and problems == [] and snapshot.problems == []
    return build_model(kb, INFO, snapshot)


def view(model: SiteModel) -> Citations:
    assert model.citations is not None
    return model.citations


def test_dates_and_counts_of_the_collection(golden: SiteModel) -> None:
    cites = view(golden)
    # charlie was fetched a week before the others: the collection's data is as of its date
    assert (cites.as_of, cites.latest, cites.fetched, cites.total, cites.edges) == \
        (dt.date(2026, 11, 20), dt.date(2026, 11, 28), 5, 6, 7)


def test_per_paper_facts_in_display_order(golden: SiteModel) -> None:
    papers = view(golden).papers
    assert papers["alpha"] == PaperCitations("ok", dt.date(2026, 11, 28), 1520, 210, S2 + "a1" * 20,
                                             cites=["echo", "charlie"], cited_by=["delta", "bravo"])
    assert papers["delta"].cites == ["alpha", "bravo", "echo"]  # found by arXiv id with a version and by DOI case
    assert papers["echo"] == PaperCitations("not-fetched", None, None, None, None, [], ["delta", "alpha"])
    assert papers["xss"] == PaperCitations("not-found", dt.date(2026, 11, 28), None, None, None, [], [])
    assert papers["charlie"].fetched == dt.date(2026, 11, 20)


def test_most_cited_and_candidates(golden: SiteModel) -> None:
    cites = view(golden)
    assert cites.most_cited == [("alpha", 2), ("charlie", 2), ("echo", 2), ("bravo", 1)]
    assert CANDIDATE_MIN == 3 and cites.candidate_min == 3
    # Deep Residual Learning is referenced by two papers only: below the threshold
    assert [(c.title, c.cited_by) for c in cites.candidates] == [
        ("<script>alert(2)</script> An Outside *Paper* [x](javascript:alert(2))", ("alpha", "charlie", "delta")),
        ("Attention Is All You Need", ("alpha", "bravo", "delta")),
    ]


def test_citations_within_a_set_of_papers(golden: SiteModel) -> None:
    within = view(golden).within(["alpha", "bravo", "delta"])
    assert (within.edges, within.top) == (3, [("alpha", 2), ("bravo", 1)])
    assert view(golden).within(["xss"]).edges == 0


def test_no_snapshot_means_no_citation_view(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": record("a", "contrastive", arxiv="2101.00001")})
    kb_, _ = load_knowledge_base(Project(root))
    assert kb_ is not None
    assert build_model(kb_, INFO, load_snapshot(Project(root))).citations is None
    assert build_model(kb_, INFO).citations is None


def test_snapshot_files_of_removed_records_are_ignored(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": record("a", "contrastive", arxiv="2101.00001"),
               "data/semantic-scholar/gone.json": snapshot_file("gone", [ref("a", arxiv="2101.00001")])})
    kb_, _ = load_knowledge_base(Project(root))
    assert kb_ is not None
    snapshot = load_snapshot(Project(root))
    assert derive_citations(list(kb_.papers.values()), snapshot) is None


def test_survey_citing_papers_from_the_snapshot(kb: KbFactory) -> None:
    survey = {"schema": 1, "id": "ssml-survey", "fetched": "2026-11-25", "resolved_by": "ARXIV:2304.01008",
              "record_key": "k", "status": "ok", "paper": {"paperId": s2("s"), "title": "SSML survey"},
              "references": [], "citations": [
                  {"paperId": s2("x"), "title": "Outside Citing", "year": 2024, "venue": "",
                   "externalIds": {"DOI": "10.1000/xyz"}, "authors": [{"authorId": "1", "name": "Ann Lee"}]},
                  {"paperId": s2("a"), "title": "A as S2 names it", "year": 2023, "externalIds": None},
                  {"paperId": s2("n"), "title": None, "year": None, "externalIds": {}}]}
    root = kb({"papers/a.yaml": record("a", "contrastive", arxiv="2101.00001"),
               "papers/ssml-survey.yaml": record("ssml-survey", "contrastive", arxiv="2304.01008"),
               "data/semantic-scholar/a.json": snapshot_file("a", []),
               "data/semantic-scholar/ssml-survey.json": dump(survey)})
    kb_, _ = load_knowledge_base(Project(root))
    assert kb_ is not None
    model = build_model(kb_, INFO, load_snapshot(Project(root)))
    assert view(model).survey_citing == [
        SurveyCiting("Outside Citing", ["Ann Lee"], 2024, None, "https://doi.org/10.1000/xyz", None),
        SurveyCiting("A as S2 names it", [], 2023, None, S2 + s2("a"), "a"),  # matched by the record's S2 id
        SurveyCiting("(untitled on Semantic Scholar)", [], None, None, S2 + s2("n"), None),
    ]


def test_within_matches_counting_by_hand_on_a_random_graph() -> None:
    import datetime as dt
    import random
    from collections import Counter

    from site_builder.citations.facts import Citations, PaperCitations

    rng = random.Random(7)
    ids = [f"p{i:03d}" for i in range(300)]
    cites = {pid: sorted(set(rng.sample(ids, rng.randint(0, 12))) - {pid}) for pid in ids}
    day = dt.date(2026, 1, 1)
    view = Citations(day, day, len(ids), len(ids), None)
    view.papers = {pid: PaperCitations("ok", day, 0, 0, None, cites[pid], []) for pid in ids}
    for trial in range(20):
        members = rng.sample(ids, rng.randint(1, 300))
        chosen = set(members)
        counts = Counter(q for pid in members for q in cites[pid] if q in chosen)
        expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        found = view.within(members)
        assert (found.edges, found.top) == (sum(counts.values()), expected), trial


def test_per_paper_lists_follow_the_display_order_on_a_random_graph() -> None:
    import random
    from types import SimpleNamespace

    from site_builder.citations.facts import CitationCore, citation_view

    rng = random.Random(11)
    ids = [f"p{i:03d}" for i in range(200)]
    edges = sorted({(a, b) for a in ids for b in rng.sample(ids, rng.randint(0, 9)) if a != b})
    shown = rng.sample(ids, len(ids))  # the display order
    papers = [SimpleNamespace(id=pid, title=f"T {pid}", year=2020, kind="method") for pid in shown]
    day = dt.date(2026, 1, 1)
    core = CitationCore({pid: ("ok", day, 1, 0, None) for pid in ids}, [(a, b, {}) for a, b in edges], [], None)
    found = citation_view(papers, core)  # type: ignore[arg-type]
    assert found is not None
    rank = {pid: i for i, pid in enumerate(shown)}
    for pid in ids:
        assert found.papers[pid].cites == sorted((b for a, b in edges if a == pid), key=rank.__getitem__)
        assert found.papers[pid].cited_by == sorted((a for a, b in edges if b == pid), key=rank.__getitem__)
    kept = found.edge_arrays()  # the view's citation arrays, made with the lists, are what edge_arrays works out
    found._arrays = None
    again = found.edge_arrays()
    assert kept[0] == again[0] and (kept[1] == again[1]).all() and (kept[2] == again[2]).all()

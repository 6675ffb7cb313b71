"""Cross-record checks on tiny knowledge bases."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.checks.collection import _STOPWORDS, title_words
from site_builder.checks.validate import validate
from site_builder.kb.project import Project
from tests.conftest import KbFactory, paper_yaml

CODE = "\n  code:\n    - url: https://github.com/org/Repo{suffix}\n      official: true{shared}"


def codes(root: Path) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in validate(Project(root)).problems]


def test_same_repository_on_two_records_is_flagged(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a", ids="\n  arxiv: '2101.00001'", links=CODE.format(suffix="", shared="")),
               "papers/b.yaml": paper_yaml("b", ids="\n  arxiv: '2101.00002'",
                                           links=CODE.format(suffix=".git/", shared=""))})
    assert codes(root) == [("papers/b.yaml", "duplicate-code")]


def test_repository_marked_shared_may_serve_two_records(kb: KbFactory) -> None:
    shared = "\n      shared: true"
    root = kb({"papers/a.yaml": paper_yaml("a", ids="\n  arxiv: '2101.00001'",
                                           links=CODE.format(suffix="", shared=shared)),
               "papers/b.yaml": paper_yaml("b", ids="\n  arxiv: '2101.00002'",
                                           links=CODE.format(suffix="", shared=shared))})
    assert codes(root) == []


def test_near_duplicate_titles_are_flagged_once(kb: KbFactory) -> None:
    root = kb({
        "papers/a.yaml": paper_yaml("a", ids="\n  arxiv: '2101.00001'",
                                    title="'Learning Transferable Visual Models From Natural Language Supervision'"),
        "papers/b.yaml": paper_yaml("b", ids="\n  arxiv: '2101.00002'",
                                    title="'Learning transferable visual models from natural-language supervision.'"),
        "papers/c.yaml": paper_yaml("c", ids="\n  arxiv: '2101.00003'",
                                    title="'Learning Transferable Audio Models From Speech'"),
    })
    assert codes(root) == [("papers/b.yaml", "similar-title")]


def test_shared_summary_sentence_is_flagged(kb: KbFactory) -> None:
    text = "'Learns a joint space of images and text. Uses a big batch of web pairs for training.'"
    other = "'Learns audio features from video. Uses a big batch of web pairs for training.'"
    root = kb({"papers/a.yaml": paper_yaml("a", ids="\n  arxiv: '2101.00001'", summary=text),
               "papers/b.yaml": paper_yaml("b", ids="\n  arxiv: '2101.00002'", summary=other)})
    assert codes(root) == [("papers/b.yaml", "duplicate-sentence")]


def _stem_by_rule(word: str) -> str:
    for suffix in ("ings", "ing", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="aeginsdtx", min_size=1, max_size=8), max_size=6))
def test_title_words_stems_by_the_documented_rule(words: list[str]) -> None:
    expected = frozenset(_stem_by_rule(w) for w in words if w not in _STOPWORDS)
    assert title_words(" ".join(words)) == expected


_MARKUPISH = st.text(alphabet=st.sampled_from(list("<>&#;]()[ :/ascriptdatjvbSCRIPTDATAJVB\u017f\u0130\u212a xy1")),
                     max_size=40)


@settings(max_examples=400)
@given(st.one_of(_MARKUPISH, st.text(max_size=40)))
def test_the_quick_markup_filter_never_drops_a_match(text: str) -> None:
    from site_builder.checks.per_record import _MARKUP, _maybe_markup

    if _MARKUP.search(text):
        assert _maybe_markup(text)


def test_records_by_id_keep_the_first_file_when_ids_clash(kb: KbFactory) -> None:
    from site_builder.kb.records import load_knowledge_base

    root = kb({"papers/a.yaml": paper_yaml("same", title="First"),
               "papers/b.yaml": paper_yaml("other", ids="\n  arxiv: '2101.00002'"),
               "papers/c.yaml": paper_yaml("same", title="Second", ids="\n  arxiv: '2101.00003'")})
    loaded, _ = load_knowledge_base(Project(root), use_cache=False)
    assert loaded is not None
    assert list(loaded.papers) == ["same", "other"] and loaded.papers["same"].title == "First"
    assert ("papers/c.yaml", "duplicate-id") in codes(root)


def test_a_short_name_on_two_records_is_flagged_ignoring_case(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a", ids="\n  arxiv: '2101.00001'", short_name="[CLIP]"),
               "papers/b.yaml": paper_yaml("b", ids="\n  arxiv: '2101.00002'", short_name="[Clip, CLIP-2]"),
               "papers/c.yaml": paper_yaml("c", ids="\n  arxiv: '2101.00003'", short_name="[ALIGN]")})
    assert codes(root) == [("papers/b.yaml", "duplicate-short-name")]


def test_short_names_with_surrounding_spaces_or_too_long_are_refused(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a", short_name="[' CLIP']"),
               "papers/b.yaml": paper_yaml("b", ids="\n  arxiv: '2101.00002'", short_name="[" + "X" * 41 + "]")})
    problems = validate(Project(root)).problems
    assert sorted(p.path for p in problems if p.severity == "error") == ["papers/a.yaml", "papers/b.yaml"]
    assert any("leading or trailing spaces" in p.message for p in problems)


UNIMODAL_TAGS = "\n  objective: [clustering]\n  modality: [image]"


def test_a_unimodal_method_may_leave_architecture_empty(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a", tags=UNIMODAL_TAGS),
               "papers/b.yaml": paper_yaml("b", ids="\n  arxiv: '2101.00002'",
                                           tags="\n  objective: [contrastive]\n  modality: [image, text]"),
               "papers/c.yaml": paper_yaml("c", ids="\n  arxiv: '2101.00003'",
                                           tags="\n  objective: [contrastive]\n  modality: []")})
    found = codes(root)
    assert ("papers/a.yaml", "missing-tag") not in found
    assert found.count(("papers/b.yaml", "missing-tag")) == 1  # two modalities: architecture still required
    assert found.count(("papers/c.yaml", "missing-tag")) == 2  # no modality: both modality and architecture


def test_arxiv_venue_with_a_published_doi_is_flagged(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a", venue="arXiv", year="2021",
                                           ids="\n  arxiv: '2101.00001'\n  doi: 10.1109/CVPR.2021.00001"),
               "papers/b.yaml": paper_yaml("b", venue="arXiv", year="2021",
                                           ids="\n  arxiv: '2101.00002'\n  doi: 10.48550/arXiv.2101.00002"),
               "papers/c.yaml": paper_yaml("c", venue="CVPR 2021", year="2021",
                                           ids="\n  arxiv: '2101.00003'\n  doi: 10.1109/CVPR.2021.00003"),
               "papers/d.yaml": paper_yaml("d", venue="arXiv", year="2021", ids="\n  arxiv: '2101.00004'")})
    assert codes(root) == [("papers/a.yaml", "arxiv-venue-with-doi")]


def test_arxiv_venue_with_a_year_is_flagged(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a", venue="arXiv 2021", year="2021", ids="\n  arxiv: '2101.00001'"),
               "papers/b.yaml": paper_yaml("b", venue="arXiv", year="2021", ids="\n  arxiv: '2101.00002'"),
               "papers/c.yaml": paper_yaml("c", venue="ArXiv Workshop on X 2021", year="2021",
                                           ids="\n  arxiv: '2101.00003'")})
    assert codes(root) == [("papers/a.yaml", "arxiv-venue-with-year"), ("papers/c.yaml", "arxiv-venue-with-year")]


def test_implicit_together_with_explicit_is_flagged(kb: KbFactory) -> None:
    both = "\n  objective: [contrastive]\n  architecture: [fusion-encoder]\n  alignment: [implicit, explicit]" \
           "\n  modality: [image, text]"
    one = both.replace("implicit, explicit", "explicit")
    root = kb({"papers/a.yaml": paper_yaml("a", tags=both),
               "papers/b.yaml": paper_yaml("b", ids="\n  arxiv: '2101.00002'", tags=one),
               "papers/c.yaml": paper_yaml("c", ids="\n  arxiv: '2101.00003'", kind="survey", tags=both)})
    assert codes(root) == [("papers/a.yaml", "implicit-and-explicit")]  # a survey covers both topics

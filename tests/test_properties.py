"""Property-based tests: arbitrary input never raises anything but the project's own problem records."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.kb.models import Paper
from site_builder.kb.problems import Problem
from site_builder.kb.records import load_record
from site_builder.kb.yamlio import parse_text, read_yaml
from tests.conftest import paper_yaml

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# YAML-ish alphabet: structure characters are frequent so the parser gets deep into documents.
yamlish = st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`,? \n\t\\") + list("abcxyz019") +
                                          ["\x00", "\x07", "\u00e9", "\ufeff", "\u2028"]), max_size=300)


@SETTINGS
@given(st.one_of(st.text(max_size=400), yamlish))
def test_parse_text_returns_data_or_problems(text: str) -> None:
    doc = parse_text(text, "x.yaml")
    assert all(isinstance(p, Problem) for p in doc.problems)
    assert (doc.data is None) == bool(doc.problems)
    for p in doc.problems:
        assert p.code and p.message and p.path == "x.yaml"


@SETTINGS
@given(st.binary(max_size=400))
def test_read_yaml_accepts_any_bytes(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(raw)
    doc = read_yaml(path, "x.yaml")
    assert all(isinstance(p, Problem) for p in doc.problems)


# Mutations of a valid record: replace one line by arbitrary text, or splice random characters in.
BASE = paper_yaml("clip")


@SETTINGS
@given(st.integers(min_value=0, max_value=len(BASE)), st.integers(min_value=0, max_value=40), yamlish)
def test_mutated_records_load_or_report(tmp_path: Path, start: int, length: int, insert: str) -> None:
    text = BASE[:start] + insert + BASE[start + length:]
    path = tmp_path / "clip.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    entry, problems = load_record(path, "papers/clip.yaml", Paper)
    assert all(isinstance(p, Problem) for p in problems)
    assert (entry is None) == bool(problems)
    for p in problems:
        assert p.line is None or 1 <= p.line <= text.count("\n") + 2


# BibTeX: arbitrary text, and mutations of a well-formed entry, give drafts or located problems, nothing else.
from site_builder.tools.add.bibtex import parse_bibtex  # noqa: E402

ENTRY = ("@inproceedings{radford2021clip,\n  title = {Learning Transferable Visual Models From {N}atural Language},\n"
         "  author = {Radford, Alec and Kim, Jong Wook and others},\n  booktitle = {ICML},\n  year = {2021},\n"
         "  eprint = {2103.00020},\n  doi = {10.48550/arXiv.2103.00020}\n}\n")
bibish = st.text(alphabet=st.sampled_from(list("@{}=,\"\\%#~^'`$ \n\tabcxyz019") + ["\u00e9", "\x00"]),
                 max_size=300)


@SETTINGS
@given(st.one_of(st.text(max_size=300), bibish))
def test_bibtex_text_gives_drafts_or_problems(text: str) -> None:
    _drafts, problems = parse_bibtex(text, "refs.bib")
    assert all(isinstance(p, Problem) for p in problems)
    for p in problems:
        assert p.path == "refs.bib" and p.code
        assert p.line is None or 1 <= p.line <= text.count("\n") + 1


@SETTINGS
@given(st.integers(min_value=0, max_value=len(ENTRY)), st.integers(min_value=0, max_value=30), bibish)
def test_mutated_bibtex_entries_give_drafts_or_problems(start: int, length: int, insert: str) -> None:
    text = ENTRY[:start] + insert + ENTRY[start + length:]
    drafts, problems = parse_bibtex(text, "refs.bib")
    assert all(isinstance(p, Problem) for p in problems)
    for draft in drafts:
        assert isinstance(draft.title, str | None)

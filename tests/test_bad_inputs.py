"""Bad records: each gives the exact code at the exact line (and never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.checks.validate import validate
from site_builder.kb.project import Project
from tests.conftest import KbFactory, dataset_yaml, paper_yaml

TAGS = "\n  objective: [contrastive]\n  architecture: [fusion-free]\n  modality: [image, text]"

# (id, files, expected (path, line, code) of the first error)
CASES: list[tuple[str, dict[str, str | bytes], tuple[str, int | None, str]]] = [
    ("yaml-syntax", {"papers/clip.yaml": "id: clip\ntitle: [unclosed\n"}, ("papers/clip.yaml", 2, "yaml-syntax")),
    ("tab-indent", {"papers/clip.yaml": "id: clip\nids:\n\tarxiv: '1'\n"}, ("papers/clip.yaml", 3, "yaml-tab")),
    ("duplicate-top-key", {"papers/clip.yaml": paper_yaml() + "title: Again\n"},
     ("papers/clip.yaml", 22, "duplicate-key")),
    ("duplicate-nested-key", {"papers/clip.yaml": paper_yaml(ids='\n  arxiv: "2103.00020"\n  arxiv: "2103.00021"')},
     ("papers/clip.yaml", 11, "duplicate-key")),
    ("empty-file", {"papers/clip.yaml": ""}, ("papers/clip.yaml", 1, "empty-file")),
    ("list-not-mapping", {"papers/clip.yaml": "- id: clip\n"}, ("papers/clip.yaml", 1, "not-a-mapping")),
    ("scalar-not-mapping", {"papers/clip.yaml": "just text\n"}, ("papers/clip.yaml", 1, "not-a-mapping")),
    ("bom", {"papers/clip.yaml": b"\xef\xbb\xbf" + paper_yaml().encode()}, ("papers/clip.yaml", 1, "encoding-bom")),
    ("utf16", {"papers/clip.yaml": paper_yaml().encode("utf-16")}, ("papers/clip.yaml", 1, "encoding")),
    ("latin1", {"papers/clip.yaml": paper_yaml(title="Caf\u00e9 Models").encode("latin-1")},
     ("papers/clip.yaml", 2, "encoding")),
    ("binary", {"papers/clip.yaml": b"id: clip\n\x00\x01\x02"}, ("papers/clip.yaml", 2, "binary-file")),
    ("python-tag", {"papers/clip.yaml": "id: !!python/object/apply:os.system ['true']\n"},
     ("papers/clip.yaml", 1, "yaml-tag")),
    ("two-documents", {"papers/clip.yaml": paper_yaml() + "---\nid: other\n"},
     ("papers/clip.yaml", 22, "yaml-multiple-documents")),
    ("unknown-key", {"papers/clip.yaml": paper_yaml() + "titel: x\n"}, ("papers/clip.yaml", 22, "unknown-key")),
    ("missing-title", {"papers/clip.yaml": paper_yaml(title=None)}, ("papers/clip.yaml", 1, "missing-field")),
    ("wrong-type-year", {"papers/clip.yaml": paper_yaml(year="[2021]")}, ("papers/clip.yaml", 6, "wrong-type")),
    ("unquoted-arxiv", {"papers/clip.yaml": paper_yaml(ids="\n  arxiv: 2103.00020")},
     ("papers/clip.yaml", 10, "wrong-type")),
    ("bad-arxiv", {"papers/clip.yaml": paper_yaml(ids="\n  arxiv: 'arXiv:2103.00020v2'")},
     ("papers/clip.yaml", 10, "bad-arxiv")),
    ("bad-doi", {"papers/clip.yaml": paper_yaml(ids="\n  doi: https://doi.org/10.1/x")},
     ("papers/clip.yaml", 10, "bad-doi")),
    ("javascript-url", {"papers/clip.yaml": paper_yaml(links="\n  paper: 'javascript:alert(1)'")},
     ("papers/clip.yaml", 12, "bad-url")),
    ("http-url", {"papers/clip.yaml": paper_yaml(links="\n  project: http://example.org")},
     ("papers/clip.yaml", 12, "bad-url")),
    ("year-out-of-range", {"papers/clip.yaml": paper_yaml(year="3021", venue="arXiv")},
     ("papers/clip.yaml", 6, "bad-year")),
    ("venue-year", {"papers/clip.yaml": paper_yaml(venue="CVPR 2019")}, ("papers/clip.yaml", 7, "venue-year")),
    ("bad-kind", {"papers/clip.yaml": paper_yaml(kind="paper")}, ("papers/clip.yaml", 8, "bad-value")),
    ("id-with-dots", {"papers/clip.yaml": paper_yaml(pid="../etc")}, ("papers/clip.yaml", 1, "bad-id")),
    ("id-uppercase", {"papers/clip.yaml": paper_yaml(pid="CLIP")}, ("papers/clip.yaml", 1, "bad-id")),
    ("id-windows-reserved", {"papers/con.yaml": paper_yaml(pid="con")}, ("papers/con.yaml", 1, "bad-id")),
    ("id-lookalike-unicode", {"papers/clip.yaml": paper_yaml(pid="cl\u0456p")}, ("papers/clip.yaml", 1, "bad-id")),
    ("id-mismatch", {"papers/clip.yaml": paper_yaml(pid="clip2")}, ("papers/clip.yaml", 1, "id-mismatch")),
    ("unknown-tag", {"papers/clip.yaml": paper_yaml(tags=TAGS.replace("fusion-free", "fusion-fre"))},
     ("papers/clip.yaml", 18, "unknown-tag")),
    ("missing-objective",
     {"papers/clip.yaml": paper_yaml(tags="\n  architecture: [fusion-free]\n  modality: [image]")},
     ("papers/clip.yaml", 16, "missing-tag")),
    ("unknown-dataset", {"papers/clip.yaml": paper_yaml(datasets="[coco]")},
     ("papers/clip.yaml", 22, "unknown-dataset")),
    ("duplicate-doi", {"papers/a.yaml": paper_yaml("a", ids="\n  doi: 10.1234/ABC"),
                       "papers/b.yaml": paper_yaml("b", ids="\n  doi: 10.1234/abc")},
     ("papers/b.yaml", 10, "duplicate-doi")),
    ("empty-authors", {"papers/clip.yaml": paper_yaml(authors="[]")}, ("papers/clip.yaml", 3, "empty-list")),
    ("blank-summary", {"papers/clip.yaml": paper_yaml(summary="'  '")}, ("papers/clip.yaml", 20, "empty-text")),
    ("bad-date", {"papers/clip.yaml": paper_yaml(added="yesterday")}, ("papers/clip.yaml", 21, "wrong-type")),
    ("dataset-bad-category", {"datasets/coco.yaml": dataset_yaml(category="photos")},
     ("datasets/coco.yaml", 3, "bad-value")),
    ("dataset-cycle", {"datasets/a.yaml": dataset_yaml("a", derived_from="[b]"),
                       "datasets/b.yaml": dataset_yaml("b", derived_from="[a]")},
     ("datasets/b.yaml", 13, "dataset-cycle")),
    ("dataset-unknown-modality", {"datasets/coco.yaml": dataset_yaml(modalities="[image, txt]")},
     ("datasets/coco.yaml", 4, "unknown-tag")),
]


@pytest.mark.parametrize(("files", "expected"), [(f, e) for _id, f, e in CASES], ids=[c[0] for c in CASES])
def test_bad_input_reports_code_and_line(kb: KbFactory, files: dict[str, str | bytes],
                                         expected: tuple[str, int | None, str]) -> None:
    root = kb(files)
    result = validate(Project(root))
    errors = [(p.path, p.line, p.code) for p in result.problems if p.severity == "error"]
    assert result.failed
    assert errors[0] == expected, errors


def test_there_are_at_least_25_cases() -> None:
    assert len({c[0] for c in CASES}) >= 25


def test_huge_file_is_refused_without_reading(kb: KbFactory) -> None:
    root = kb()
    big = root / "papers" / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    result = validate(Project(root))
    assert [(p.path, p.code) for p in result.problems] == [("papers/big.yaml", "file-too-large")]


def test_stray_files_are_reported(kb: KbFactory) -> None:
    root = kb({"papers/clip.yml": paper_yaml()})
    result = validate(Project(root))
    assert [(p.path, p.severity, p.code) for p in result.problems] == [("papers/clip.yml", "warning", "stray-file")]


def test_record_outside_the_folders_is_checked_as_a_paper(kb: KbFactory, tmp_path: Path) -> None:
    root = kb()
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(paper_yaml(pid="elsewhere", kind="methd"), encoding="utf-8")
    result = validate(Project(root), [outside])
    assert [p.code for p in result.problems] == ["bad-value"]

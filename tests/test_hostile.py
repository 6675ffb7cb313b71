"""The hostile-input corpus (tests/hostile/files): every file, run through the real command line, exits 1 with
its exact problem (path:line:col and a stable code) and never a traceback; bombs are refused in bounded memory.

Each case is placed into a fresh knowledge base holding the repository's taxonomy and one valid paper
(papers/clip.yaml), then ``site-builder validate --strict --format json`` runs in a subprocess.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, KbFactory, paper_yaml

FILES = Path(__file__).parent / "hostile" / "files"
MIB = 1024 * 1024

# case -> (files placed as {source name: destination}, expected problem (path, line, col, code))
P = "papers/"
CASES: dict[str, tuple[dict[str, str], tuple[str, int | None, int | None, str]]] = {
    "alias-bomb": ({"alias-bomb.yaml": P}, ("papers/alias-bomb.yaml", 5, 25, "yaml-alias-bomb")),
    "authors-not-list": ({"authors-not-list.yaml": P}, ("papers/authors-not-list.yaml", 3, 10, "wrong-type")),
    "windows-reserved-id": ({"aux.yaml": P}, ("papers/aux.yaml", 1, 5, "bad-id")),
    "impossible-date": ({"bad-date.yaml": P}, ("papers/bad-date.yaml", 21, 8, "yaml-value")),
    "binary-png": ({"binary-png.yaml": P}, ("papers/binary-png.yaml", 3, 1, "binary-file")),
    "byte-order-mark": ({"bom.yaml": P}, ("papers/bom.yaml", 1, 1, "encoding-bom")),
    "control-character": ({"control-char.yaml": P}, ("papers/control-char.yaml", 2, 14, "yaml-control-character")),
    "data-url": ({"data-url.yaml": P}, ("papers/data-url.yaml", 13, 12, "bad-url")),
    "dataset-cycle": ({"dataset-cycle-a.yaml": "datasets/", "dataset-cycle-b.yaml": "datasets/"},
                      ("datasets/dataset-cycle-b.yaml", 13, 16, "dataset-cycle")),
    "dataset-path-traversal": ({"dataset-traversal.yaml": P}, ("papers/dataset-traversal.yaml", 22, 12, "bad-id")),
    "deep-nesting": ({"deep-nesting.yaml": P}, ("papers/deep-nesting.yaml", 2, 39, "yaml-too-deep")),
    "deep-block-nesting": ({"deep-nesting-block.yaml": P}, ("papers/deep-nesting-block.yaml", 34, 65,
                                                             "yaml-too-deep")),
    "duplicate-key-ids": ({"dup-key-ids.yaml": P}, ("papers/dup-key-ids.yaml", 11, 3, "duplicate-key")),
    "duplicate-key-in-list": ({"dup-key-in-list.yaml": P}, ("papers/dup-key-in-list.yaml", 15, 7, "duplicate-key")),
    "duplicate-key-tags": ({"dup-key-tags.yaml": P}, ("papers/dup-key-tags.yaml", 19, 3, "duplicate-key")),
    "duplicate-key-top": ({"dup-key-top.yaml": P}, ("papers/dup-key-top.yaml", 22, 1, "duplicate-key")),
    "empty-file": ({"empty.yaml": P}, ("papers/empty.yaml", 1, 1, "empty-file")),
    "character-references": ({"entity-notes.yaml": P}, ("papers/entity-notes.yaml", 22, 8, "markup-in-text")),
    "file-url": ({"file-url.yaml": P}, ("papers/file-url.yaml", 12, 12, "bad-url")),
    "html-in-summary": ({"html-summary.yaml": P}, ("papers/html-summary.yaml", 20, 10, "markup-in-text")),
    "script-in-title": ({"html-title.yaml": P}, ("papers/html-title.yaml", 2, 8, "markup-in-text")),
    "http-url": ({"http-url.yaml": P}, ("papers/http-url.yaml", 12, 8, "bad-url")),
    "absolute-path-id": ({"id-absolute.yaml": P}, ("papers/id-absolute.yaml", 1, 5, "bad-id")),
    "dotdot-id": ({"id-dotdot.yaml": P}, ("papers/id-dotdot.yaml", 1, 5, "bad-id")),
    "lookalike-unicode-id": ({"id-lookalike.yaml": P}, ("papers/id-lookalike.yaml", 1, 5, "bad-id")),
    "id-not-file-name": ({"id-mismatch.yaml": P}, ("papers/id-mismatch.yaml", 1, 5, "id-mismatch")),
    "javascript-url": ({"javascript-url.yaml": P}, ("papers/javascript-url.yaml", 12, 10, "bad-url")),
    "latin-1": ({"latin1.yaml": P}, ("papers/latin1.yaml", 2, 11, "encoding")),
    "list-instead-of-mapping": ({"list-root.yaml": P}, ("papers/list-root.yaml", 1, 1, "not-a-mapping")),
    "markdown-link-in-venue": ({"markdown-link-venue.yaml": P}, ("papers/markdown-link-venue.yaml", 7, 8,
                                                                  "markup-in-text")),
    "merge-key": ({"merge-key.yaml": P}, ("papers/merge-key.yaml", 7, 1, "yaml-merge-key")),
    "nul-byte": ({"nul-byte.yaml": P}, ("papers/nul-byte.yaml", 6, 9, "binary-file")),
    "python-object-tag": ({"python-tag.yaml": P}, ("papers/python-tag.yaml", 1, 5, "yaml-tag")),
    "scalar-instead-of-mapping": ({"scalar-root.yaml": P}, ("papers/scalar-root.yaml", 1, 1, "not-a-mapping")),
    "script-in-author": ({"script-author.yaml": P}, ("papers/script-author.yaml", 4, 5, "markup-in-text")),
    "summary-too-long": ({"summary-too-long.yaml": P}, ("papers/summary-too-long.yaml", 20, 10, "too-long")),
    "bad-indentation": ({"syntax-bad-indent.yaml": P}, ("papers/syntax-bad-indent.yaml", 3, 7, "yaml-syntax")),
    "unclosed-flow": ({"syntax-unclosed-flow.yaml": P}, ("papers/syntax-unclosed-flow.yaml", 2, 8, "yaml-syntax")),
    "tab-indentation": ({"tab-indent.yaml": P}, ("papers/tab-indent.yaml", 3, 1, "yaml-tab")),
    "tags-as-list": ({"tags-as-list.yaml": P}, ("papers/tags-as-list.yaml", 16, 7, "wrong-type")),
    "taxonomy-missing-facet": ({"taxonomy-missing-facet.yaml": "taxonomy.yaml"},
                               ("taxonomy.yaml", 7, 3, "taxonomy-missing-facet")),
    "taxonomy-missing-node": ({"taxonomy-missing-node.yaml": "taxonomy.yaml"},
                              ("papers/clip.yaml", 17, 15, "unknown-tag")),
    "taxonomy-node-without-id": ({"taxonomy-node-without-id.yaml": "taxonomy.yaml"},
                                 ("taxonomy.yaml", 24, 9, "missing-field")),
    "taxonomy-repeated-node": ({"taxonomy-repeated-node.yaml": "taxonomy.yaml"},
                               ("taxonomy.yaml", 24, 13, "taxonomy-duplicate-node")),
    "title-too-long": ({"title-too-long.yaml": P}, ("papers/title-too-long.yaml", 2, 8, "too-long")),
    "two-documents": ({"two-documents.yaml": P}, ("papers/two-documents.yaml", 22, 1, "yaml-multiple-documents")),
    "unknown-dataset": ({"unknown-dataset.yaml": P}, ("papers/unknown-dataset.yaml", 22, 12, "unknown-dataset")),
    "unknown-key-nested": ({"unknown-key-nested.yaml": P}, ("papers/unknown-key-nested.yaml", 12, 3, "unknown-key")),
    "unknown-key-top": ({"unknown-key-top.yaml": P}, ("papers/unknown-key-top.yaml", 22, 1, "unknown-key")),
    "unknown-tag": ({"unknown-tag.yaml": P}, ("papers/unknown-tag.yaml", 17, 15, "unknown-tag")),
    "utf-16": ({"utf16.yaml": P}, ("papers/utf16.yaml", 1, 1, "encoding")),
    "whitespace-only": ({"whitespace-only.yaml": P}, ("papers/whitespace-only.yaml", 1, 1, "empty-file")),
    "year-float": ({"year-float.yaml": P}, ("papers/year-float.yaml", 6, 7, "wrong-type")),
    "year-word": ({"year-word.yaml": P}, ("papers/year-word.yaml", 6, 7, "wrong-type")),
    "unicode-line-separator": ({"line-separator.yaml": P}, ("papers/line-separator.yaml", 2, 14, "yaml-line-break")),
    "huge-file": ({}, ("papers/huge.yaml", 1, 1, "file-too-large")),
}


@dataclass
class Outcome:
    """What one validate run printed."""

    status: int
    problems: list[tuple[str, int | None, int | None, str]]
    stderr: str
    max_rss_mib: float


#: Runs the real CLI (what ``python -m site_builder`` runs) and writes the process's own peak memory (VmHWM, in
#: KiB) to the file named first. The rusage of a child would not do: Linux counts in it the memory of the test
#: process the child was started from, before it became the CLI.
PEAK_WRAPPER = """
import sys
from site_builder.cli.commands import main
try:
    code = main(sys.argv[2:])
finally:
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(sys.argv[1], "w", encoding="ascii") as out:
        out.write(peak)
sys.exit(code)
"""


def _run(name: str) -> Outcome:
    placements, _expected = CASES[name]
    root = Path(tempfile.mkdtemp(prefix=f"hostile-{name}-"))
    try:
        for folder in ("papers", "datasets"):
            (root / folder).mkdir()
        shutil.copy(REPO / "taxonomy.yaml", root / "taxonomy.yaml")
        (root / "papers" / "clip.yaml").write_text(paper_yaml("clip"), encoding="utf-8")
        for source, dest in placements.items():
            target = root / dest / source if dest.endswith("/") else root / dest
            shutil.copy(FILES / source, target)
        if name == "huge-file":
            with open(root / "papers" / "huge.yaml", "wb") as fh:
                fh.write(b"id: huge\n")
                fh.truncate(50 * MIB)
        out_path, err_path, peak_path = root / "stdout", root / "stderr", root / "peak"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, str(peak_path), "validate", "--strict",
                                   "--format", "json", "--root", str(root)], stdout=out, stderr=err, cwd=REPO)
        doc = json.loads(out_path.read_text(encoding="utf-8"))
        problems = [(p["path"], p["line"], p["col"], p["code"]) for p in doc["problems"]]
        return Outcome(proc.returncode, problems, err_path.read_text(encoding="utf-8"),
                       int(peak_path.read_text(encoding="ascii")) / 1024)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(CASES, pool.map(_run, CASES), strict=True))


def test_corpus_is_large_and_every_file_is_used() -> None:
    used = {source for placements, _ in CASES.values() for source in placements} | set(BIB_CASES)
    assert len(CASES) + len(BIB_CASES) >= 40
    assert used == {p.name for p in FILES.iterdir()}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    assert outcome.status == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert outcome.stderr == ""
    assert CASES[name][1] in outcome.problems, outcome.problems
    assert outcome.max_rss_mib < 200, f"peak memory {outcome.max_rss_mib:.0f} MiB"


# BibTeX given to `site-builder add --bibtex`: file -> (line, code) of the problem it must produce.
BIB_CASES: dict[str, tuple[int | None, str]] = {
    "broken-brace.bib": (8, "bibtex-syntax"),
    "deep-braces.bib": (1, "bibtex-syntax"),
    "latin1.bib": (2, "encoding"),
    "no-entries.bib": (None, "bibtex-empty"),
    "binary.bib": (1, "encoding"),
}


@pytest.mark.parametrize("name", list(BIB_CASES))
def test_hostile_bibtex(name: str, kb: KbFactory) -> None:
    root = kb()
    source = FILES / name
    proc = subprocess.run([sys.executable, "-m", "site_builder", "add", "--root", str(root), "--bibtex", str(source),
                           "--dry-run"], capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    line, code = BIB_CASES[name]
    where = f"{source}:{line}" if line is not None else f"{source}"
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stderr == ""
    assert f"{where}: error [{code}]" in proc.stdout, proc.stdout
    assert not list((root / "papers").iterdir())

"""The safe YAML reader: positions, duplicate keys at any depth, bombs, depth, encodings."""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc
from pathlib import Path

import pytest

from site_builder.kb.yamlio import MAX_BYTES, parse_text, read_yaml


def codes(text: str) -> list[tuple[int | None, str]]:
    return [(p.line, p.code) for p in parse_text(text, "x.yaml").problems]


def test_values_and_positions() -> None:
    doc = parse_text("a: 1\nb:\n  c: [x, 'y']\nd: 2026-11-28\n", "x.yaml")
    assert doc.data == {"a": 1, "b": {"c": ["x", "y"]}, "d": dt.date(2026, 11, 28)}
    assert doc.positions.values[("b", "c", 1)] == (3, 10)
    assert doc.positions.keys[("b", "c")] == (3, 3)
    assert doc.positions.find(("b", "missing")) == (2, 1)


@pytest.mark.parametrize(("text", "line"), [
    ("a: 1\na: 2\n", 2),
    ("a:\n  b: 1\n  b: 2\n", 3),
    ("a:\n  - b:\n      c: 1\n      c: 2\n", 4),
    ("a: {x: 1, x: 2}\n", 1),
], ids=["top", "nested", "in-list", "flow"])
def test_duplicate_keys_at_every_depth(text: str, line: int) -> None:
    assert codes(text) == [(line, "duplicate-key")]


def test_alias_bomb_is_refused_fast_and_small() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    tracemalloc.start()
    start = time.perf_counter()
    result = codes("\n".join(lines) + "\n")
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result and result[0][1] == "yaml-alias-bomb"
    assert elapsed < 1.0
    assert peak < 50 * 1024 * 1024


def test_small_aliases_are_fine() -> None:
    doc = parse_text("a: &x {k: 1}\nb: *x\n", "x.yaml")
    assert doc.data == {"a": {"k": 1}, "b": {"k": 1}} and not doc.problems


def test_deep_nesting_is_refused_without_crashing() -> None:
    assert codes("a: " + "[" * 100_000 + "]" * 100_000 + "\n") == [(1, "yaml-too-deep")]


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty-file"),
    ("# nothing\n", "empty-file"),
    ("a: 1\n---\nb: 2\n", "yaml-multiple-documents"),
    ("a: !!python/name:os.system\n", "yaml-tag"),
    ("a: !custom x\n", "yaml-tag"),
    ("? [1, 2]\n: x\n", "yaml-complex-key"),
    ("a:\n\t- x\n", "yaml-tab"),
    ("a: *nope\n", "yaml-syntax"),
])
def test_refused_documents(text: str, code: str) -> None:
    assert [c for _line, c in codes(text)] == [code]


def test_oversized_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with open(path, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    tracemalloc.start()
    doc = read_yaml(path, "big.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [p.code for p in doc.problems] == ["file-too-large"]
    assert peak < 1024 * 1024


@pytest.mark.parametrize(("raw", "line", "col", "code"), [
    (b"\xef\xbb\xbfa: 1\n", 1, 1, "encoding-bom"),
    ("a: 1\n".encode("utf-16"), 1, 1, "encoding"),
    (b"a: 1\nb: caf\xe9\n", 2, 7, "encoding"),
    (b"a: 1\x00\n", 1, 5, "binary-file"),
], ids=["bom", "utf16", "latin1", "nul"])
def test_encodings(tmp_path: Path, raw: bytes, line: int, col: int, code: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(raw)
    assert [(p.line, p.col, p.code) for p in read_yaml(path, "x.yaml").problems] == [(line, col, code)]


@pytest.mark.parametrize(("text", "where", "message"), [
    ("id: x\ntitle: \"Unclosed\nyear: 2021\nvenue: CVPR 2021\n", (2, 8),
     "while scanning a quoted scalar: found unexpected end of stream (the parser stopped at line 5, column 1)"),
    ("id: x\ntitle: [unclosed\nyear: 2021\n", (2, 8),
     "while parsing a flow sequence: did not find expected ',' or ']' (the parser stopped at line 3, column 5)"),
    ("id: x\nauthors:\n  - A\n  b: 2\n", (4, 3),
     "while parsing a block collection: did not find expected '-' indicator (the block opens at line 3, column 3)"),
], ids=["quote", "flow", "block"])
def test_syntax_errors_point_at_what_to_fix(text: str, where: tuple[int, int], message: str) -> None:
    (problem,) = parse_text(text, "papers/x.yaml").problems
    assert ((problem.line, problem.col), problem.code, problem.message) == (where, "yaml-syntax", message)


def test_a_duplicate_key_keeps_the_data_as_yaml_reads_it() -> None:
    doc = parse_text("id: x\nyear: 2020\nyear: 2021\n", "papers/x.yaml")
    assert doc.data == {"id": "x", "year": 2021}
    assert [(p.line, p.code) for p in doc.problems] == [(3, "duplicate-key")]

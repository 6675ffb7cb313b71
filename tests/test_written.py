"""The index of what the write stage left: files left alone are not read back, anything else is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import site_builder.cache as cache_module
import site_builder.write as write
from site_builder.write import WriteStats, write_outputs
from site_builder.written import WrittenIndex

DIRS, FILES = ("papers", "topics"), ("index.md",)
OUTPUTS = {"index.md": b"home\n", "papers/a/index.md": b"page A\n", "papers/b/index.md": b"page B\n"}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The generated files the write stage reads back to compare (by name relative to docs/)."""
    seen: list[str] = []
    real = write._same

    def counting(path: str, data: bytes) -> bool:
        if os.path.exists(path):  # (a file not there fails the comparison without being read)
            seen.append(path)
        return real(path, data)

    monkeypatch.setattr(write, "_same", counting)
    monkeypatch.setattr(write, "SPLIT_COMPARE_FROM", 10**9)  # one process: the reads are seen here
    return seen


def index_of(tmp_path: Path) -> WrittenIndex:
    return WrittenIndex(tmp_path / "cache" / "written.json", os.fspath(tmp_path / "docs"))


def written(tmp_path: Path, outputs: dict[str, bytes]) -> WriteStats:
    return write_outputs(tmp_path / "docs", outputs, DIRS, FILES, index=index_of(tmp_path))


@pytest.fixture
def settled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A docs folder written twice with :data:`OUTPUTS`, its files remembered at once (no racy wait)."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    written(tmp_path, OUTPUTS)
    written(tmp_path, OUTPUTS)
    return tmp_path


def test_files_left_alone_are_not_read_back(tmp_path: Path, reads: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    assert written(tmp_path, OUTPUTS) == WriteStats(3, 0, 0)
    assert reads == []
    assert written(tmp_path, OUTPUTS) == WriteStats(0, 3, 0)
    assert reads == [], "the index vouched for every file"
    changed = {**OUTPUTS, "papers/a/index.md": b"page 2\n"}  # the same length: the checksum tells
    assert written(tmp_path, changed) == WriteStats(1, 2, 0)
    assert (tmp_path / "docs/papers/a/index.md").read_bytes() == b"page 2\n"


def test_a_file_touched_by_hand_is_read_and_replaced(settled: Path, reads: list[str]) -> None:
    tmp_path = settled
    reads.clear()
    page = tmp_path / "docs/papers/b/index.md"
    before = page.stat()
    page.write_bytes(b"EDITED\n")  # the same size, and its modification time put back: the change time tells
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert written(tmp_path, OUTPUTS) == WriteStats(1, 2, 0)
    assert reads == [os.path.join(tmp_path / "docs", "papers/b/index.md")]
    assert page.read_bytes() == b"page B\n"


def test_files_changed_moments_ago_are_read_every_time(tmp_path: Path, reads: list[str]) -> None:
    for _ in range(3):  # written less than RACY_NS ago: a change within the same clock tick could hide
        written(tmp_path, OUTPUTS)
    assert len(reads) == 2 * len(OUTPUTS)
    assert not (tmp_path / "cache/written.json").exists() or \
        json.loads((tmp_path / "cache/written.json").read_text())["files"] == {}


def test_an_index_of_another_folder_or_damaged_is_not_trusted(settled: Path, reads: list[str]) -> None:
    tmp_path = settled
    reads.clear()
    saved = tmp_path / "cache/written.json"
    data = json.loads(saved.read_text())
    assert sorted(data["files"]) == sorted(OUTPUTS)
    data["top"] = "/elsewhere/docs"
    saved.write_text(json.dumps(data))
    written(tmp_path, OUTPUTS)
    assert len(reads) == len(OUTPUTS)
    saved.write_text("{damaged")
    written(tmp_path, OUTPUTS)
    assert len(reads) == 2 * len(OUTPUTS)
    written(tmp_path, OUTPUTS)
    assert len(reads) == 2 * len(OUTPUTS), "the index was written again"


def test_removed_outputs_are_forgotten(settled: Path) -> None:
    tmp_path = settled
    fewer = {k: v for k, v in OUTPUTS.items() if k != "papers/b/index.md"}
    assert written(tmp_path, fewer) == WriteStats(0, 2, 1)
    assert sorted(json.loads((tmp_path / "cache/written.json").read_text())["files"]) == sorted(fewer)

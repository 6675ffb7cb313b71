"""The loader's memo of a long-running process: record folders are listed again only when they changed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import site_builder.cache as cache
import site_builder.records as records
from site_builder.records import FileMemo


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    listed: list[str] = []
    real = records.record_names

    def counting(folder: Path) -> tuple[list[str], list[object]]:
        listed.append(folder.name)
        return real(folder)  # type: ignore[return-value]

    monkeypatch.setattr(records, "record_names", counting)
    return listed


def test_an_unchanged_folder_is_not_listed_again(tmp_path: Path, counted: list[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "b.yaml").write_text("id: b\n")
    (folder / "a.yaml").write_text("id: a\n")
    memo = FileMemo()
    first = memo.names(folder)
    assert first[0] == ["a.yaml", "b.yaml"] and counted == ["papers"]
    (folder / "a.yaml").write_text("id: a\ntitle: edited in place\n")  # the folder itself does not change
    assert memo.names(folder) == first and counted == ["papers"]
    for change in (lambda: (folder / "c.yaml").write_text("id: c\n"), lambda: (folder / "b.yaml").unlink(),
                   lambda: (folder / "notes.txt").write_text("stray\n"),
                   lambda: (folder / "a.yaml").rename(folder / "d.yaml")):
        time.sleep(0.02)  # past the file system clock's tick
        change()
        assert memo.names(folder) == records.record_names(folder)
    assert counted.count("papers") == 1 + 4 * 2, "each change was seen (and the comparisons listed too)"
    assert memo.names(tmp_path / "missing") == ([], [])


def test_a_folder_that_just_changed_is_listed_every_time(tmp_path: Path, counted: list[str]) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "a.yaml").write_text("id: a\n")
    memo = FileMemo()
    for _ in range(3):  # changed less than RACY_NS ago: a change in the same clock tick could hide
        assert memo.names(folder)[0] == ["a.yaml"]
    assert counted == ["papers"] * 3


@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 3)), max_size=12))
def test_records_by_id_after_edits_are_those_made_afresh(edits: list[tuple[int, int]]) -> None:
    from types import SimpleNamespace

    from site_builder.records import Entry, _by_id

    # Eight files, two of which declare the same id (the first file wins the clash).
    entries = [Entry(SimpleNamespace(id=f"p{i}"), f"papers/f{i}.yaml") for i in range(7)]
    entries.append(Entry(SimpleNamespace(id="p2"), "papers/f7.yaml"))
    memo = FileMemo()
    for place, kind in edits:
        made = memo.papers_by_id(entries)  # type: ignore[arg-type]
        fresh = _by_id(entries)
        assert [(k, v) for k, v in made.items()] == [(k, v) for k, v in fresh.items()]
        assert all(made[k] is fresh[k] for k in fresh)
        entries = list(entries)
        old = entries[place].record.id
        new_id = {0: old, 1: old, 2: f"p{place + 10}", 3: "p2"}[kind]  # kept twice as often; new; a clash
        entries[place] = Entry(SimpleNamespace(id=new_id), entries[place].path)

"""Reading the snapshot folder: absent, valid, damaged files reported as problems."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from site_builder.citations.snapshot import dump, load_snapshot
from site_builder.kb.project import Project
from site_builder.safe.files import remove_leftover_temps, write_atomic, write_if_changed
from tests.conftest import KbFactory

NOT_FOUND = {"schema": 1, "id": "b", "fetched": "2026-11-20", "resolved_by": None, "record_key": "k",
             "status": "not-found", "paper": None, "references": []}
FOUND = {"schema": 1, "id": "a", "fetched": "2026-11-28", "resolved_by": "ARXIV:2101.00001", "record_key": "k",
         "status": "ok", "paper": {"paperId": "p" * 40, "title": "A", "year": None, "externalIds": {"CorpusId": 1}},
         "references": [{"paperId": "q" * 40, "title": "Q", "intents": ["background"], "isInfluential": False}]}


def test_missing_folder_means_not_fetched_yet(kb: KbFactory) -> None:
    snap = load_snapshot(Project(kb()))
    assert (snap.present, snap.records, snap.problems, snap.fetched) == (False, {}, [], None)


def test_valid_files_are_read(kb: KbFactory) -> None:
    root = kb({"data/semantic-scholar/a.json": dump(FOUND), "data/semantic-scholar/b.json": dump(NOT_FOUND),
               "data/semantic-scholar/.a.json.x1.tmp": "{"})
    snap = load_snapshot(Project(root))
    assert snap.problems == []
    assert sorted(snap.records) == ["a", "b"]
    assert snap.fetched == dt.date(2026, 11, 28)
    assert snap.as_of(["a", "b", "zz"]) == dt.date(2026, 11, 20)  # the oldest of the records asked for
    assert (snap.as_of(["a"]), snap.as_of(["zz"])) == (dt.date(2026, 11, 28), None)
    paper = snap.paper("a")
    assert paper is not None and paper.paperId == "p" * 40 and paper.year is None
    assert snap.paper("b") is None and snap.paper("zz") is None
    assert snap.records["a"].references[0].intents == ["background"]


def test_damaged_files_are_problems_not_crashes(kb: KbFactory) -> None:
    root = kb({
        "data/semantic-scholar/a.json": dump(FOUND)[:-30],
        "data/semantic-scholar/b.json": dump({**NOT_FOUND, "paper": FOUND["paper"]}),
        "data/semantic-scholar/c.json": dump({**NOT_FOUND, "id": "x"}),
        "data/semantic-scholar/d.json": dump({**NOT_FOUND, "id": "d", "colour": "red"}),
        "data/semantic-scholar/notes.txt": "hello",
        "data/semantic-scholar/e.json": b"\xff\xfe",
    })
    snap = load_snapshot(Project(root))
    assert snap.records == {}
    assert [(p.path, p.code) for p in snap.problems] == [
        ("data/semantic-scholar/a.json", "snapshot-bad-json"),
        ("data/semantic-scholar/b.json", "invalid-value"),
        ("data/semantic-scholar/c.json", "snapshot-invalid"),
        ("data/semantic-scholar/d.json", "unknown-key"),
        ("data/semantic-scholar/e.json", "snapshot-unreadable"),
        ("data/semantic-scholar/notes.txt", "snapshot-stray-file"),
    ]
    assert snap.problems[2].message == "the file holds the snapshot of record 'x', not of 'c' (its file name)"


def test_atomic_writes_and_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "x.json"
    write_atomic(target, "one\n")
    assert target.read_text(encoding="utf-8") == "one\n"
    assert write_if_changed(target, "one\n") is False
    assert write_if_changed(target, "two\n") is True
    assert sorted(os.listdir(target.parent)) == ["x.json"]
    (target.parent / ".x.json.abc.tmp").write_text("partial", encoding="utf-8")
    assert [p.name for p in remove_leftover_temps(target.parent)] == [".x.json.abc.tmp"]
    assert sorted(os.listdir(target.parent)) == ["x.json"]
    assert remove_leftover_temps(tmp_path / "missing") == []

"""The write stage: only changed files are rewritten, stale generated files go, hand-written files stay."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest

from site_builder.problems import SiteBuilderError
from site_builder.write import WriteStats, write_outputs

DIRS, FILES = ("papers", "topics"), ("index.md",)


def test_first_write_then_nothing_to_do(tmp_path: Path) -> None:
    outputs = {"index.md": b"home\n", "papers/a/index.md": b"A\n", "topics/x/index.md": b"X\n"}
    assert write_outputs(tmp_path, outputs, DIRS, FILES) == WriteStats(3, 0, 0)
    mtimes = {p: (tmp_path / p).stat().st_mtime_ns for p in outputs}
    assert write_outputs(tmp_path, outputs, DIRS, FILES) == WriteStats(0, 3, 0)
    assert {p: (tmp_path / p).stat().st_mtime_ns for p in outputs} == mtimes
    assert (tmp_path / "papers/a/index.md").read_bytes() == b"A\n"


def test_changed_file_is_rewritten_and_stale_files_removed(tmp_path: Path) -> None:
    write_outputs(tmp_path, {"papers/a/index.md": b"A\n", "papers/b/index.md": b"B\n"}, DIRS, FILES)
    (tmp_path / "contribute.md").write_text("hand-written\n")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "site.css").write_text("body{}\n")
    stats = write_outputs(tmp_path, {"papers/a/index.md": b"A2\n"}, DIRS, FILES)
    assert stats == WriteStats(1, 0, 1)
    assert (tmp_path / "papers/a/index.md").read_bytes() == b"A2\n"
    assert not (tmp_path / "papers/b").exists(), "the emptied folder of a removed page goes too"
    assert (tmp_path / "contribute.md").read_text() == "hand-written\n"
    assert (tmp_path / "assets" / "site.css").exists()


def test_leftover_temporary_files_are_removed(tmp_path: Path) -> None:
    (tmp_path / "papers" / "a").mkdir(parents=True)
    (tmp_path / "papers" / "a" / ".index.md.x1y2.tmp").write_bytes(b"partial")
    assert write_outputs(tmp_path, {"papers/a/index.md": b"A\n"}, DIRS, FILES) == WriteStats(1, 0, 1)
    assert sorted(p.name for p in (tmp_path / "papers" / "a").iterdir()) == ["index.md"]


@pytest.mark.parametrize("key", ["contribute.md", "../outside.md", "/etc/passwd", "papers/../../x", "papers\\x"])
def test_refuses_keys_outside_generated_places(tmp_path: Path, key: str) -> None:
    with pytest.raises(SiteBuilderError):
        write_outputs(tmp_path, {key: b"x"}, DIRS, FILES)
    assert list(tmp_path.iterdir()) == []


def test_only_emptied_folders_go_and_known_files_are_not_read(tmp_path: Path) -> None:
    outputs = {"index.md": b"home\n", "papers/a/index.md": b"A\n", "papers/b/index.md": b"B\n",
               "topics/x/y/index.md": b"Y\n"}
    write_outputs(tmp_path, outputs, DIRS, FILES)
    (tmp_path / "papers/b/index.md").write_bytes(b"edited by hand\n")
    stats = write_outputs(tmp_path, {"papers/a/index.md": b"A2\n", "papers/b/index.md": b"B\n"}, DIRS, FILES,
                          known={"papers/b/index.md"})
    assert stats == WriteStats(1, 1, 2)
    assert (tmp_path / "papers/b/index.md").read_bytes() == b"edited by hand\n", "a known file is not compared"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "papers", "papers/a", "papers/a/index.md", "papers/b", "papers/b/index.md", "topics"]


@pytest.mark.parametrize("split_from", [0, 10**9], ids=["compared in two processes", "compared here"])
def test_comparison_split_over_two_processes_finds_the_same_changes(tmp_path: Path, split_from: int,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder import write

    monkeypatch.setattr(write, "SPLIT_COMPARE_FROM", split_from)
    first = {f"papers/p{i:02d}/index.md": f"P{i}\n".encode() for i in range(20)}
    write_outputs(tmp_path, first, DIRS, FILES)
    inodes = {p: (tmp_path / p).stat().st_ino for p in first}  # a write replaces the file: a new inode
    second = dict(first)
    for i in (1, 8, 15):  # same length, other bytes
        second[f"papers/p{i:02d}/index.md"] = f"Q{i}\n".encode()
    second["papers/p03/index.md"] = b"longer than before\n"
    assert write_outputs(tmp_path, second, DIRS, FILES) == WriteStats(4, 16, 0)
    rewritten = {p for p in first if (tmp_path / p).stat().st_ino != inodes[p]}
    assert rewritten == {"papers/p01/index.md", "papers/p08/index.md", "papers/p15/index.md", "papers/p03/index.md"}
    assert all((tmp_path / p).read_bytes() == data for p, data in second.items())


def _open_deleted(path: Path) -> int:
    """How many files this process holds open that were ``path`` before being replaced."""
    held = 0
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            held += os.readlink(fd) == f"{path} (deleted)"
    return held


def test_a_session_frees_a_replaced_large_file_in_the_background(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.write as write
    from site_builder.write import _close_all

    big = tmp_path / "index.md"
    write_outputs(tmp_path, {"index.md": b"old " * 100}, DIRS, FILES)
    closing: list[list[int]] = []
    monkeypatch.setattr(write, "_close_all", closing.append)  # hold the closing back, to look in between
    monkeypatch.setattr(write, "FREE_LATER_FROM", 100)
    stats = write_outputs(tmp_path, {"index.md": b"new " * 100}, DIRS, FILES, present={"index.md"})
    assert stats == WriteStats(1, 0, 0) and big.read_bytes() == b"new " * 100
    assert _open_deleted(big) == 1, "the replaced file is still held open, not yet freed"
    deadline = time.monotonic() + 10
    while not closing:  # the background thread hands its files over
        assert time.monotonic() < deadline
        time.sleep(0.01)
    _close_all(closing[0])
    assert _open_deleted(big) == 0
    # Without a session (a build process), or for a small file, nothing is held.
    write_outputs(tmp_path, {"index.md": b"third" * 100}, DIRS, FILES)
    write_outputs(tmp_path, {"index.md": b"x"}, DIRS, FILES, present={"index.md"})
    assert len(closing) == 1


def test_existing_generated_lists_what_os_walk_lists(tmp_path: Path) -> None:
    from site_builder.write import existing_generated

    (tmp_path / "papers" / "a").mkdir(parents=True)
    (tmp_path / "papers" / "a" / "index.md").write_text("A\n")
    (tmp_path / "papers" / "b" / "deeper").mkdir(parents=True)
    (tmp_path / "papers" / "b" / "deeper" / "x.json").write_text("{}\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("not ours\n")
    (tmp_path / "papers" / "linked-dir").symlink_to(outside, target_is_directory=True)
    (tmp_path / "papers" / "linked-file.md").symlink_to(outside / "secret.md")
    (tmp_path / "papers" / "broken.md").symlink_to(tmp_path / "nowhere")
    (tmp_path / "index.md").write_text("home\n")
    walked = {"index.md"}
    for here, _dirs, names in os.walk(tmp_path / "papers"):
        rel = Path(here).relative_to(tmp_path).as_posix()
        walked.update(f"{rel}/{name}" for name in names)
    assert existing_generated(tmp_path, ("papers", "topics"), ("index.md",)) == walked
    assert "papers/linked-dir/secret.md" not in walked and "papers/linked-file.md" in walked


def test_comparison_with_what_is_on_disk(tmp_path: Path) -> None:
    from site_builder.write import _same

    page = tmp_path / "page.md"
    page.write_bytes(b"same bytes\n")
    assert _same(str(page), b"same bytes\n")
    assert not _same(str(page), b"same bytes\n+")  # longer
    assert not _same(str(page), b"same bytez\n")  # same size, other bytes
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    assert _same(str(empty), b"") and not _same(str(empty), b"x")
    link = tmp_path / "link.md"
    link.symlink_to(page)
    assert not _same(str(link), b"same bytes\n"), "a link is never taken for the page"
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    assert not _same(str(fifo), b""), "a FIFO is not waited on"
    assert not _same(str(tmp_path / "missing.md"), b"")
    assert not _same(str(tmp_path), b"")


def test_large_files_are_written_beside_the_small_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import site_builder.write as write
    from site_builder import fsio

    writers: dict[str, str] = {}
    real = fsio.replace_generated

    def recording(path: str, data: bytes) -> None:
        writers[os.path.relpath(path, tmp_path)] = threading.current_thread().name
        real(path, data)

    monkeypatch.setattr(write, "replace_generated", recording)
    monkeypatch.setattr(write, "WRITE_BESIDE_FROM", 50)
    outputs = {f"papers/{c}/index.md": (c * n).encode() for c, n in zip("abcdef", (10, 60, 5, 200, 70, 1), strict=True)}
    assert write_outputs(tmp_path, outputs, DIRS, FILES) == WriteStats(6, 0, 0)
    assert all((tmp_path / k).read_bytes() == v for k, v in outputs.items())
    main = threading.current_thread().name
    assert {k for k, who in writers.items() if who != main} == {f"papers/{c}/index.md" for c in "bde"}
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_failed_large_write_names_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.write as write

    monkeypatch.setattr(write, "WRITE_BESIDE_FROM", 50)
    (tmp_path / "papers" / "b" / "index.md").mkdir(parents=True)  # a folder where the large file should go
    outputs = {"papers/a/index.md": b"small\n", "papers/b/index.md": b"x" * 100, "papers/c/index.md": b"small\n"}
    with pytest.raises(IsADirectoryError) as caught:
        write_outputs(tmp_path, outputs, DIRS, FILES)
    assert caught.value.filename == str(tmp_path / "papers" / "b" / "index.md")
    assert (tmp_path / "papers/c/index.md").read_bytes() == b"small\n"  # the others were written all the same
    assert not list(tmp_path.rglob("*.tmp"))


def test_early_writes_replace_only_large_changed_files_the_last_write_left(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.write as write
    from site_builder.write import EarlyWrites

    monkeypatch.setattr(write, "WRITE_BESIDE_FROM", 50)
    last = {"index.md": b"h" * 60, "papers/a/index.md": b"a" * 60, "papers/b/index.md": b"b" * 60,
            "papers/c/index.md": b"c\n"}
    write_outputs(tmp_path, last, DIRS, FILES)
    (tmp_path / "papers/b/index.md").unlink()
    (tmp_path / "papers/b/index.md").symlink_to(tmp_path / "index.md")
    early = EarlyWrites(tmp_path, DIRS, FILES, set(last), last)
    early.offer("index.md", b"H" * 60)                    # large and changed: written now
    early.offer("papers/a/index.md", bytes(last["papers/a/index.md"]))  # equal bytes: left alone
    early.offer("papers/b/index.md", b"B" * 60)           # a link: left to the write stage
    early.offer("papers/c/index.md", b"C\n")              # small: left to the write stage
    early.offer("papers/d/index.md", b"d" * 60)           # not left by the last write: left to the write stage
    done = early.finish()
    assert done == {"index.md"}
    assert (tmp_path / "index.md").read_bytes() == b"H" * 60
    assert (tmp_path / "papers/c/index.md").read_bytes() == b"c\n"
    outputs = {"index.md": b"H" * 60, "papers/a/index.md": last["papers/a/index.md"], "papers/b/index.md": b"B" * 60,
               "papers/c/index.md": b"C\n", "papers/d/index.md": b"d" * 60}
    stats = write_outputs(tmp_path, outputs, DIRS, FILES, present=set(last), done=done)
    assert stats == WriteStats(4, 1, 0)
    assert all((tmp_path / k).read_bytes() == v for k, v in outputs.items())
    assert not (tmp_path / "papers/b/index.md").is_symlink()
    unsafe = EarlyWrites(tmp_path, DIRS, FILES, {"../outside.md"}, {})
    with pytest.raises(SiteBuilderError):
        unsafe.offer("../outside.md", b"x" * 60)
    assert unsafe.finish() == set() and not (tmp_path.parent / "outside.md").exists()


def test_a_failed_early_write_is_raised_by_finish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.write as write
    from site_builder.write import EarlyWrites

    monkeypatch.setattr(write, "WRITE_BESIDE_FROM", 50)
    (tmp_path / "papers/a/index.md").mkdir(parents=True)  # a folder where the file should go
    early = EarlyWrites(tmp_path, DIRS, FILES, {"papers/a/index.md"}, {})
    early.offer("papers/a/index.md", b"A" * 60)
    with pytest.raises(IsADirectoryError) as caught:
        early.finish()
    assert caught.value.filename == str(tmp_path / "papers/a/index.md")
    assert not list(tmp_path.rglob("*.tmp"))

"""The write stage: only changed files are rewritten, stale generated files go, hand-written files stay."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from site_builder.build.write import WriteStats, write_outputs
from site_builder.kb.problems import SiteBuilderError

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


def _open_deleted(path: Path) -> int:
    """How many files this process holds open that were ``path`` before being replaced."""
    held = 0
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            held += os.readlink(fd) == f"{path} (deleted)"
    return held


def test_existing_generated_lists_what_os_walk_lists(tmp_path: Path) -> None:
    from site_builder.build.write import existing_generated

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
    from site_builder.safe.files import holds as _same

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

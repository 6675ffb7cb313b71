"""Background work in a forked process, and builds that check records while they render."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import site_builder.build as build_module
from site_builder.build import generate
from site_builder.forked import Forked, isolated
from site_builder.problems import SiteBuilderError
from site_builder.project import Project
from tests.conftest import make_site_project

Row = tuple[object, ...]


def test_the_function_runs_in_another_process_and_its_value_comes_back() -> None:
    work = Forked(lambda: (os.getpid(), [n * n for n in range(5)]))
    pid, squares = work.result()
    assert pid != os.getpid()
    assert squares == [0, 1, 4, 9, 16]


def test_a_failure_in_the_child_is_an_error_here(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> int:
        raise ValueError("no such thing")

    with pytest.raises(SiteBuilderError, match="background worker of the build failed"):
        Forked(broken).result()
    assert "ValueError: no such thing" in capsys.readouterr().err


def test_isolated_runs_elsewhere_and_passes_its_errors_on_as_they_are(capfd: pytest.CaptureFixture[str],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.forked as forked

    # As in the command line, where the build is the only thread (earlier tests may have left threads running;
    # the functions below take no lock another thread could hold).
    monkeypatch.setattr(forked.threading, "active_count", lambda: 1)
    def chatty() -> int:
        print("said in the child")  # no flush: the child flushes before it leaves
        return os.getpid()

    assert isolated(chatty) != os.getpid()
    assert capfd.readouterr().out == "said in the child\n"

    def full_disk() -> None:
        raise OSError(27, "File too large", "docs/papers/x/index.md")

    with pytest.raises(OSError) as caught:
        isolated(full_disk)
    assert (caught.value.errno, caught.value.filename) == (27, "docs/papers/x/index.md")

    def refused() -> None:
        raise SiteBuilderError("mkdocs build failed: no theme")

    with pytest.raises(SiteBuilderError, match="no theme"):
        isolated(refused)


def test_a_child_dies_with_its_parent(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = textwrap.dedent(f"""
        import os, time
        from site_builder.forked import isolated
        def wait():
            open({str(pid_file)!r}, "w").write(str(os.getpid()))
            time.sleep(60)
        isolated(wait)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and parent.poll() is None
        time.sleep(0.05)
    child = int(pid_file.read_text())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and "Z" not in _state(child):
        assert time.monotonic() < deadline, "the child outlived its killed parent"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def pages(root: Path) -> dict[str, bytes]:
    docs = root / "docs"
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in sorted(docs.rglob("*")) if p.is_file()}


def run(root: Path, background: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Row], dict[str, bytes]]:
    monkeypatch.setattr(build_module, "BACKGROUND_CHECKS_FROM", 0 if background else 10**9)
    result = generate(Project(root))
    return [(p.path, p.line, p.col, p.severity, p.code, p.message) for p in result.problems], pages(root)


def test_checking_in_the_background_gives_the_same_problems_and_pages(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = make_site_project(tmp_path / "one"), make_site_project(tmp_path / "two")
    problems, written = run(one, False, monkeypatch)
    assert written  # the golden site has pages (and warnings about its hostile record)
    assert run(two, True, monkeypatch) == (problems, written)


def test_a_cross_record_error_found_in_the_background_stops_the_build(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    roots = [make_site_project(tmp_path / "one"), make_site_project(tmp_path / "two")]
    for root in roots:  # bravo now claims alpha's arXiv id: a duplicate only the cross-record checks see
        path = root / "papers" / "bravo.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(_with_arxiv(text, "2101.00001"), encoding="utf-8")
    sequential, before = run(roots[0], False, monkeypatch)
    background, after = run(roots[1], True, monkeypatch)
    assert ("papers/bravo.yaml", 8, 10, "error", "duplicate-arxiv",
            "arXiv id '2101.00001' is also in papers/alpha.yaml") in sequential
    assert background == sequential
    assert before == after  # the hand-written pages only: nothing was generated
    assert not any(key.startswith(("papers/", "topics/", "explore/")) for key in after)


def _with_arxiv(text: str, arxiv: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("arxiv:"):
            lines[i] = line.split("arxiv:")[0] + f'arxiv: "{arxiv}"'
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("collection", ["golden", "repository"])
def test_paper_pages_rendered_in_two_processes_are_the_same(collection: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The split render gives the very same files (papers.bib joined from both processes' entries; the
    repository's collection has the survey, whose entry the home page shows)."""
    import site_builder.render as render
    from site_builder.citecache import CitationSource
    from site_builder.records import load_knowledge_base
    from site_builder.sitemodel import SiteInfo, build_model
    from tests.conftest import GOLDEN_KB, REPO

    root = GOLDEN_KB if collection == "golden" else REPO
    kb, _ = load_knowledge_base(Project(root), use_cache=False)
    assert kb is not None
    model = build_model(kb, SiteInfo("Test KB", None), citations=CitationSource(Project(root), use_cache=False))
    monkeypatch.setattr(render, "SPLIT_PAPER_PAGES_FROM", 10**9)
    alone = render.render_site(model)
    monkeypatch.setattr(render, "SPLIT_PAPER_PAGES_FROM", 0)
    split = render.render_site(model)
    assert split == alone
    assert list(split) == list(alone)  # the same order too
    assert sum(key.startswith("papers/") for key in split) == len(model.papers)
    if collection == "repository":
        assert b"## How to cite" in split["index.md"] and b"ssml-survey" in split["index.md"]



def test_a_detached_deletion_started_in_a_child_does_not_hold_up_its_answer(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from site_builder import generator

    folder = tmp_path / "old-site"
    folder.mkdir()
    (folder / "index.html").write_text("old\n")
    real_rmtree = shutil.rmtree

    def slow_rmtree(path: object, ignore_errors: bool = False) -> None:
        time.sleep(3)
        real_rmtree(path, ignore_errors=ignore_errors)  # type: ignore[arg-type]

    monkeypatch.setattr(generator.shutil, "rmtree", slow_rmtree)
    monkeypatch.setattr(generator.threading, "active_count", lambda: 1)  # as in the command line (see above)
    isolated(lambda: generator.delete_detached(folder))
    assert folder.exists(), "the answer came back only once the deletion had finished"
    deadline = time.monotonic() + 30
    while folder.exists():
        assert time.monotonic() < deadline, "the detached deletion never happened"
        time.sleep(0.05)


def test_objects_spared_by_a_function_run_here_are_let_go_when_it_returns() -> None:
    import threading
    import weakref

    from site_builder.forked import spare

    class Big:
        pass

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # with another thread running, isolated() runs the function here
    other.start()
    try:
        def work() -> weakref.ref[Big]:
            big = Big()
            spare(big)
            return weakref.ref(big)

        ref = isolated(work)
    finally:
        stop.set()
        other.join()
    assert ref() is None


def test_batches_reach_exactly_one_of_two_processes() -> None:
    from site_builder.render import Batches

    papers = [f"p{i}" for i in range(1003)]
    batches = Batches(papers, count=37)  # type: ignore[arg-type]
    try:
        def slow_reader() -> list[str]:
            got = []
            for paper in batches:
                got.append(paper)
                time.sleep(0.0005)
            return got

        helper = Forked(slow_reader)
        mine = slow_reader()  # both slow: a fast reader would take every batch before the other starts
        theirs = helper.result()
    finally:
        batches.close()
    assert theirs, "the other process got some batches too"
    assert sorted(mine + theirs) == sorted(papers)  # every paper once: none lost, none twice
    assert len(set(mine) & set(theirs)) == 0

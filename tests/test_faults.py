"""Faults: a build killed at random moments, a full disk and a read-only folder never leave a half-written file
or a broken site, and the commands say clearly what went wrong."""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from site_builder.build.write import MANIFEST
from site_builder.site.render import GENERATED_DIRS, GENERATED_FILES
from tests.conftest import REPO, make_site_project

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def digest_tree(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` (empty when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def generated(root: Path) -> dict[str, str]:
    """The generated files under docs/ (what the render stage owns)."""
    tree = digest_tree(root / "docs")
    return {k: v for k, v in tree.items()
            if k in GENERATED_FILES or k.split("/", 1)[0] in GENERATED_DIRS}


def run_build(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "site_builder", "build", "--root", str(root), *extra],
                          capture_output=True, text=True, env=ENV, timeout=300, check=False)


def edit(root: Path) -> None:
    """A change that alters many generated pages (a title appears on topic, explore and overview pages)."""
    record = root / "papers" / "alpha.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("Alpha Contrastive Pretraining",
                                                                 "Alpha Contrastive Training"), encoding="utf-8")


def edited_copy(base: Path, dest: Path) -> Path:
    """A copy of the project ``base`` at ``dest``, with :func:`edit` made."""
    shutil.copytree(base, dest)
    edit(dest)
    return dest


def site_state(root: Path) -> dict[str, str]:
    """site/ minus the gzipped sitemap, whose gzip header carries the build time, and minus the search index's
    files, whose names and bytes Pagefind does not keep from one run to the next: the index stands as one entry,
    its entry file's presence (a site swapped in complete has it)."""
    tree = digest_tree(root / "site")
    state = {k: v for k, v in tree.items() if k != "sitemap.xml.gz" and not k.startswith("pagefind/")}
    state["pagefind/"] = "present" if "pagefind/pagefind-entry.json" in tree else "missing"
    return state


class States(NamedTuple):
    """A built project (``base``), the generated pages and site of a complete build before and after the edit, and
    the seconds that build of the edited copy took."""

    base: Path
    pages_before: dict[str, str]
    site_before: dict[str, str]
    pages_after: dict[str, str]
    site_after: dict[str, str]
    build_seconds: float


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> States:
    base = make_site_project(tmp_path_factory.mktemp("faults") / "before")
    assert run_build(base).returncode == 0
    after = edited_copy(base, tmp_path_factory.mktemp("faults") / "after")
    start = time.perf_counter()
    assert run_build(after).returncode == 0
    took = time.perf_counter() - start
    return States(base, generated(base), site_state(base), generated(after), site_state(after), took)


def test_build_killed_at_random_moments_leaves_old_or_new_never_half(states: States, tmp_path: Path) -> None:
    base, pages_before, site_before, pages_after, site_after, took = states
    assert pages_before != pages_after and site_before != site_after
    # The kills land at moments spread over the time a whole build of the edited copy took on this machine (in the
    # fixture): fixed delays would all land after the end on a fast machine, before the swap on a slow one.
    rng = random.Random(20261128)
    # One moment in each sixth of 5%..120% of that time: the first lands well before the swap at the build's end.
    delays = [took * rng.uniform(0.05 + i * 0.19, 0.05 + (i + 1) * 0.19) for i in range(6)]
    outcomes = []
    for i, delay in enumerate(delays):
        work = edited_copy(base, tmp_path / f"run{i}")
        proc = subprocess.Popen([sys.executable, "-m", "site_builder", "build", "--root", str(work)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        site = site_state(work)
        assert site in (site_before, site_after), f"site/ is neither the old nor the new site after {delay:.2f} s"
        pages = generated(work)
        for key, value in pages.items():
            if key.rsplit("/", 1)[-1].startswith("."):
                continue  # a temporary file of an interrupted write: never a page, removed by the next build
            assert value in (pages_before.get(key), pages_after.get(key)), f"{key} is half-written"
        outcomes.append("new" if site == site_after else "old")
        finished = run_build(work)
        assert finished.returncode == 0, finished.stdout + finished.stderr
        assert generated(work) == pages_after and site_state(work) == site_after
        assert not list(work.glob(".site-build-*")), "temporary build folders are cleaned up"
    assert "old" in outcomes  # at least one kill landed before the swap, so the test exercised an interruption


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write with EFBIG instead of killing the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_full_disk_stops_the_build_with_a_clear_error(states: States, tmp_path: Path) -> None:
    base, pages_before, site_before = states.base, states.pages_before, states.site_before
    work = edited_copy(base, tmp_path / "kb")
    limit = 4096  # smaller than several generated pages: their writes fail like on a full disk
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build", "--root", str(work)],
                          capture_output=True, text=True, env=ENV, timeout=300, check=False,
                          preexec_fn=lambda: _limit_file_size(limit))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "site-builder: error:" in proc.stderr and "File too large" in proc.stderr
    assert "nothing was left half-written" in proc.stderr
    pages = generated(work)
    temporary = [k for k in pages if k.rsplit("/", 1)[-1].startswith(".") and not k.endswith("/" + MANIFEST)]
    assert not temporary, "no temporary file is left behind"
    for key, value in pages.items():
        assert value == pages_before.get(key) or len((work / "docs" / key).read_bytes()) <= limit
    assert site_state(work) == site_before


def _read_only(folder: Path, command: list[str]) -> list[str]:
    """``command`` run with ``folder`` mounted read-only (a private mount namespace), or chmod when not root."""
    if os.geteuid() != 0:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        return command
    script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh", str(folder), *command]


def test_read_only_papers_folder_gives_a_clear_error_to_add(tmp_path: Path) -> None:
    root = make_site_project(tmp_path / "kb")
    bib = tmp_path / "refs.bib"
    bib.write_text("@inproceedings{x2023,\n  title = {Listening to Pixels Without Labels},\n"
                   "  author = {Ada Lovelace},\n  booktitle = {CVPR},\n  year = {2023}\n}\n", encoding="utf-8")
    before = digest_tree(root / "papers")
    command = _read_only(root / "papers", [sys.executable, "-m", "site_builder", "add", "--root", str(root),
                                           "--bibtex", str(bib)])
    proc = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=120, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Read-only file system" in proc.stdout + proc.stderr or "Permission denied" in proc.stdout + proc.stderr
    assert digest_tree(root / "papers") == before

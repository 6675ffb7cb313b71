"""Kill ``site-builder enrich`` with SIGKILL mid-run, re-run, and get the snapshot an uninterrupted run writes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from site_builder.citations.snapshot import load_snapshot
from site_builder.kb.project import Project
from tests.conftest import REPO, KbFactory
from tests.s2collection import collection
from tests.s2fake import FakeS2, running

RECORDS = 40


@pytest.fixture
def fake() -> Iterator[FakeS2]:
    yield from running()


def start(root: Path, fake: FakeS2) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S2_", "SITE_BUILDER_"))}
    env.update({"S2_API_URL": fake.url, "S2_MIN_INTERVAL": "0", "SITE_BUILDER_TODAY": "2026-11-28",
                "PYTHONPATH": str(REPO)})
    return subprocess.Popen([sys.executable, "-m", "site_builder", "enrich", "--root", str(root)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def folder_bytes(root: Path) -> dict[str, bytes]:
    folder = root / "data" / "semantic-scholar"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert proc.poll() is None, "enrich finished before the moment chosen to kill it"
        assert time.monotonic() < deadline, "enrich made no progress"
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def test_sigkill_mid_run_then_rerun_matches_an_uninterrupted_run(fake: FakeS2, kb: KbFactory,
                                                                  tmp_path: Path) -> None:
    root = kb(collection(fake, RECORDS))
    reference = tmp_path / "reference"
    shutil.copytree(root, reference)
    fake.delay = 0.02  # slow enough to be caught mid-run, fast enough for a test
    assert start(reference, fake).wait(timeout=120) == 0
    expected = folder_bytes(reference)
    assert len(expected) == RECORDS

    snapshots = root / "data" / "semantic-scholar"
    moments: list[Callable[[], bool]] = [
        lambda: len(fake.log) >= 1,  # while resolving: the batch call is under way
        lambda: len(list(snapshots.glob("*.json"))) >= 7,
        lambda: len(list(snapshots.glob("*.json"))) >= 23,
    ]
    stored_counts = []
    for ready in moments:
        fake.log.clear()
        kill_when(start(root, fake), ready)
        snap = load_snapshot(Project(root))
        assert snap.problems == []  # every file left behind is complete and valid
        assert all(folder_bytes(root)[f"{pid}.json"] == expected[f"{pid}.json"] for pid in snap.records)
        stored_counts.append(len(snap.records))
    assert stored_counts[1] >= 7 and stored_counts[2] >= 23

    fake.log.clear()
    assert start(root, fake).wait(timeout=120) == 0
    assert folder_bytes(root) == expected
    refs = fake.requests_to("/references")
    assert len(refs) == RECORDS - stored_counts[-1]  # nothing already stored was fetched again

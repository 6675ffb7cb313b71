"""Shared fixtures: tiny knowledge bases built from a dict of files."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

KbFactory = Callable[..., Path]
_NATO = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo",
         "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango", "Uniform", "Victor",
         "Whiskey", "Xray", "Yankee", "Zulu"]


def paper_yaml(pid: str = "clip", **fields: str) -> str:
    """A valid paper record as YAML text; ``fields`` replace whole top-level entries (value is raw YAML)."""
    base = {
        "id": pid,
        "title": " ".join(_NATO[ord(c) % len(_NATO)] for c in pid) + " Representations",
        "authors": "\n  - Ada Lovelace\n  - Alan Turing",
        "year": "2021",
        "venue": "ICML 2021",
        "kind": "method",
        "ids": "\n  arxiv: \"2103.00020\"",
        "links": "\n  paper: https://arxiv.org/abs/2103.00020\n  code:\n    - url: https://github.com/example/"
                 + pid + "\n      official: true",
        "tags": "\n  objective: [contrastive]\n  architecture: [fusion-free]\n  modality: [image, text]",
        "summary": f"Learns joint image and text embeddings with a contrastive loss over web pairs for {pid}.",
        "added": "2026-11-28",
    }
    base.update(fields)
    return "".join(f"{k}: {v}\n" for k, v in base.items() if v is not None)


def dataset_yaml(did: str = "coco", **fields: str) -> str:
    """A valid dataset record as YAML text."""
    base = {
        "id": did,
        "name": did.upper(),
        "category": "image-text",
        "modalities": "[image, text]",
        "size": "\n  images: \"330,000\"",
        "tasks": "[image captioning]",
        "links": "\n  - label: Website\n    url: https://example.org/" + did,
        "summary": f"Everyday photographs, each paired with several human-written captions, in the {did} set.",
        "added": "2026-11-28",
    }
    base.update(fields)
    return "".join(f"{k}: {v}\n" for k, v in base.items() if v is not None)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``site-builder ARGS`` in-process: (exit status, stdout, stderr)."""
    from site_builder.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make "today" 2026-12-01 for commands that stamp dates."""
    monkeypatch.setenv("SITE_BUILDER_TODAY", "2026-12-01")


@pytest.fixture(autouse=True)
def _outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests assert the plain-text report; under GitHub Actions the default would be annotations."""
    for name in ("GITHUB_ACTIONS", "GITHUB_BASE_REF"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def kb(tmp_path: Path) -> KbFactory:
    """``kb(files={'papers/x.yaml': text, ...})`` -> root of a knowledge base with the repository's taxonomy."""

    def make(files: dict[str, str | bytes] | None = None, taxonomy: str | None = None) -> Path:
        root = tmp_path / "kb"
        root.mkdir(exist_ok=True)
        (root / "papers").mkdir(exist_ok=True)
        (root / "datasets").mkdir(exist_ok=True)
        if taxonomy is None:
            shutil.copy(REPO / "taxonomy.yaml", root / "taxonomy.yaml")
        else:
            (root / "taxonomy.yaml").write_text(textwrap.dedent(taxonomy), encoding="utf-8")
        for name, content in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make

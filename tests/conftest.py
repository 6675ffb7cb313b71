"""Shared fixtures: tiny knowledge bases built from a dict of files."""

from __future__ import annotations

import functools
import re
import shutil
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright

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
    from site_builder.cli.commands import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make "today" 2026-12-01 for commands that stamp dates."""
    monkeypatch.setenv("SITE_BUILDER_TODAY", "2026-12-01")


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test caches in its own temporary folder: the suite never writes into the repository."""
    monkeypatch.setenv("SITE_BUILDER_CACHE", str(tmp_path / "site-builder-cache"))


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


GOLDEN_KB = REPO / "tests" / "golden" / "kb"
#: The hand-written files a knowledge base needs besides its records to build a site.
def _hand_written_docs() -> tuple[str, ...]:
    """Every committed entry of docs/ (what the render stage does not own)."""
    from site_builder.site.render import GENERATED_DIRS, GENERATED_FILES

    owned = set(GENERATED_DIRS) | set(GENERATED_FILES)
    return tuple(f"docs/{p.name}" for p in sorted((REPO / "docs").iterdir()) if p.name not in owned)


SITE_FILES = ("mkdocs.yml", "overrides", *_hand_written_docs())


def make_site_project(dest: Path, source: Path = GOLDEN_KB) -> Path:
    """Copy the knowledge base at ``source`` to ``dest`` and add the repository's site configuration and pages."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".cache"))  # tests that load it in place cache
    for name in SITE_FILES:
        src, target = REPO / name, dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target)
        else:
            shutil.copy(src, target)
    return dest


#: What validation says of the tiny site's hostile record (tests/golden/kb/papers/xss.yaml) and of the markup in
#: its cited-by list: reported as warnings, while the site still builds and shows it literally.
XSS_WARNINGS = (
    "data/cited-by-survey.yaml:7:12: warning [markup-in-text] papers.1.title contains '<b>': fields are plain text "
    "(the site shows markup literally)\n"
    "papers/xss.yaml:2:8: warning [markup-in-text] title contains '<script>': fields are plain text (the site "
    "shows markup literally)\n"
    "papers/xss.yaml:3:11: warning [markup-in-text] authors.0 contains '<img src=x onerror=alert(1)>': fields are "
    "plain text (the site shows markup literally)\n"
    "papers/xss.yaml:12:10: warning [markup-in-text] summary contains '](': fields are plain text (the site shows "
    "markup literally)\n"
)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@dataclass(frozen=True)
class LocalServer:
    """A static file server on 127.0.0.1 for the built tiny site (it serves ``root``/site)."""

    root: Path
    url: str


@contextmanager
def _serve(root: Path) -> Iterator[LocalServer]:
    handler = functools.partial(_QuietHandler, directory=str(root / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="test-site-server", daemon=True)
    thread.start()
    yield LocalServer(root, f"http://127.0.0.1:{server.server_address[1]}/")
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """Bound before the site is built, so that the site's ``site_url`` can be the server's own address (the
    theme's instant navigation only follows links that match site_url, as under ``mkdocs serve``)."""
    with _serve(tmp_path_factory.mktemp("built") / "kb") as server:
        yield server


def _build_served(root: Path, server: LocalServer, allowed: set[str]) -> None:
    from site_builder.build.pipeline import build
    from site_builder.kb.project import Project

    config = root / "mkdocs.yml"
    text = re.sub(r"(?m)^site_url: .*$", f"site_url: {server.url}", config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")
    result = build(Project(root), strict=False)
    if result.failed or not result.site_built or {p.code for p in result.problems} - allowed:
        pytest.fail(f"the site at {root} did not build: " + "; ".join(p.as_text() for p in result.problems))


@pytest.fixture(scope="session")
def built_site(local_server: LocalServer) -> Path:
    """The golden knowledge base built once per test session; returns its root (read only).

    Not ``--strict``: its hostile record carries markup on purpose (``markup-in-text`` warnings), and the site
    must build and show it literally.
    """
    root = make_site_project(local_server.root)
    _build_served(root, local_server, {"markup-in-text"})
    return root


#: What a knowledge base is made of (copied from the repository for :func:`repo_site`).
KB_ENTRIES = ("README.md", "papers", "datasets", "taxonomy.yaml", "data")


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """The repository's own collection, copied to a tmp dir, built once per session and served on 127.0.0.1."""
    staging = tmp_path_factory.mktemp("repo-kb") / "kb"
    staging.mkdir()
    for name in KB_ENTRIES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, staging / name, ignore=shutil.ignore_patterns(".cache"))
        elif src.is_file():
            shutil.copy(src, staging / name)
    with _serve(tmp_path_factory.mktemp("repo-built") / "kb") as server:
        _build_served(make_site_project(server.root, staging), server, set())
        yield server


# -- real browser (Playwright driving Debian's Chromium; never downloaded, never skipped) -----------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver for the session."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; a missing binary fails the browser tests instead of skipping them."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
                    "the browser tests must run, not skip")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()




@contextmanager
def guarded_page(browser: Browser, base_url: str, width: int = 1280, height: int = 900) -> Iterator[Page]:
    """A page of a fresh context that routes every request: anything not addressed to ``base_url`` is aborted and
    fails the test, as does any console error or JavaScript dialog."""
    context = browser.new_context(accept_downloads=True, viewport={"width": width, "height": height})
    outside: list[str] = []
    errors: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(base_url) or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()
    assert outside == [], "requests left the local server"
    assert errors == []

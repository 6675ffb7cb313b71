"""The site generator stage: ``mkdocs build --strict`` through MkDocs' public entry points (``load_config`` and
``build``, called as its own command line calls them), into a temporary folder that replaces site/ only when the
build succeeded (a failed build leaves the previous site/ as it was). It runs in this process, so that a build
interrupted or killed stops MkDocs too. The site search index is made in the temporary folder before the swap
(:mod:`site_builder.build.search_index`), so a failed indexing also leaves the previous site/ in place.

The swap is two renames (site/ aside, the new folder in, the old one deleted). A build killed between them
leaves site/ missing and the previous site aside; the next build puts it back first (:func:`recover_site`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from site_builder.build.search_index import index_site
from site_builder.kb.problems import SiteBuilderError
from site_builder.kb.project import Project
from site_builder.site.config import config_path

Progress = Callable[[str], None]
#: Temporary build folders live next to site/ (same file system, so the swap is a rename).
TEMP_PREFIX = ".site-build-"
_OLD = f"{TEMP_PREFIX}old"


class _Relay(logging.Handler):
    """Passes MkDocs' warnings and errors to our progress output and keeps them for the failure message."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.WARNING)
        self.progress = progress
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = f"mkdocs: {record.levelname.lower()}: {record.getMessage()}"
        self.messages.append(message)
        self.progress(message)


@contextmanager
def _relay_logs(progress: Progress) -> Iterator[_Relay]:
    """MkDocs' log records go to our progress output while it builds (a handler on its logger, removed after)."""
    logger = logging.getLogger("mkdocs")
    relay = _Relay(progress)
    old_propagate = logger.propagate
    logger.addHandler(relay)
    logger.propagate = False
    try:
        yield relay
    finally:
        logger.removeHandler(relay)
        logger.propagate = old_propagate


def recover_site(target: Path) -> None:
    """Put back a previous site/ that a build killed between its two renames left aside."""
    old = target.with_name(_OLD)
    if not target.exists() and old.is_dir() and not old.is_symlink():
        old.rename(target)


def remove_stale_builds(parent: Path) -> None:
    """Delete the temporary folders that killed builds left behind (after :func:`recover_site`)."""
    for leftover in parent.glob(f"{TEMP_PREFIX}*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def swap_into_place(built: Path, target: Path) -> None:
    """Move the freshly built ``built`` folder to ``target``, then delete the previous one."""
    old = target.with_name(_OLD)
    if target.exists():
        target.rename(old)
    try:
        built.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def check_site_folder(target: Path) -> None:
    """Refuse a site/ that is a symbolic link or a file: replacing it could delete what it points to."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise SiteBuilderError(f"[unsafe-path] {target}: the site folder must be a plain folder (it is a link or a "
                               "file); remove it and build again; nothing was written")


def mkdocs_build(project: Project, progress: Progress, site_dir: Path | None = None,
                 timings: dict[str, float] | None = None) -> Path:
    """Run ``mkdocs build --strict`` on the project's mkdocs.yml, index the result for the site search and put it
    in ``site_dir`` (default site/). Raises :class:`SiteBuilderError` with MkDocs' or Pagefind's last messages
    when either fails. ``timings`` receives the seconds of ``mkdocs`` and of ``search`` (the indexing)."""
    target = site_dir or project.site
    check_site_folder(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_site(target)
    remove_stale_builds(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=target.parent))
    # Material prints a banner about MkDocs 2 on every build; its documented switch turns it off.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    times = timings if timings is not None else {}
    start = time.perf_counter()
    try:
        with _relay_logs(progress) as relay:
            try:
                cfg = load_config(config_file=os.fspath(config_path(project)), site_dir=os.fspath(tmp), strict=True)
                cfg.plugins.on_startup(command="build", dirty=False)
                try:
                    build(cfg)
                finally:
                    cfg.plugins.on_shutdown()
            except MkDocsException as exc:
                details = "; ".join(relay.messages[-5:])
                raise SiteBuilderError(f"mkdocs build failed: {exc.format_message()}"
                                       + (f" ({details})" if details else "")) from exc
        times["mkdocs"] = time.perf_counter() - start
        progress("search index: indexing every page with pagefind")
        start = time.perf_counter()
        index_site(tmp, progress)
        times["search"] = time.perf_counter() - start
        swap_into_place(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target

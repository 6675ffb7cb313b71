"""The site generator stage: ``mkdocs build --strict`` through MkDocs' own API, into a temporary folder that
replaces site/ only when the build succeeded (a failed build leaves the previous site/ as it was).
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from site_builder.anchorscan import skipping_idless_pages
from site_builder.problems import SiteBuilderError
from site_builder.project import Project
from site_builder.siteconfig import config_path
from site_builder.sitesplit import split_build

Progress = Callable[[str], None]
#: Temporary build folders live next to site/ (same file system, so the final swap is a rename).
TEMP_PREFIX = ".site-build-"
#: Where a replaced site waits for its deletion, relative to the folder holding site/ (inside the git-ignored
#: cache folder when that is the project root).
OLD_SITES = Path(".cache") / "site-builder" / "old-sites"


class _Relay(logging.Handler):
    """Passes MkDocs' warnings and errors to our progress output and remembers them for the failure message."""

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


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 with RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def recover_site(target: Path) -> None:
    """Put back a previous site/ that a build killed between its two renames left aside (non-Linux fallback)."""
    if target.exists():
        return
    leftovers = sorted(target.parent.glob(f"{TEMP_PREFIX}old-*"), key=lambda p: p.stat().st_mtime)
    if leftovers:
        leftovers[-1].rename(target)


def swap_into_place(built: Path, target: Path) -> None:
    """Move the freshly built ``built`` folder to ``target``, then delete the old one.

    Where the kernel can exchange two folders atomically, site/ is at every instant either the old or the new
    site, whenever the process is killed. Elsewhere two renames are used and :func:`recover_site` repairs the
    short gap between them on the next build.
    """
    if target.exists() and _exchange(built, target):
        discard(built, target.parent / OLD_SITES)  # ``built`` now holds the previous site
        return
    old = None
    if target.exists():
        old = target.with_name(f"{TEMP_PREFIX}old-{built.name[len(TEMP_PREFIX):]}")
        target.rename(old)
    try:
        built.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        discard(old, target.parent / OLD_SITES)


def discard(folder: Path, trash: Path) -> None:
    """Delete ``folder`` (a replaced site) without making the build wait for it.

    The folder is first moved into ``trash`` (one rename), then a detached process deletes it: the 20,000 pages
    of a large site took seconds to delete, after the new site was already in place. Where that cannot be done
    (no fork, other threads running, a failed rename), the folder is deleted here and now. Whatever a deletion
    cut short leaves in ``trash``, the next build removes (:func:`remove_stale_builds`).
    """
    try:
        trash.mkdir(parents=True, exist_ok=True)
        moved = trash / folder.name
        folder.rename(moved)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    delete_detached(moved)


def delete_detached(folder: Path) -> None:
    """Delete ``folder`` in a detached process (here and now where that cannot be done)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        pid = os.fork()
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    if pid == 0:  # a child that starts the deleting grandchild and leaves at once, so no zombie remains
        try:
            if os.fork() == 0:
                # Off the build's standard streams and every other file it had open (the pipe of a build stage
                # run in a child process among them): whoever reads one sees its end when the build ends.
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, _max_fd())
                shutil.rmtree(folder, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _max_fd() -> int:
    try:
        return max(os.sysconf("SC_OPEN_MAX"), 256)
    except (OSError, ValueError):
        return 65536


def remove_stale_builds(parent: Path) -> None:
    """Delete temporary build folders that killed builds left behind (after :func:`recover_site`), and, in the
    background, replaced sites whose deletion did not finish (or is still going on)."""
    for leftover in parent.glob(f"{TEMP_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in (parent / OLD_SITES).glob("*"):
        if leftover.is_dir():
            delete_detached(leftover)


def mkdocs_build(project: Project, progress: Progress, site_dir: Path | None = None,
                 keep: Callable[..., None] | None = None) -> Path:
    """Run ``mkdocs build --strict`` on the project's mkdocs.yml and put the result in ``site_dir`` (default
    site/). Raises :class:`SiteBuilderError` with MkDocs' warnings when the build fails. ``keep`` is given MkDocs'
    files and navigation (every page, its Markdown and its HTML) before MkDocs would let them go (see
    :func:`~site_builder.forked.spare`). A large site's pages are shared with a helper process
    (:mod:`site_builder.sitesplit`); the site is the same."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException
    from mkdocs.plugins import BasePlugin

    class Keeper(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        """Hands the files and the navigation to ``keep`` (registered for this call only, never in mkdocs.yml)."""

        def on_nav(self, nav: Any, /, *, config: Any, files: Any) -> Any:
            if keep is not None:
                keep(files, nav)
            return nav

    target = site_dir or project.site
    config = config_path(project)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_site(target)
    remove_stale_builds(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=target.parent))
    helper = tmp.with_name(tmp.name + "-helper")  # where a helper process writes its share of the pages
    try:
        with _relay_logs(progress) as relay:
            try:
                cfg = load_config(config_file=str(config), site_dir=str(tmp), strict=True)
                if keep is not None:
                    cfg.plugins["site-builder-keep"] = Keeper()
                cfg.plugins.on_startup(command="build", dirty=False)
                try:
                    with skipping_idless_pages(), split_build(cfg, str(helper), progress, build) as run:
                        run()
                finally:
                    cfg.plugins.on_shutdown()
            except MkDocsException as exc:
                details = "; ".join(relay.messages[-5:])
                raise SiteBuilderError(f"mkdocs build failed: {exc.format_message()}"
                                       + (f" ({details})" if details else "")) from exc
        swap_into_place(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if helper.exists():
            discard(helper, target.parent / OLD_SITES)
    return target

"""The site generator stage: ``mkdocs build --strict`` through MkDocs' own API, into a temporary folder that
replaces site/ only when the build succeeded (a failed build leaves the previous site/ as it was).
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from site_builder.problems import SiteBuilderError
from site_builder.project import Project
from site_builder.siteconfig import config_path

Progress = Callable[[str], None]
#: Temporary build folders live next to site/ (same file system, so the final swap is a rename).
TEMP_PREFIX = ".site-build-"


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
        shutil.rmtree(built, ignore_errors=True)  # ``built`` now holds the previous site
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
        shutil.rmtree(old, ignore_errors=True)


def remove_stale_builds(parent: Path) -> None:
    """Delete temporary build folders that killed builds left behind (after :func:`recover_site`)."""
    for leftover in parent.glob(f"{TEMP_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def mkdocs_build(project: Project, progress: Progress, site_dir: Path | None = None) -> Path:
    """Run ``mkdocs build --strict`` on the project's mkdocs.yml and put the result in ``site_dir`` (default
    site/). Raises :class:`SiteBuilderError` with MkDocs' warnings when the build fails."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    target = site_dir or project.site
    config = config_path(project)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_site(target)
    remove_stale_builds(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=target.parent))
    try:
        with _relay_logs(progress) as relay:
            try:
                cfg = load_config(config_file=str(config), site_dir=str(tmp), strict=True)
                cfg.plugins.on_startup(command="build", dirty=False)
                try:
                    build(cfg)
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
    return target

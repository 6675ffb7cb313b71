"""``site-builder serve``: regenerate pages when records change and let ``mkdocs serve`` show them.

A polling watcher (no extra dependency, works on every file system) looks at the record files, taxonomy.yaml,
the curated lists and the Semantic Scholar snapshot once a second; when one changes it reruns load -> check ->
render -> write. Only pages whose bytes changed are rewritten, and ``mkdocs serve`` (which watches docs/) rebuilds
and reloads the browser.
When the records have errors, the problems are printed and the previous pages stay in place.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from site_builder.build import generate
from site_builder.problems import SiteBuilderError
from site_builder.project import Project
from site_builder.siteconfig import config_path

Progress = Callable[[str], None]
Signature = tuple[tuple[str, int, int], ...]
POLL_SECONDS = 1.0


def input_signature(project: Project) -> Signature:
    """(path, mtime, size) of every input of the generated pages, in a stable order."""
    files: list[Path] = [project.taxonomy, project.cited_by]
    for folder, pattern in ((project.papers, "*.yaml"), (project.datasets, "*.yaml"), (project.snapshot, "*.json")):
        if folder.is_dir():
            files.extend(sorted(folder.glob(pattern)))
    out = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((path.as_posix(), st.st_mtime_ns, st.st_size))
    return tuple(out)


def regenerate(project: Project, progress: Progress) -> bool:
    """One regeneration; prints the problems and returns False when the records have errors."""
    try:
        result = generate(project, progress=progress)
    except SiteBuilderError as exc:
        progress(f"cannot regenerate: {exc}")
        return False
    for problem in result.problems:
        progress(problem.as_text())
    if result.failed:
        progress("records have errors: the previous pages stay in place")
    return not result.failed


def watch(project: Project, progress: Progress, stop: threading.Event, interval: float = POLL_SECONDS,
          last: Signature | None = None) -> None:
    """Poll the inputs until ``stop`` is set, regenerating after each change since ``last`` (default: now)."""
    if last is None:
        last = input_signature(project)
    while not stop.wait(interval):
        current = input_signature(project)
        if current != last:
            last = current
            progress("records changed: regenerating pages")
            regenerate(project, progress)


def serve(project: Project, dev_addr: str | None, dirty: bool, progress: Progress) -> None:
    """Generate once, start the watcher, then run ``mkdocs serve`` until interrupted."""
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    seen = input_signature(project)  # taken first, so that an edit during the first generation is not missed
    if not regenerate(project, progress):
        raise SiteBuilderError("fix the errors above before serving")
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("mkdocs: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(project, progress, stop, POLL_SECONDS, seen),
                               name="record-watcher", daemon=True)
    watcher.start()
    try:
        options: dict[str, Any] = {"dev_addr": dev_addr} if dev_addr else {}
        mkdocs_serve(config_file=str(config_path(project)), livereload=True,
                     build_type="dirty" if dirty else None, **options)
    except MkDocsException as exc:
        raise SiteBuilderError(f"mkdocs serve failed: {exc.format_message()}") from exc
    finally:
        stop.set()
        watcher.join(timeout=5)
        logger.removeHandler(handler)

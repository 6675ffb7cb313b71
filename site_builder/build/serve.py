"""``site-builder serve``: regenerate pages when records change and let ``mkdocs serve`` show them.

A polling watcher (no extra dependency, works on every file system) looks at the record files, taxonomy.yaml,
the curated lists and the Semantic Scholar snapshot once a second; when one changes it reruns the same stages as
``build`` (load -> check -> citations -> model -> render -> write), which rewrite only the pages whose bytes
changed. ``mkdocs serve`` (which watches docs/) then rebuilds the site (a full build, so navigation is right) and
reloads the browser. When the records have errors, the problems are printed and the previous pages stay in place.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable

from site_builder.build.pipeline import generate
from site_builder.kb.problems import SiteBuilderError
from site_builder.kb.project import Project
from site_builder.site.config import config_path

Progress = Callable[[str], None]
Signature = tuple[tuple[str, int, int], ...]
POLL_SECONDS = 1.0


def input_signature(project: Project) -> Signature:
    """(path, mtime, size) of every input of the generated pages, in a stable order."""
    out = []
    for path in (project.taxonomy, project.cited_by):
        with contextlib.suppress(OSError):
            st = path.stat()
            out.append((path.as_posix(), st.st_mtime_ns, st.st_size))
    for folder, suffix in ((project.papers, ".yaml"), (project.datasets, ".yaml"), (project.snapshot, ".json")):
        # os.scandir and plain strings: this runs every second over up to tens of thousands of files.
        with contextlib.suppress(OSError), os.scandir(folder) as listing:
            for entry in sorted(listing, key=lambda e: e.name):
                if entry.name.endswith(suffix):
                    with contextlib.suppress(OSError):
                        st = entry.stat()
                        out.append((entry.path, st.st_mtime_ns, st.st_size))
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


#: Where ``mkdocs serve`` listens when neither --dev-addr nor mkdocs.yml says otherwise.
DEFAULT_ADDR = "127.0.0.1:8000"


def check_address_free(address: str) -> None:
    """Refuse before any build when nothing could listen on ``address`` (another server holds it, say)."""
    host, _, port = address.rpartition(":")
    try:
        infos = socket.getaddrinfo(host.strip("[]"), int(port), type=socket.SOCK_STREAM)
        family, kind, proto, _, where = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is free
            probe.bind(where)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SiteBuilderError(f"cannot serve on {address}: {reason.lower()}; stop what uses it or choose another "
                               "address with --dev-addr HOST:PORT") from None


def serve(project: Project, dev_addr: str | None, progress: Progress) -> None:
    """Check the address, generate once, start the watcher, then run ``mkdocs serve`` until interrupted."""
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    address = dev_addr or DEFAULT_ADDR
    check_address_free(address)
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
        # the address checked above, so that mkdocs listens exactly where the check said it can
        mkdocs_serve(config_file=str(config_path(project)), livereload=True, dev_addr=address)
    except MkDocsException as exc:
        raise SiteBuilderError(f"mkdocs serve failed: {exc.format_message()}") from exc
    finally:
        stop.set()
        watcher.join(timeout=5)
        logger.removeHandler(handler)

"""MkDocs' page work shared between two processes: the site generator's use of the build's second core.

MkDocs converts and renders one page after another in one process, so on the 2-core machine half of the machine
sat idle for the longest step of a large build. From :data:`SPLIT_FROM` pages outside the navigation on,
``site-builder build`` runs MkDocs in this process and in a forked helper, each into its own folder:

- Both read the configuration, the files and the navigation, and both convert the pages of the navigation (every
  page shows the navigation, so both need those pages' titles). Only this process writes them.
- The pages outside the navigation (paper, dataset and topic pages) are shared out in batches, each batch to
  whichever process asks first (:class:`~site_builder.forked.Claims`), so both finish at about the same time
  however busy the machine is. A process converts and writes only the pages of its own batches.
- The helper sends back, for each of its pages, the anchor ids the page holds, the links it makes to anchors and
  its search-index entries, and the paths it wrote. This process then checks the anchor links that cross from one
  process's pages to the other's (``validation: anchors``, with MkDocs' own check and wording), puts the search
  entries in page order before the search plugin writes its index, and moves the helper's pages into its folder.

The site is the same, byte for byte, as one MkDocs process would build (tests/test_sitesplit.py compares the
two). ``mkdocs build`` and ``zensical build`` run as they are; only ``site-builder build`` splits. This relies on
two module-level functions of MkDocs 1.6 (``_populate_page`` and ``_build_page``); where they are missing, or
where a fork cannot be made, the build runs in one process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from site_builder.forked import Claims, Forked
from site_builder.problems import SiteBuilderError

#: From this many pages outside the navigation on, the build shares them with a helper process.
SPLIT_FROM = 500


@dataclass
class PageFacts:
    """What the other process needs to know about a page one process converted and wrote."""

    anchors: set[str] | None
    #: Links to anchors: the linked page's source path -> {anchor: link as written}.
    links: dict[str, dict[str, str]]
    #: The page's entries in the search index, in order.
    entries: list[dict[str, Any]]


@dataclass
class HelperReport:
    """The helper's answer: its pages' facts (by source path), what it wrote, or why it failed."""

    pages: dict[str, PageFacts] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    failure: str | None = None


class PageSplit:
    """Which pages this process converts and writes, and what it learnt about them (one per process)."""

    def __init__(self, claims: Claims) -> None:
        self.claims = claims
        self.helper = False
        #: Source path -> index among the shared pages (set once MkDocs has the navigation).
        self.shared: dict[str, int] = {}
        self.size = 1
        self._mine: set[int] = set()
        self._last = -1
        self._exhausted = False
        self.files: Any = None
        #: The search index's list of entries (``None`` without a search plugin).
        self.entries: list[dict[str, Any]] | None = None
        #: Search entries of each page this process wrote, by source path.
        self.page_entries: dict[str, list[dict[str, Any]]] = {}
        self.written: list[str] = []
        #: The helper process (in this process, once started) and its answer, once this process has it.
        self.forked: Forked[HelperReport] | None = None
        self.theirs: HelperReport | None = None

    def start(self, files: Any, nav: Any, config: Any) -> None:
        """Learn the shared pages (the documentation pages that are not in the navigation)."""
        self.files = files
        listed = {page.file.src_uri for page in nav.pages}
        shared = [f.src_uri for f in files.documentation_pages() if f.src_uri not in listed]
        self.shared = {uri: i for i, uri in enumerate(shared)}
        self.size = Claims.batch_size(len(shared))
        for plugin in config.plugins.values():
            entries = getattr(getattr(plugin, "search_index", None), "entries", None)
            if isinstance(entries, list):
                self.entries = entries

    def owns(self, src_uri: str) -> bool | None:
        """Whether this process converts and writes the shared page ``src_uri``; ``None`` for a page that is not
        shared (a page of the navigation). Batches are claimed as the pages come, in the same order everywhere."""
        index = self.shared.get(src_uri)
        if index is None:
            return None
        batch = index // self.size
        while self._last < batch and not self._exhausted:
            number = self.claims.next()
            if number is None:
                self._exhausted = True
            else:
                self._mine.add(number)
                self._last = number
        return batch in self._mine

    def writes(self, src_uri: str) -> bool:
        """Whether this process writes the page (the pages of the navigation are written here, not in the helper)."""
        owned = self.owns(src_uri)
        return not self.helper if owned is None else owned

    def report(self) -> HelperReport:
        """The facts of the shared pages this process wrote (the helper's answer)."""
        pages = {}
        for uri in self.page_entries:
            page = self.files.src_uris[uri].page
            links = {target.src_uri: dict(found) for target, found in (page.links_to_anchors or {}).items()}
            pages[uri] = PageFacts(page.present_anchor_ids, links, self.page_entries[uri])
        return HelperReport(pages, self.written)

    def take_over(self, report: HelperReport, config: Any) -> None:
        """Give the helper's pages their facts here, check the anchor links that cross between the two processes'
        pages, and put the search entries in page order."""
        files = self.files
        by_uri = files.src_uris
        theirs = {}
        for uri, facts in report.pages.items():
            page = by_uri[uri].page
            page.present_anchor_ids = facts.anchors
            page.links_to_anchors = {by_uri[t]: links for t, links in facts.links.items() if t in by_uri}
            theirs[by_uri[uri]] = page
        level = config.validation.links.anchors
        for page in theirs.values():  # every link of theirs: the helper checked none
            page.validate_anchor_links(files=files, log_level=level)
        for uri in self.page_entries:  # links of ours into their pages: MkDocs skipped them, not knowing the anchors
            page = files.src_uris[uri].page
            crossing = {f: links for f, links in (page.links_to_anchors or {}).items() if f in theirs}
            if crossing:
                kept, page.links_to_anchors = page.links_to_anchors, crossing
                try:
                    page.validate_anchor_links(files=files, log_level=level)
                finally:
                    page.links_to_anchors = kept
        if self.entries is not None:
            ordered: list[dict[str, Any]] = []
            for f in files.documentation_pages():
                ordered += self.page_entries.get(f.src_uri) or report.pages.get(f.src_uri, _NO_FACTS).entries
            if sum(map(len, self.page_entries.values())) == len(self.entries):
                self.entries[:] = ordered
            else:  # entries that belong to no page: keep them, theirs go last
                self.entries += [e for facts in report.pages.values() for e in facts.entries]


_NO_FACTS = PageFacts(None, {}, [])


@contextmanager
def _patched(split: PageSplit) -> Iterator[bool]:
    """Within the block, MkDocs converts and writes only this process's pages; yields whether it could be done."""
    try:
        from mkdocs.commands import build as steps
    except ImportError:
        yield False
        return
    populate, write_page = getattr(steps, "_populate_page", None), getattr(steps, "_build_page", None)
    if not callable(populate) or not callable(write_page):
        yield False
        return

    def populate_mine(page: Any, *args: Any, **kwargs: Any) -> None:
        if split.owns(page.file.src_uri) is not False:  # the navigation's pages are converted everywhere
            populate(page, *args, **kwargs)

    def write_mine(page: Any, *args: Any, **kwargs: Any) -> None:
        uri = page.file.src_uri
        if not split.writes(uri):
            return
        before = len(split.entries) if split.entries is not None else 0
        write_page(page, *args, **kwargs)
        split.page_entries[uri] = split.entries[before:] if split.entries is not None else []
        split.written.append(page.file.dest_uri)

    steps._populate_page, steps._build_page = populate_mine, write_mine
    try:
        yield True
    finally:
        steps._populate_page, steps._build_page = populate, write_page


def _plugin(split: PageSplit) -> Any:
    """A plugin (registered for one build only, never in mkdocs.yml) that learns the pages and, in this process,
    takes the helper's answer over before the search plugin writes its index."""
    from mkdocs.plugins import BasePlugin, event_priority

    class Splitter(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        def on_nav(self, nav: Any, /, *, config: Any, files: Any) -> Any:
            split.start(files, nav, config)
            return nav

        @event_priority(100)  # before the search plugin writes the index
        def on_post_build(self, *, config: Any) -> None:
            if split.helper or split.forked is None:
                return
            report = split.theirs = split.forked.result()
            if report.failure is not None:
                raise SiteBuilderError(f"mkdocs build failed in the helper process: {report.failure}")
            split.take_over(report, config)

    return Splitter()


def _markdown_files(docs: str) -> int:
    """How many Markdown files the docs folder holds (an upper bound of the pages to share, cheap to count)."""
    count = 0
    for _, _, names in os.walk(docs):
        count += sum(1 for n in names if n.endswith(".md"))
    return count


@contextmanager
def split_build(config: Any, helper_dir: str, progress: Callable[[str], None],
                run: Callable[[Any], None]) -> Iterator[Callable[[], None]]:
    """Yield a function that runs ``run(config)`` (MkDocs' build) shared with a helper process writing into
    ``helper_dir``, and afterwards moves the helper's pages into ``config.site_dir``; with few pages, no fork or
    other threads running, the function just runs the build here."""
    if (_markdown_files(config.docs_dir) < SPLIT_FROM or not hasattr(os, "fork")
            or threading.active_count() > 1):
        yield lambda: run(config)
        return
    claims = Claims(Claims.LIMIT)
    split = PageSplit(claims)
    config.plugins["site-builder-split"] = _plugin(split)
    try:
        with _patched(split) as active:
            if not active:
                yield lambda: run(config)
                return

            def help_out() -> HelperReport:
                from mkdocs.exceptions import MkDocsException

                split.helper = True
                config["site_dir"] = helper_dir
                config.validation.links.anchors = logging.DEBUG  # this process checks the helper's links
                try:
                    run(config)
                except MkDocsException as exc:
                    return HelperReport(failure=exc.format_message())
                return split.report()

            def both() -> None:
                split.forked = Forked(help_out)
                try:
                    run(config)
                except BaseException:
                    split.forked.cancel()
                    raise
                theirs = split.theirs.written if split.theirs else []
                _move(theirs, helper_dir, config.site_dir)
                progress(f"site: {len(split.written):,} pages written here, {len(theirs):,} by the helper process")

            yield both
    finally:
        claims.close()


def _move(theirs: list[str], source: str, target: str) -> None:
    """Move the pages the helper wrote (paths relative to ``source``) into ``target``."""
    made: set[str] = set()
    for rel in theirs:
        dest = os.path.join(target, rel)
        folder = os.path.dirname(dest)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with contextlib.suppress(FileNotFoundError):  # MkDocs writes no file for a page with empty output
            os.replace(os.path.join(source, rel), dest)

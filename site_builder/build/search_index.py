"""The site search index: Pagefind's command line (the binary that ``pagefind[extended]`` ships, found through its
public ``pagefind.service.get_executable``) run over the freshly built site, before it is swapped into site/.

Pagefind writes a chunked index to ``<site>/pagefind/``: a reader's browser loads the few chunks a query needs,
never the whole collection. What a page contributes (its body, weights, metadata and filters) is marked in the
pages themselves with ``data-pagefind-*`` attributes; only the article of each page is indexed (the theme's
header, navigation and footer repeat on every page and would match every query).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from site_builder.kb.problems import SiteBuilderError

Progress = Callable[[str], None]
#: Where the index goes, relative to the site (the search box loads its files from there).
OUTPUT_SUBDIR = "pagefind"
#: The theme's article: the page's own content, without the header, navigation and footer around it.
ROOT_SELECTOR = "article.md-content__inner"
#: Not indexed: the permalink signs the theme adds to headings (they would end every page title with "¶").
EXCLUDE_SELECTORS = ".headerlink"
#: A generous bound: 20,000 paper pages index in well under a minute.
TIMEOUT_SECONDS = 1800


def _executable() -> str:
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SiteBuilderError("search index: the pagefind package is not installed "
                               "(pip install 'pagefind[extended]'); the previous site/ is unchanged") from exc
    found = get_executable()
    if found is None or not found.is_file():
        raise SiteBuilderError("search index: pagefind's binary is missing (pip install 'pagefind[extended]'); "
                               "the previous site/ is unchanged")
    return os.fspath(found)


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (Pagefind's, once it has run): the benchmarks compare the
    build without the indexing against a bare MkDocs build."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def index_site(site: Path, progress: Progress) -> str:
    """Index every page of the built site at ``site`` into ``site/pagefind/``; returns the summary line.

    Runs in ``site`` (Pagefind reads a configuration file from its working folder, and the built site has none)
    with every setting on the command line. Raises :class:`SiteBuilderError` with Pagefind's last lines when it
    fails, so that the build stops before the swap.
    """
    command = [_executable(), "--site", ".", "--output-subdir", OUTPUT_SUBDIR, "--root-selector", ROOT_SELECTOR,
               "--exclude-selectors", EXCLUDE_SELECTORS]
    start, cpu = time.perf_counter(), _children_cpu()
    try:
        done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SiteBuilderError(f"search index: pagefind did not run: {exc}; the previous site/ is unchanged") from exc
    output = (done.stdout or "") + (done.stderr or "")
    if done.returncode != 0 or not (site / OUTPUT_SUBDIR / "pagefind.js").is_file():
        tail = "; ".join(line.strip() for line in output.strip().splitlines()[-5:] if line.strip())
        raise SiteBuilderError(f"search index: pagefind failed (exit status {done.returncode})"
                               + (f": {tail}" if tail else "") + "; the previous site/ is unchanged")
    pages = re.search(r"Indexed (\d+) pages?", output)
    words = re.search(r"Indexed (\d+) words?", output)
    summary = (f"{pages.group(1) if pages else '?'} pages, {words.group(1) if words else '?'} words "
               f"({time.perf_counter() - start:.1f} s, CPU {_children_cpu() - cpu:.1f} s)")
    progress(f"search index: {summary}")
    return summary

"""MkDocs' scan of a page for anchor ids in raw HTML, skipped when the page cannot hold any.

MkDocs 1.6 reads the whole Markdown source of every page with a second, pure-Python HTML parser, only to collect
the ``id`` attributes (and ``name`` of ``<a>``) of its raw HTML, which ``validation: anchors`` then checks links
against. A generated paper page is mostly raw HTML without a single id; at 20,000 papers that scan was about 9% of
the Python calls MkDocs makes for a paper page, and skipping it made paper pages about 6% faster to build.

:func:`skipping_idless_pages` lets MkDocs scan only pages whose text holds the word ``id`` or ``name`` in any
case: an attribute the parser would report has such a name, so a page without one can only give the empty set,
which is then given without parsing. Pages that do hold the word are scanned exactly as before. The result is
the same set for every page (tests/test_anchorscan.py compares the two on generated input), so the built site
and MkDocs' warnings do not change. It is applied only while ``site-builder build`` runs MkDocs in its own
process; ``mkdocs build`` and ``zensical build`` run as they are. When MkDocs' internals are not what this module
expects (another MkDocs version), nothing is changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Any word that could be the name of an attribute MkDocs collects (attribute names are case-insensitive).
_ANCHOR_ATTRIBUTE = re.compile(r"\b(?:id|name)\b", re.IGNORECASE)


def _scanner() -> Any:
    """MkDocs' raw-HTML anchor scanner class, or ``None`` when this MkDocs has none of the expected shape."""
    try:
        from mkdocs.structure import pages
    except ImportError:
        return None
    found = getattr(pages, "_RawHTMLPreprocessor", None)
    return found if found is not None and callable(getattr(found, "run", None)) else None


def may_hold_anchor(text: str) -> bool:
    """Whether the HTML of ``text`` may hold an attribute that names an anchor (``False`` is certain)."""
    return _ANCHOR_ATTRIBUTE.search(text) is not None


@contextmanager
def skipping_idless_pages() -> Iterator[bool]:
    """Within the block, MkDocs does not parse pages that cannot hold an anchor id (see the module's
    docstring); yields whether the fast path is in place."""
    scanner = _scanner()
    if scanner is None:
        yield False
        return
    scan = scanner.run

    def run(self: Any, lines: list[str]) -> list[str]:
        if any(may_hold_anchor(line) for line in lines):
            result: list[str] = scan(self, lines)
            return result
        self.present_anchor_ids = set()
        return lines

    scanner.run = run
    try:
        yield True
    finally:
        scanner.run = scan

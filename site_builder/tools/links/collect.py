"""Every paper, code, project and dataset link of the knowledge base, with where it is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from site_builder.kb.records import Entry, KnowledgeBase

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class LinkRef:
    """One place a URL is written: file, line, column and the field path (``links.code[0].url``)."""

    path: str
    line: int | None
    col: int | None
    field: str

    def location(self) -> str:
        """``path:line:col`` with the parts that are known."""
        parts = [self.path, *(str(n) for n in (self.line, self.col) if n is not None)]
        return ":".join(parts)


def _field(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _ref(entry: Entry[Any], loc: Loc) -> LinkRef:
    line, col = entry.where(*loc)
    return LinkRef(entry.path, line, col, _field(loc))


def _paper_links(kb: KnowledgeBase) -> Iterator[tuple[str, LinkRef]]:
    for entry in kb.paper_entries:
        links = entry.record.links
        for name in ("paper", "pdf", "project"):
            url = getattr(links, name)
            if url:
                yield url, _ref(entry, ("links", name))
        for i, code in enumerate(links.code):
            yield code.url, _ref(entry, ("links", "code", i, "url"))


def _dataset_links(kb: KnowledgeBase) -> Iterator[tuple[str, LinkRef]]:
    for entry in kb.dataset_entries:
        for i, link in enumerate(entry.record.links):
            yield link.url, _ref(entry, ("links", i, "url"))


def collect_links(kb: KnowledgeBase) -> dict[str, list[LinkRef]]:
    """URL -> every place it is written, URLs in first-seen order (papers, then datasets, files by name)."""
    out: dict[str, list[LinkRef]] = {}
    for url, ref in (*_paper_links(kb), *_dataset_links(kb)):
        out.setdefault(url, []).append(ref)
    return out

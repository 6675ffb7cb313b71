"""Per-paper pieces of the render stage, written once per paper and, in a long-running process, kept between
renders while the paper and what the piece depends on stay the same.

A paper appears in many outputs: its page, rows of list pages, papers.json, papers.csv, papers.bib and the
explore index. :class:`Fragments` writes each of those pieces once per render. With a :class:`RenderMemo` that
outlives one render (``site-builder serve`` keeps one), a piece is reused as long as the paper is the very same
object, which the loader guarantees while its file is unchanged (:class:`~site_builder.records.FileMemo`), and the
context the piece depends on (page depth, taxonomy, the paper's datasets, ...) compares equal. Reuse is keyed by
object identity, checked against the object itself, so a piece can never be taken for another paper's.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Hashable, Iterable
from itertools import compress
from operator import attrgetter, ne
from typing import TypeVar

from markupsafe import Markup

from site_builder.bulk import differing
from site_builder.exports import bibtex_entry, csv_line, paper_line
from site_builder.graphml import GraphmlMemo
from site_builder.models import Paper
from site_builder.render.rows import compact_items, paper_row
from site_builder.render.sections import SectionMemo
from site_builder.sitemodel import SiteModel

T = TypeVar("T")


class RenderMemo:
    """Pieces and paper pages of the previous render, by paper object."""

    def __init__(self) -> None:
        self._papers: dict[int, tuple[Paper, dict[Hashable, object]]] = {}
        self._pages: dict[str, tuple[Paper, Hashable, bytes]] = {}
        self._paths: set[str] = set()
        self._site: Hashable = None
        self._kept: dict[str, tuple[object, object, tuple[str, ...]]] = {}
        self._names: set[str] = set()
        self._making: list[list[str]] = []
        self._fields: dict[tuple[str, ...], tuple[list[Paper], dict[str, tuple[object, ...]]]] = {}
        #: Pieces of the citation graph's GraphML document.
        self.graphml = GraphmlMemo()
        #: Citation sections of paper pages (see :mod:`site_builder.render.sections`).
        self.sections = SectionMemo()
        #: Outputs whose bytes the last render took over unchanged from the render before.
        self.unchanged: set[str] = set()
        self._outputs: dict[str, bytes] = {}
        #: The last paper page loop: its papers by id, what every page of it depended on, and its pages (see
        #: :func:`~site_builder.render.records.paper_pages`).
        self.page_loop: tuple[dict[str, Paper], tuple[object, ...], dict[str, bytes]] | None = None
        self._lists: dict[Hashable, tuple[list[Paper], list[object]]] = {}
        self._lists_used: set[Hashable] = set()
        self._by_id: dict[str, tuple[object, dict[str, object], dict[str, object]]] = {}
        self._order: tuple[list[str], set[str]] | None = None
        #: This render's copy of the papers list that the per-paper lists and values are kept with, and the
        #: comparisons of papers lists with kept ones made in this render (both held: compared by identity).
        self._copy: tuple[list[Paper], list[Paper]] | None = None
        self._compared: list[tuple[list[Paper], list[Paper], list[int]]] = []

    def start(self, site: Hashable) -> None:
        """Begin a render; ``site`` is what every paper page depends on besides its paper (the taxonomy, the
        site's settings, ...): when it differs from the previous render's, no page is taken over."""
        if site != self._site:
            self._pages, self.page_loop = {}, None
        self._site = site
        self._paths, self.unchanged, self._names, self._lists_used = set(), set(), set(), set()
        self._copy, self._compared = None, []

    def _kept_copy(self, papers: list[Paper]) -> list[Paper]:
        """A copy of ``papers`` to keep values with: one per render for the same list, so that the next render
        compares its papers with it once (see :meth:`_differing`)."""
        if self._copy is None or self._copy[0] is not papers:
            self._copy = (papers, list(papers))
        return self._copy[1]

    def _differing(self, papers: list[Paper], before: list[Paper]) -> list[int]:
        """:func:`~site_builder.bulk.differing` of the two lists, worked out once per render for the same pair."""
        for now, then, found in self._compared:
            if now is papers and then is before:
                return found
        found = differing(papers, before)
        self._compared.append((papers, before, found))
        return found

    def piece(self, paper: Paper, kind: Hashable, make: Callable[[], T]) -> T:
        """The piece ``kind`` of ``paper``, made only when this paper object has none yet."""
        slot = self._papers.get(id(paper))
        if slot is None or slot[0] is not paper:
            slot = self._papers[id(paper)] = (paper, {})
        pieces = slot[1]
        if kind in pieces:
            return pieces[kind]  # type: ignore[return-value]
        value = pieces[kind] = make()
        return value

    def pieces(self, papers: list[Paper], kind: Hashable, make: Callable[[Paper], T]) -> list[T]:
        """The piece ``kind`` of each of ``papers``: the last list of that kind again, with the pieces of the
        papers that are not the same objects at the same places made anew (see :meth:`piece`)."""
        self._lists_used.add(kind)
        found = self._lists.get(kind)
        if found is not None and len(found[0]) == len(papers):
            values: list[object] = list(found[1])
            for i in self._differing(papers, found[0]):
                values[i] = self.piece(papers[i], kind, functools.partial(make, papers[i]))
        else:
            values = [self.piece(p, kind, functools.partial(make, p)) for p in papers]
        self._lists[kind] = (self._kept_copy(papers), values)
        return values  # type: ignore[return-value]

    def by_id(self, name: str, key: object, inputs: dict[str, object], make: Callable[[str], T]) -> dict[str, T]:
        """``make(id)`` for each id of ``inputs``: the last values of ``name`` again (while ``key`` is equal and the
        ids are the same), made anew for the ids whose input is not equal to the last one (inputs hold the
        objects the value reads: unchanged ones compare by identity). Like :meth:`keep`'s outputs, the values stay
        remembered while an output made with them is taken over."""
        if self._making:
            self._making[-1].append(name)
        self._lists_used.add(name)
        found = self._by_id.get(name)
        if found is not None and found[0] == key and found[1].keys() == inputs.keys():
            before, values = found[1], dict(found[2])
            for ident in list(compress(inputs, map(ne, map(before.__getitem__, inputs), inputs.values()))):
                values[ident] = make(ident)
        else:
            values = {ident: make(ident) for ident in inputs}
        self._by_id[name] = (key, inputs, values)
        return values  # type: ignore[return-value]

    def page(self, path: str, paper: Paper, context: Hashable, make: Callable[[], bytes]) -> bytes:
        """The page at ``path``, written again only when the paper object or the ``context`` (what the page
        depends on besides the paper and the site) changed."""
        self._paths.add(path)
        found = self._pages.get(path)
        if found is not None and found[0] is paper and found[1] == context:
            self.unchanged.add(path)
            return found[2]
        data = make()
        self._pages[path] = (paper, context, data)
        return data

    def pages_taken_over(self, paths: Iterable[str]) -> None:
        """The pages at ``paths`` are taken over from the previous render without asking :meth:`page`."""
        self._paths.update(paths)

    def keep(self, name: str, key: object, make: Callable[[], T]) -> T:
        """The output ``name``, made again only when ``key`` (everything the output reads) differs from the key it
        was last made with. Keys are compared with ``==``: made of the records' own values (strings, dates, model
        objects), they compare by identity for unchanged records, so a key over the whole collection costs about
        one pointer comparison per value. The outputs kept while ``make`` ran stay remembered as long as this one is
        taken over."""
        if self._making:
            self._making[-1].append(name)
        found = self._kept.get(name)
        if found is not None and found[0] == key:
            self._mark(name)
            return found[1]  # type: ignore[return-value]
        self._names.add(name)
        self._making.append([])
        try:
            value = make()
        finally:
            inner = tuple(self._making.pop())
        self._kept[name] = (key, value, inner)
        return value

    def _mark(self, name: str) -> None:
        """``name`` and the outputs kept while it was made are in use (kept for the next render)."""
        self._names.add(name)
        self._lists_used.add(name)  # values kept by id under this name
        found = self._kept.get(name)
        for inner in found[2] if found is not None else ():
            self._mark(inner)

    @property
    def last_outputs(self) -> dict[str, bytes]:
        """The outputs of the last render that finished."""
        return self._outputs

    def output_order(self, outputs: dict[str, bytes]) -> list[str]:
        """The paths of ``outputs`` in sorted order (the order outputs are written in): the last render's list again
        when the paths are the same."""
        last = self._order
        if last is not None and len(last[0]) == len(outputs) and outputs.keys() == last[1]:
            return last[0]
        order = sorted(outputs)
        self._order = (order, set(order))
        return order

    def field_values(self, names: tuple[str, ...], papers: list[Paper]) -> dict[str, tuple[object, ...]]:
        """The id and the fields ``names`` of each of ``papers``, by id (in no particular order): the previous
        render's values again while the same paper objects come, the changed papers' values made anew."""
        get = attrgetter("id", *names)
        found = self._fields.get(names)
        values = None
        if found is not None and len(found[0]) == len(papers):
            before, known = found
            changed = self._differing(papers, before)
            if not changed:
                values = known
            elif all(papers[i].id == before[i].id for i in changed):
                values = dict(known)
                for i in changed:
                    values[papers[i].id] = get(papers[i])
            else:  # papers moved: only those that are not objects of the places they left are new
                values = _patched([before[i] for i in changed], [papers[i] for i in changed], known, get)
                if len(values) != len(papers):
                    values = None  # an id went away
        if values is None:
            values = {v[0]: v for v in map(get, papers)}
        self._fields[names] = (self._kept_copy(papers), values)
        return values

    def finish(self, papers: Iterable[Paper], outputs: dict[str, bytes] | None = None) -> None:
        """End a render of ``papers``: forget the pieces of other papers and the pages not written. Of the render's
        ``outputs``, those that are the very bytes object of the previous render's output join :attr:`unchanged`
        (kept outputs: the write stage need not read them back)."""
        if outputs is not None:
            last = self._outputs
            self.unchanged.update(path for path, data in outputs.items() if last.get(path) is data)
            self._outputs = outputs
        live = {id(p): p for p in papers}
        for key in [k for k, (paper, _) in self._papers.items() if live.get(k) is not paper]:
            del self._papers[key]
        for path in self._pages.keys() - self._paths:
            del self._pages[path]
        for name in self._kept.keys() - self._names:
            del self._kept[name]
        for kind in self._lists.keys() - self._lists_used:
            del self._lists[kind]
        for name in self._by_id.keys() - self._lists_used:
            del self._by_id[name]


def _patched(gone: list[Paper], came: list[Paper], known: dict[str, tuple[object, ...]],
             get: Callable[[Paper], tuple[object, ...]]) -> dict[str, tuple[object, ...]]:
    """:meth:`RenderMemo.field_values` when papers moved: ``known`` values taken over, made anew for the papers of
    ``came`` (those at the places that changed) that are not objects of ``gone`` (those that were there before). The
    ids of papers that went away stay (the caller tells them by the count)."""
    values = dict(known)
    kept = set(map(id, gone))
    for paper in came:
        if id(paper) not in kept:
            values[paper.id] = get(paper)
    return values


def taxonomy_key(model: SiteModel) -> str:
    """A digest of everything of the taxonomy that pages show: facet and node ids, labels and parents, in order.
    (A short string: it is part of the key of every piece, and a nested tuple would be hashed every time.)"""
    shown = [[f.id, f.label, [[n.id, n.label, n.parent] for n in f.nodes.values()]]
             for f in model.taxonomy.facets.values()]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()


class Fragments:
    """The per-paper pieces of one render (backed by ``memo`` when given, else by a memo of this render only)."""

    def __init__(self, model: SiteModel, memo: RenderMemo | None = None) -> None:
        self.model = model
        self.memo = memo or RenderMemo()
        self.taxonomy = taxonomy_key(model)
        self._values: dict[tuple[str, ...], dict[str, tuple[object, ...]]] = {}

    def fields(self, names: tuple[str, ...], ids: Iterable[str]) -> tuple[tuple[object, ...], ...]:
        """The id and the fields ``names`` of each paper of ``ids``, in that order, for the keys of :meth:`keep` (see
        :mod:`site_builder.render.keys`)."""
        return tuple(map(self.fields_by_id(names).__getitem__, ids))

    def fields_by_id(self, names: tuple[str, ...]) -> dict[str, tuple[object, ...]]:
        """The id and the fields ``names`` of every paper, by paper id (a dict: it compares equal whatever the display
        order). Each paper's values are gathered once per render."""
        values = self._values.get(names)
        if values is None:
            values = self._values[names] = self.memo.field_values(names, self.model.papers)
        return values

    def row(self, paper: Paper, root: str) -> Markup:
        """The paper's row in a paper table on a page at ``root``."""
        return self.memo.piece(paper, ("row", root), lambda: paper_row(paper, root))

    def compact(self, papers: Iterable[Paper], root: str) -> Markup:
        """``<li>`` items linking each paper (see :func:`~site_builder.render.rows.compact_items`)."""
        return Markup("".join([self.memo.piece(p, ("compact", root), functools.partial(compact_items, [p], root))
                               for p in papers]))

    def table_body(self, papers: Iterable[Paper], root: str) -> Markup:
        """The rows of ``papers``, one per line."""
        return Markup("".join([f"{self.row(p, root)}\n" for p in papers]))

    def kept_rows(self, name: str, papers: list[Paper], root: str, compact: bool = False) -> Markup:
        """:meth:`table_body` (or :meth:`compact`) of ``papers``, kept under ``name`` while the list holds the same
        paper objects (an unchanged paper is the same object: comparing costs a pointer per paper)."""
        make = self.compact if compact else self.table_body
        made: Markup = self.keep(name, papers, lambda: make(papers, root))
        return made

    def bibtex_list(self) -> list[str]:
        """:meth:`bibtex` of every paper, in display order."""
        return self.memo.pieces(self.model.papers, "bibtex", bibtex_entry)

    def json_lines(self) -> list[str]:
        """:meth:`json_line` of every paper, in display order."""
        return self.memo.pieces(self.model.papers, "json", paper_line)

    def csv_lines(self) -> list[str]:
        """:meth:`csv_line` of every paper, in display order."""
        taxonomy = self.model.taxonomy
        return self.memo.pieces(self.model.papers, ("csv", self.taxonomy), lambda p: csv_line(p, taxonomy))

    def bibtex(self, paper: Paper) -> str:
        """The paper's BibTeX entry."""
        return self.memo.piece(paper, "bibtex", lambda: bibtex_entry(paper))

    def json_line(self, paper: Paper) -> str:
        """The paper's line of papers.json."""
        return self.memo.piece(paper, "json", lambda: paper_line(paper))

    def csv_line(self, paper: Paper) -> str:
        """The paper's line of papers.csv."""
        return self.memo.piece(paper, ("csv", self.taxonomy), lambda: csv_line(paper, self.model.taxonomy))

    def keep(self, name: str, key: object, make: Callable[[], T]) -> T:
        """A whole output kept between renders while ``key`` compares equal (see :meth:`RenderMemo.keep`)."""
        return self.memo.keep(name, key, make)

    def by_id(self, name: str, key: object, inputs: dict[str, object], make: Callable[[str], T]) -> dict[str, T]:
        """Values by paper id kept between renders (see :meth:`RenderMemo.by_id`)."""
        return self.memo.by_id(name, key, inputs, make)

    def piece(self, paper: Paper, kind: Hashable, make: Callable[[], T]) -> T:
        """Any other piece (``kind`` must name everything besides the paper that the piece depends on)."""
        return self.memo.piece(paper, kind, make)

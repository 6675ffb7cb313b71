"""``crossref`` resolved: a paper takes its venue, year and editors from the volume it points at.

DBLP's exports put the venue on a parent ``@proceedings`` (or ``@book``) entry and link each paper to it. BibTeX
copies the parent's fields the child lacks, the parent's ``title`` becoming the child's ``booktitle``; we copy only
the fields that describe the volume, never its identifiers (a volume's DOI or URL is not the paper's).
"""

from __future__ import annotations

from bibtexparser.model import Entry, Field

from site_builder.tools.add.bibtex_strings import METADATA_KEY, Unexpanded

#: Entry types that are volumes, never papers of the collection.
VOLUME_TYPES = frozenset({"proceedings", "mvproceedings", "book", "mvbook", "collection", "mvcollection"})
#: Fields a paper inherits from its volume.
_INHERITED = ("booktitle", "journal", "year", "editor", "publisher", "series", "volume", "address", "month")


def _field(entry: Entry, key: str) -> Field | None:
    return entry.fields_dict.get(key)


def resolve_crossrefs(entries: list[Entry]) -> tuple[list[Entry], list[Entry], list[tuple[Entry, str]]]:
    """(papers with their parents' fields filled in, volume entries that are not papers, papers whose parent is
    missing with its key). ``@proceedings`` entries are volumes always; ``@book`` and the like when a paper
    points at them."""
    by_key = {e.key.lower(): e for e in entries}
    parents = {str(f.value).strip().lower() for e in entries if (f := _field(e, "crossref")) is not None}
    papers: list[Entry] = []
    volumes: list[Entry] = []
    missing: list[tuple[Entry, str]] = []
    for entry in entries:
        kind = entry.entry_type.lower()
        if kind == "proceedings" or (kind in VOLUME_TYPES and entry.key.lower() in parents):
            volumes.append(entry)
            continue
        papers.append(entry)
        ref = _field(entry, "crossref")
        if ref is None:
            continue
        parent = by_key.get(str(ref.value).strip().lower())
        if parent is None:
            missing.append((entry, str(ref.value).strip()))
            continue
        broken: dict[str, Unexpanded] = {u.field: u for u in parent.parser_metadata.get(METADATA_KEY) or []}
        for key in _INHERITED:
            source = _field(parent, key)
            if key == "booktitle" and source is None:
                source = _field(parent, "title")
            if source is not None and _field(entry, key) is None:
                entry.set_field(Field(key, source.value, source.start_line))
                if source.key in broken:  # the volume's value could not be expanded: neither can the paper's
                    failed = entry.parser_metadata.setdefault(METADATA_KEY, [])
                    failed.append(Unexpanded(key, broken[source.key].line,
                                             f"{broken[source.key].reason} (in crossref {parent.key!r})"))
    return papers, volumes, missing

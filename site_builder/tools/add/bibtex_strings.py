"""``@string`` macros and ``#`` concatenation expanded, as BibTeX itself does, before braces are removed.

bibtexparser's own ``ResolveStringReferencesMiddleware`` replaces only a value that is one whole macro name, so
``title = proc # " 2021"`` would stay literal. This middleware takes its place in the parse stack: it expands every
raw value (braced, quoted, numbers, macro names, joined with ``#``) and re-encloses the result in braces for
``RemoveEnclosingMiddleware``. A value it cannot expand is recorded in the entry's parser metadata with its line.
"""

from __future__ import annotations

from dataclasses import dataclass

from bibtexparser.library import Library
from bibtexparser.middlewares.middleware import LibraryMiddleware
from bibtexparser.model import Entry, String

#: BibTeX's predefined macros (the month abbreviations of the standard styles).
_MONTHS = {m: m.capitalize() for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec")}
METADATA_KEY = "ExpandStrings"


@dataclass(frozen=True)
class Unexpanded:
    """A field value that could not be expanded: which field, on which 0-based line, and why."""

    field: str
    line: int | None
    reason: str


class _Stop(Exception):
    pass


def _closing(value: str, start: int) -> int:
    """Index just after the ``}`` that closes the ``{`` at ``start`` (backslash-escaped braces do not count)."""
    depth = 0
    for i in range(start, len(value)):
        char = value[i]
        if char in "{}" and i > 0 and value[i - 1] == "\\":
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    raise _Stop("a '{' is never closed")


def _quoted_end(value: str, start: int) -> int:
    """Index just after the ``"`` that closes the quote at ``start`` (a quote inside braces does not close)."""
    depth = 0
    for i in range(start + 1, len(value)):
        char = value[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0 and value[i - 1] != "\\":
            return i + 1
    raise _Stop("a '\"' is never closed")


def expand(value: str, macros: dict[str, str]) -> str:
    """The text of a raw BibTeX value; raises ``_Stop`` naming what cannot be expanded."""
    parts: list[str] = []
    i, n = 0, len(value)
    while True:
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            raise _Stop("a '#' joins nothing" if parts else "the value is empty")
        if value[i] == "{":
            end = _closing(value, i)
            parts.append(value[i + 1:end - 1])
        elif value[i] == '"':
            end = _quoted_end(value, i)
            parts.append(value[i + 1:end - 1])
        else:
            end = value.find("#", i)
            end = n if end < 0 else end
            name = value[i:end].strip()
            if name.isdigit():
                parts.append(name)
            elif name.lower() in macros:
                parts.append(macros[name.lower()])
            elif name.lower() in _MONTHS:
                parts.append(_MONTHS[name.lower()])
            else:
                raise _Stop(f"@string {name!r} is not defined in this file (define it before its first use)")
        i = end
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            return "".join(parts)
        if value[i] != "#":
            raise _Stop(f"expected '#' between the parts of the value, found {value[i]!r}")
        i += 1


def _needs_expanding(value: str) -> bool:
    """A value that is a macro name or a ``#`` concatenation, not one braced or quoted text or a number."""
    text = value.strip()
    if not text or text.isdigit():
        return False
    try:
        if text[0] == "{" and _closing(text, 0) == len(text):
            return False
        if text[0] == '"' and _quoted_end(text, 0) == len(text):
            return False
    except _Stop:
        return True
    return True


class ExpandStringsMiddleware(LibraryMiddleware):
    """Expand ``@string`` macros and ``#`` joins in every entry (and in later ``@string`` definitions)."""

    @classmethod
    def metadata_key(cls) -> str:
        """Where entries keep the values that could not be expanded."""
        return METADATA_KEY

    def transform(self, library: Library) -> Library:
        """Expand in file order, so that a macro may use the macros defined before it."""
        macros: dict[str, str] = {}
        for block in library.blocks:
            if isinstance(block, String):
                try:
                    text = expand(block.value, macros)
                except _Stop:
                    continue  # an entry that uses it is reported, with that entry's line
                macros[block.key.lower()] = text
                block.value = "{" + text + "}"
            elif isinstance(block, Entry):
                failed: list[Unexpanded] = []
                for fld in block.fields:
                    if not isinstance(fld.value, str) or not _needs_expanding(fld.value):
                        continue
                    try:
                        fld.value = "{" + expand(fld.value, macros) + "}"
                    except _Stop as exc:
                        failed.append(Unexpanded(fld.key, fld.start_line, str(exc)))
                if failed:
                    block.parser_metadata[METADATA_KEY] = failed
        return library

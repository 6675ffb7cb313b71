"""Escaping for generated pages: user text that renders literally in Markdown and HTML, and checked link targets.

Generated pages are Markdown with blocks of raw HTML, so one value can land in either context. :func:`text`
turns every character that HTML or our Markdown extensions give a meaning into a numeric character reference:
Python-Markdown passes references through untouched (``&#42;`` never starts emphasis, ``&#91;`` never starts a
link), and browsers decode them back to the literal character, both in text and in attribute values. Whitespace
is collapsed to single spaces so that a value can never start a Markdown block (list, heading, code block).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup

from site_builder.kb.problems import SiteBuilderError

#: Characters that mean something to HTML, to Python-Markdown's core inline patterns, or to the extensions of
#: mkdocs.yml (tables ``|``, attr_list ``{}``, superfences and inline code `````, admonition ``!``), plus a
#: few that optional pymdownx extensions use (``~ ^ = $``), so that enabling one later cannot turn text into markup.
_SPECIAL = frozenset("&<>\"'\\`*_{}[]|#!~^=$")
_ENTITY = {c: f"&#{ord(c)};" for c in _SPECIAL}
_SPECIAL_RE = re.compile("[" + re.escape("".join(sorted(_SPECIAL))) + "]")
_MARKS = [(c, f"\x00{ord(c)}\x01") for c in sorted(_SPECIAL)]
_SPACE = re.compile(r"\s+")
#: At the start of a line, "1. " would start an ordered list, "-" or "+" a bullet list or a rule, ">" a quote
#: (already encoded).
_LEADING = re.compile(r"^(\d+)([.)])(?=\s|$)|^([-+])")
_SAFE_SCHEMES = ("http", "https", "mailto")
_CHAR = r"[^\s" + re.escape("".join(sorted(_SPECIAL))) + "]"
#: Text that escaping leaves as it is: no special character, single spaces between words, no leading or trailing
#: space, and no start that Markdown would read as a list item. Most values are like this; they skip the work.
_UNCHANGED = re.compile(rf"(?!\d+[.)](?: |$)|[-+])(?:{_CHAR}+(?: {_CHAR}+)*)?")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\s]")
_WEB_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][^\x00-\x1f\s]*)?")


#: Up to this length, a value's escaped text is remembered (names, venues and labels recur on thousands of pages).
SHORT = 80
#: What no unchanged ASCII text holds: the special characters and the whitespace other than the space.
_NOT_IN_PLAIN = ("".join(sorted(_SPECIAL)) + "".join(c for c in map(chr, range(128)) if c.isspace() and c != " ")
                 ).encode("ascii")
_LIST_LIKE = re.compile(r"\d+[.)](?: |$)|[-+]")


#: Characters XML 1.0 does not allow at all (they cannot even be escaped), and lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_chars(value: object) -> str:
    """``value`` as a string holding only characters XML 1.0 allows: what every XML writer (the Atom feed, the
    GraphML file) passes its text through. Records cannot hold the others (they are refused at load); this keeps
    text from elsewhere, such as Semantic Scholar's titles, from making a file that no XML parser reads."""
    return _NOT_XML.sub("", str(value))


#: Short values escaped so far (a plain dict, emptied when full: cheaper to look up than ``functools.lru_cache``).
_SHORT_DONE: dict[str, str] = {}
_SHORT_KEPT = 1 << 16


def text(value: object) -> str:
    """``value`` as a string that renders literally in Markdown, in HTML text and in quoted HTML attributes."""
    raw = str(value)
    if len(raw) > SHORT:
        return raw if _plain(raw) else _escape(raw)
    found = _SHORT_DONE.get(raw)
    if found is None:
        if len(_SHORT_DONE) >= _SHORT_KEPT:
            _SHORT_DONE.clear()
        found = _SHORT_DONE[raw] = raw if _UNCHANGED.fullmatch(raw) else _escape(raw)
    return found


def _plain(raw: str) -> bool:
    """What ``_UNCHANGED.fullmatch`` tells, worked out with byte operations for ASCII text: a long summary costs the
    regular expression about 25 ns a character."""
    if not raw.isascii():
        return _UNCHANGED.fullmatch(raw) is not None
    data = raw.encode("ascii")
    return (len(data.translate(None, _NOT_IN_PLAIN)) == len(data) and "  " not in raw
            and not raw.startswith(" ") and not raw.endswith(" ") and _LIST_LIKE.match(raw) is None)


def _escape(raw: str) -> str:
    """The work of :func:`text`: whitespace collapsed, specials as references, a list-like start neutralised."""
    escaped = _entities(_SPACE.sub(" ", raw).strip())
    return _LEADING.sub(_leading, escaped, count=1)


def _entities(value: str) -> str:
    """Every special character as a numeric character reference.

    A reference holds "&" and "#", themselves special, so the characters are first replaced by marks of two
    control characters around the code, and the marks become references at the end: a few ``str.replace`` scans,
    several times faster than a substitution with a Python callback per character, or ``str.translate``.
    """
    if "\x00" in value or "\x01" in value:
        return _SPECIAL_RE.sub(lambda m: _ENTITY[m.group()], value)
    for char, mark in _MARKS:
        if char in value:
            value = value.replace(char, mark)
    return value.replace("\x00", "&#").replace("\x01", ";")


def _leading(match: re.Match[str]) -> str:
    if match.group(3):
        return f"&#{ord(match.group(3))};"
    return f"{match.group(1)}&#{ord(match.group(2))};"


def markup(value: object) -> Markup:
    """:func:`text` wrapped as Markup, so that Jinja's autoescape does not escape it a second time."""
    if isinstance(value, Markup):
        return value
    return Markup(text(value))  # the value has just been escaped


def safe_href(url: str) -> str | None:
    """``url`` when it is an http(s) or mailto URL or a relative reference; ``None`` for anything else.

    Records are validated as https at load time; this second check at render time means a link target that
    slipped past validation (a new field, a derived URL) still cannot become ``javascript:`` or ``data:``.
    """
    if _WEB_URL.fullmatch(url):  # the common case, decided without urlsplit: http(s), a plain host, no space
        return url
    if not url or _CONTROL_OR_SPACE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme:
        if parts.scheme.lower() not in _SAFE_SCHEMES:
            return None
        if parts.scheme.lower() != "mailto" and not parts.netloc:
            return None
        return url
    # A relative reference must not smuggle a scheme past the check ("javascript&#58;..." is decoded by the
    # browser, but we never write entities into URLs ourselves) and must not be protocol-relative ("//host").
    if url.startswith("//") or ":" in url.split("/", 1)[0]:
        return None
    return url


def href(url: str) -> Markup:
    """An escaped attribute value for a link target; a target :func:`safe_href` refuses stops the build."""
    checked = safe_href(url)
    if checked is None:
        raise SiteBuilderError(f"refusing to write link target {url[:80]!r}: only http(s), mailto and relative "
                               "links are allowed")
    return markup(checked)


#: What :func:`preformatted` escapes: what HTML reads in text, quotes, and the characters that start Markdown links,
#: emphasis, code and escapes (a second line of defence, should the block ever be read as Markdown).
_PRE = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'[]*_`\\"})
_BLANK_LINE = re.compile(r"(?<=\n) +(?=\n)")


def preformatted(value: str) -> Markup:
    """``value`` as the text of a ``<pre>`` element that is a whole block of raw HTML, line breaks and indentation
    kept. Python-Markdown hands such a block on untouched, so fewer characters need escaping than in :func:`text`:
    BibTeX's braces and equals signs stay as they are, where references would be one more event each for the
    site generator's HTML parsers on every paper page. The spaces of a line that holds nothing else are references
    too. Never use it for text outside such a block."""
    escaped = str(value).translate(_PRE)
    if "\n " in escaped:  # Python-Markdown empties lines of nothing but spaces, inside raw HTML too
        escaped = _BLANK_LINE.sub(lambda m: "&#32;" * len(m.group()), escaped)
    return Markup(escaped)  # the value has just been escaped

"""Propose a record id: first author's family name + year + a keyword of the title, like ``alwassel2020-xdc``.

A short method name (``clip``) is a curator's choice; the tool proposes the systematic form, ASCII-folded and
unique among the ids already taken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from site_builder.kb.models import MAX_SLUG, SLUG_RE, WINDOWS_RESERVED

#: Letters NFKD does not decompose into ASCII.
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE", "œ": "oe",
                       "Œ": "OE", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ı": "i"})

#: Title words that say nothing about which paper it is.
_GENERIC = frozenset(
    """
a an the of for and or in on at to via from by with without into towards toward beyond through using based
is are be can do does we our your what how when why which new novel simple better efficient effective large
scale self supervised unsupervised semi weakly learning learn learned learns multimodal multi modal modality
cross representation representations deep neural network networks model models pre pretraining pretrained
training trained approach method framework study towards general generic improving improved unified task
tasks data vs versus all one two
audio video videos visual vision text textual image images language languages linguistic speech sound sounds
acoustic point cloud clouds lidar
""".split()  # noqa: SIM905 - a word list reads better as text
)

_WORD = re.compile(r"[a-z0-9]+")


def ascii_fold(text: str) -> str:
    """``Müller`` -> ``Muller``, ``Łukasz`` -> ``Lukasz``: accents dropped, other letters transliterated."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def _words(text: str) -> list[str]:
    return _WORD.findall(ascii_fold(text).lower())


def keywords(title: str) -> Iterator[str]:
    """Candidate keywords in order: a one-word name before a colon (``CLIP: ...``), then telling title words."""
    head, sep, _rest = title.partition(":")
    head_words = _words(head)
    if sep and len(head_words) == 1 and len(head_words[0]) <= 20:
        yield head_words[0]
    seen: set[str] = set()
    for word in _words(title):
        if word in _GENERIC or word.isdigit() or len(word) < 3 or word in seen:
            continue
        seen.add(word)
        yield word


def _slug(*parts: str) -> str:
    slug = "-".join(p for p in parts if p)
    slug = re.sub(r"-+", "-", slug).strip("-")[:MAX_SLUG].rstrip("-")
    return slug


def propose_id(family: str | None, year: int | None, title: str | None, taken: Callable[[str], bool]) -> str:
    """The first free id among ``family+year-keyword`` candidates, then numbered variants (``-2``, ``-3``...)."""
    stem = "".join(_words(family or "")) + (str(year) if year else "")
    words = list(keywords(title or ""))
    candidates = [_slug(stem, w) for w in words[:3]] or [_slug(stem or "paper", "" if stem else "untitled")]
    for candidate in candidates:
        if _usable(candidate) and not taken(candidate):
            return candidate
    base = candidates[0] if _usable(candidates[0]) else "paper"
    n = 2
    while taken(f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"


def _usable(slug: str) -> bool:
    return bool(SLUG_RE.fullmatch(slug)) and slug not in WINDOWS_RESERVED

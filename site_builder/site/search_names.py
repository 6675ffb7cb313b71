"""Exact short names for the site search: a reader who types a paper's short name ("CLIP") gets that paper first.

Pagefind matches the beginnings of words, so "CLIP" also matches CLIP4Clip, CLIPBERT and every page that mentions
CLIP often, and its ranking cannot tell an exact name from a prefix. The search dialog therefore looks the typed
text up in these small files first (one per first character, so a query fetches one file of a few kilobytes at
any collection size) and shows an exact match above Pagefind's results.
"""

from __future__ import annotations

import json
import string
from collections.abc import Sequence

from site_builder.kb.models import Paper

FOLDER = "search"
#: One file per first character of a name; "_" holds names starting with anything else.
KEYS = (*string.digits, *string.ascii_lowercase, "_")


def shard_key(name: str) -> str:
    """The file a (lower-cased) name is in."""
    first = name[:1]
    return first if first in KEYS else "_"


def name_files(papers: Sequence[Paper]) -> dict[str, bytes]:
    """``search/names-<key>.json`` for every key (empty files too, so a lookup never meets a missing file): each
    maps a lower-cased short name to ``[paper id, title]``."""
    shards: dict[str, dict[str, list[str]]] = {key: {} for key in KEYS}
    for paper in papers:
        for name in paper.short_name:
            lowered = name.lower()
            shards[shard_key(lowered)][lowered] = [paper.id, paper.title]
    return {f"{FOLDER}/names-{key}.json": (json.dumps(names, ensure_ascii=False, sort_keys=True,
                                                      separators=(",", ":")) + "\n").encode("utf-8")
            for key, names in shards.items()}

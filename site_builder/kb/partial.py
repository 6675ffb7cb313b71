"""The parts of an invalid record that are valid, so the per-record checks can still look at them.

A file with a schema problem never becomes a record of the knowledge base; but ``validate`` should still report
its unknown tags, bad links and so on in the same run. The smallest optional parts the schema rejected are
dropped (never a list item alone, which would shift the positions of the items after it) until the rest
validates; a problem in a required field leaves nothing to check.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from site_builder.kb.modelcheck import field_model
from site_builder.kb.models import Dataset, Paper
from site_builder.kb.records import Entry, KnowledgeBase, kind_of
from site_builder.kb.yamlio import Loc, parse_bytes, read_bytes

M = TypeVar("M", bound=BaseModel)
_MAX_ROUNDS = 20


def _optional_at(model: type[BaseModel], loc: Loc) -> bool:
    """True when the key at ``loc`` may be left out (it is optional, or not a field at all)."""
    parent = field_model(model, loc[:-1])
    if parent is None:
        return False
    fld = parent.model_fields.get(str(loc[-1]))
    return fld is None or not fld.is_required()


def _drop(model: type[BaseModel], data: Any, loc: Loc) -> Loc | None:
    """Remove the deepest optional key above the error at ``loc`` (not below a list item); what was removed."""
    keys: list[Loc] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            break
        keys.append(tuple(loc[:i + 1]))
    for prefix in reversed(keys):
        if not _optional_at(model, prefix):
            continue
        holder = data
        for part in prefix[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and prefix[-1] in holder:
            del holder[prefix[-1]]
            return prefix
    return None


def valid_part(model: type[M], data: Any) -> tuple[M | None, list[Loc]]:
    """A record of ``model`` from what is valid in ``data`` and the locations dropped, or ``None``."""
    if not isinstance(data, dict):
        return None, []
    data = copy.deepcopy(data)
    dropped: list[Loc] = []
    for _ in range(_MAX_ROUNDS):
        try:
            return model.model_validate(data), dropped
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc: Loc = tuple(p for p in err["loc"] if p != "[key]")
                if any(loc[:len(d)] == d for d in dropped):
                    continue  # inside a part already dropped
                removed = _drop(model, data, loc)
                if removed is None:
                    return None, dropped
                dropped.append(removed)
    return None, dropped


def partial_knowledge_base(kb: KnowledgeBase) -> tuple[KnowledgeBase, set[tuple[str, int, int]]]:
    """A knowledge base of the valid parts of the files that gave no record, and the places (path, line, col)
    of the parts dropped: a check problem there would only repeat the schema's."""
    partial = KnowledgeBase(kb.project, kb.taxonomy)
    dropped_at: set[tuple[str, int, int]] = set()
    for rel in kb.broken:
        raw, _ = read_bytes(kb.project.root / rel, rel)
        doc = parse_bytes(raw, rel) if raw is not None else None
        if doc is None or doc.data is None:
            continue
        model = kind_of(kb.project.root / rel)
        record, dropped = valid_part(model, doc.data)
        for loc in dropped:
            for key in (False, True):
                pos = doc.positions.find(loc, key=key)
                if pos:
                    dropped_at.add((rel, *pos))
        if isinstance(record, Paper):
            partial.paper_entries.append(Entry(record, rel, doc.positions))
        elif isinstance(record, Dataset):
            partial.dataset_entries.append(Entry(record, rel, doc.positions))
    return partial, dropped_at

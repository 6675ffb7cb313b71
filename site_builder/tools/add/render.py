"""A draft -> the text of ``papers/<id>.yaml``, with comments telling the contributor what is left to do."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from typing import get_args

import yaml

from site_builder.checks.per_record import REQUIRED_TAGS
from site_builder.kb.models import PLACEHOLDER, PaperKind, PaperTags
from site_builder.kb.taxonomy import Facet, Taxonomy
from site_builder.tools.add.draft import Draft

WIDTH = 116
SUMMARY_TODO = (f"{PLACEHOLDER}: one to three sentences in your own words (what the paper learns, from which "
                "modalities, its key idea); never the abstract.")


def scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when it reads back unchanged, else double-quoted."""
    plain_ok = value == value.strip() and "#" not in value and "\n" not in value
    if plain_ok:
        try:
            plain_ok = yaml.safe_load(f"k: {value}") == {"k": value}
        except yaml.YAMLError:
            plain_ok = False
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


def _comment(text: str, indent: str = "") -> list[str]:
    wrapped = textwrap.wrap(text, WIDTH - len(indent), subsequent_indent="  ", break_on_hyphens=False)
    return [f"{indent}# {line}" for line in wrapped]


def _tree(facet: Facet, ids: tuple[str, ...]) -> str:
    parts = []
    for node_id in ids:
        children = facet.nodes[node_id].children
        parts.append(f"{node_id} ({_tree(facet, children)})" if children else node_id)
    return ", ".join(parts)


def _tags(taxonomy: Taxonomy, kind: str) -> list[str]:
    lines = ["tags:"]
    lines += _comment("One list of node ids per facet; a child implies its parents, so list the most specific "
                      "nodes. Allowed values (children in parentheses):", "  ")
    for facet_id in PaperTags.model_fields:
        facet = taxonomy.facets.get(facet_id)
        need = "required" if facet_id in REQUIRED_TAGS.get(kind, ()) else "optional"
        if facet is not None:
            lines += _comment(f"{facet_id} ({need}): {_tree(facet, facet.roots)}", "  ")
        lines.append(f"  {facet_id}: []")
    return lines


def render_record(draft: Draft, record_id: str, taxonomy: Taxonomy, added: dt.date) -> str:
    """The YAML text of a new record; facts the source lacked are left empty with a note to fill them."""
    where = f"{draft.origin} line {draft.line}" if draft.line else draft.origin
    source = f"{where} ({draft.label()})" if draft.key else where
    lines = _comment(f"Scaffolded by `site-builder add` from {source}. Check each fact against the paper, fill in "
                     "the tags and the summary, then run `site-builder validate --changed`.")
    lines += [f"id: {record_id}", f"title: {scalar(draft.title or '')}"]
    lines += [f"# {note}" for note in draft.notes if "lower-cased" in note]
    if draft.authors:
        lines += ["authors:", *(f"  - {scalar(a)}" for a in draft.authors)]
    else:
        lines.append("authors: []  # not in the source: list the full names in published order")
    lines += [f"  # {note}" for note in draft.notes if "author" in note]
    lines.append(f"year: {draft.year}" if draft.year else "year:  # not in the source: the publication year")
    lines.append(f"venue: {scalar(draft.venue)}" if draft.venue
                 else "venue:  # not in the source: short form with year, e.g. CVPR 2022, or arXiv")
    kinds = ", ".join(get_args(PaperKind))
    lines.append(f"kind: {draft.kind}  # one of {kinds}")
    lines += [f"# {note}" for note in draft.notes if "kind" in note]
    ids = [f"  arxiv: {json.dumps(draft.arxiv)}"] if draft.arxiv else []
    ids += [f"  doi: {scalar(draft.doi)}"] if draft.doi else []
    lines += ["ids:", *ids] if ids else ["ids: {}  # add arxiv (without version) and/or doi if the paper has them"]
    lines += [f"# {note}" for note in draft.notes if "ids." in note]
    lines.append("links:")
    if draft.paper_url:
        lines.append(f"  paper: {scalar(draft.paper_url)}")
    lines.append("  code: []  # add '- {url: https://github.com/owner/repo, official: true}' if code is public")
    lines += _tags(taxonomy, draft.kind)
    lines.append("datasets: []  # ids of records in datasets/ the paper trains or evaluates on")
    lines.append(f"summary: {scalar(SUMMARY_TODO)}")
    lines.append(f"added: {added.isoformat()}")
    return "\n".join(lines) + "\n"

"""The taxonomy: facets of node trees read from taxonomy.yaml, validated, and indexed for lookups."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from site_builder.kb.modelcheck import check_model
from site_builder.kb.models import Slug, Strict, Text
from site_builder.kb.problems import Problem
from site_builder.kb.yamlio import Loc, Positions, read_yaml

#: Facets every taxonomy must define (the record schema has one tag list per facet).
REQUIRED_FACETS = ("objective", "architecture", "alignment", "application", "modality", "challenge")


class NodeSpec(Strict):
    """One node of a facet tree."""

    id: Slug = Field(description="lowercase slug, unique within its facet; page URLs depend on it")
    label: Text = Field(description="display name")
    description: Text = Field(description="one line in our own words")
    aliases: list[Text] = Field(default_factory=list, description="other names, e.g. the survey's first-version names")
    children: list[NodeSpec] = Field(default_factory=list, description="sub-nodes")


class FacetSpec(Strict):
    """One facet (axis) of the taxonomy."""

    id: Slug = Field(description="facet id; also the key under a record's tags")
    label: Text = Field(description="display name")
    description: Text = Field(description="one line in our own words")
    challenge: str | None = Field(None, description="the survey's challenge this facet answers, if any")
    nodes: list[NodeSpec] = Field(min_length=1, description="top-level nodes")


class TaxonomySpec(Strict):
    """taxonomy.yaml as written."""

    version: int = Field(description="format version")
    facets: list[FacetSpec] = Field(min_length=1, description="the facets in display order")


@dataclass(frozen=True)
class Node:
    """A node with its place in the tree."""

    facet: str
    id: str
    label: str
    description: str
    aliases: tuple[str, ...]
    parent: str | None
    children: tuple[str, ...]
    depth: int


@dataclass
class Facet:
    """A facet with its nodes in depth-first display order."""

    id: str
    label: str
    description: str
    challenge: str | None
    nodes: dict[str, Node] = field(default_factory=dict)
    roots: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)

    def ancestors(self, node_id: str) -> list[str]:
        """Parent, grandparent, ... of ``node_id`` (nearest first)."""
        out: list[str] = []
        parent = self.nodes[node_id].parent
        while parent is not None:
            out.append(parent)
            parent = self.nodes[parent].parent
        return out

    def descendants(self, node_id: str) -> list[str]:
        """Every node below ``node_id`` in depth-first order."""
        out: list[str] = []
        stack = list(reversed(self.nodes[node_id].children))
        while stack:
            nid = stack.pop()
            out.append(nid)
            stack.extend(reversed(self.nodes[nid].children))
        return out

    def closure(self, tags: Iterable[str]) -> set[str]:
        """The tags plus all their ancestors (what filtering and counting use)."""
        out: set[str] = set()
        for tag in tags:
            if tag in self.nodes:
                out.add(tag)
                out.update(self.ancestors(tag))
        return out

    def resolve_alias(self, name: str) -> str | None:
        """The node id an alias (case-insensitive) stands for."""
        return self.aliases.get(name.lower())


@dataclass
class Taxonomy:
    """All facets, in display order."""

    facets: dict[str, Facet]

    def facet(self, facet_id: str) -> Facet:
        """The facet named ``facet_id``."""
        return self.facets[facet_id]

    def all_nodes(self) -> Iterator[Node]:
        """Every node of every facet, facets in order, nodes depth-first."""
        for facet in self.facets.values():
            yield from facet.nodes.values()


def _walk(spec: NodeSpec, parent: str | None, depth: int, loc: Loc) -> Iterator[tuple[NodeSpec, str | None, int, Loc]]:
    yield spec, parent, depth, loc
    for i, child in enumerate(spec.children):
        yield from _walk(child, spec.id, depth + 1, (*loc, "children", i))


def build_taxonomy(spec: TaxonomySpec, positions: Positions, rel: str) -> tuple[Taxonomy, list[Problem]]:
    """Index a parsed taxonomy and check the rules pydantic cannot: unique ids, alias clashes, required facets."""
    problems: list[Problem] = []

    def report(loc: Loc, code: str, message: str) -> None:
        line, col = positions.find(loc) or (None, None)
        problems.append(Problem(rel, line, col, "error", code, message))

    facets: dict[str, Facet] = {}
    for fi, fspec in enumerate(spec.facets):
        floc: Loc = ("facets", fi)
        if fspec.id in facets:
            report((*floc, "id"), "taxonomy-duplicate-facet", f"facet {fspec.id!r} is defined twice")
            continue
        facet = Facet(fspec.id, fspec.label, fspec.description, fspec.challenge)
        for ni, root in enumerate(fspec.nodes):
            for node, parent, depth, loc in _walk(root, None, 0, (*floc, "nodes", ni)):
                if node.id in facet.nodes:
                    report((*loc, "id"), "taxonomy-duplicate-node",
                           f"node {node.id!r} appears twice in facet {fspec.id!r}")
                    continue
                facet.nodes[node.id] = Node(fspec.id, node.id, node.label, node.description, tuple(node.aliases),
                                            parent, tuple(c.id for c in node.children), depth)
        facet.roots = tuple(n.id for n in fspec.nodes)
        for ni, root in enumerate(fspec.nodes):
            for node, _parent, _depth, loc in _walk(root, None, 0, (*floc, "nodes", ni)):
                for ai, alias in enumerate(node.aliases):
                    key = alias.lower()
                    if key in facet.nodes and key != node.id:
                        report((*loc, "aliases", ai), "taxonomy-alias-clash",
                               f"alias {alias!r} of {node.id!r} is the id of another node in facet {fspec.id!r}")
                    elif key in facet.aliases and facet.aliases[key] != node.id:
                        report((*loc, "aliases", ai), "taxonomy-alias-clash",
                               f"alias {alias!r} is used by both {facet.aliases[key]!r} and {node.id!r}")
                    else:
                        facet.aliases[key] = node.id
        facets[fspec.id] = facet
    for name in REQUIRED_FACETS:
        if name not in facets:
            report(("facets",), "taxonomy-missing-facet", f"facet {name!r} is missing (records tag it)")
    for fi, fspec in enumerate(spec.facets):
        if fspec.id not in REQUIRED_FACETS:
            report(("facets", fi, "id"), "taxonomy-unknown-facet",
                   f"facet {fspec.id!r} is not one the record schema has; expected one of {', '.join(REQUIRED_FACETS)}")
    return Taxonomy(facets), problems


def load_taxonomy(path: Path, rel: str = "taxonomy.yaml") -> tuple[Taxonomy | None, list[Problem]]:
    """Read and check taxonomy.yaml; ``None`` when it cannot be used at all."""
    doc = read_yaml(path, rel)
    if doc.problems:
        return None, doc.problems
    spec, problems = check_model(TaxonomySpec, doc.data, doc.positions, rel)
    if spec is None:
        return None, problems
    taxonomy, more = build_taxonomy(spec, doc.positions, rel)
    return taxonomy, more

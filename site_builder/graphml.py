"""GraphML text of a directed graph with plain attributes, written in one streaming pass.

networkx's own writer builds an element tree of the whole graph first, which takes tens of seconds and a lot of
memory for 20,000 papers and 300,000 citations; this writer emits the same structure line by line. Attribute
types follow the values (bool -> boolean, int -> long, float -> double, anything else -> string; a tuple becomes
comma-separated text), so ``networkx.read_graphml`` reads the file back with the same nodes, edges and values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from site_builder.bulk import differing

#: Characters XML 1.0 does not allow at all (they cannot even be escaped).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HEADER = ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    return "double" if isinstance(value, float) else "string"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        value = ",".join(str(v) for v in value)
    return escape(_NOT_XML.sub("", str(value)))


def _attr(value: Any) -> str:
    return quoteattr(_NOT_XML.sub("", str(value)))


def _keys(items: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Attribute name -> GraphML type for one scope, names in first-seen order."""
    found: dict[str, str] = {}
    for attrs in items:
        if attrs.keys() <= found.keys():
            continue
        for name, value in attrs.items():
            if name not in found:
                found[name] = _type(value)
    return found


class _Quoted(dict[Any, str]):
    """Values quoted as attributes, each made when first looked up."""

    def __missing__(self, value: Any) -> str:
        found = self[value] = _attr(value)
        return found


class _Cached:
    """Escaped ids and the ``<data>`` lines of attribute sets, each written once: ids recur in every edge, and
    the edges of a citation graph share a handful of distinct attribute sets."""

    def __init__(self) -> None:
        self.attrs = _Quoted()
        self.blocks: dict[tuple[Any, ...], str] = {}
        self.by_object: dict[int, str] = {}

    def attr(self, value: Any) -> str:
        return self.attrs[value]

    def data(self, attrs: Mapping[str, Any], ids: Mapping[str, str], indent: str, shared: bool = True) -> str:
        """The ``<data>`` lines of ``attrs`` (each ending with a newline); ``shared`` when attribute sets repeat."""
        if not shared:
            return "".join(f'{indent}<data key="{ids[name]}">{_text(value)}</data>\n' for name, value in attrs.items())
        known = self.by_object.get(id(attrs))  # the graph holds ``attrs`` while it is written: ids stay unique
        if known is not None:
            return known
        try:
            key: tuple[Any, ...] | None = (indent, tuple(attrs.items()), tuple(map(type, attrs.values())))
            found = self.blocks.get(key)  # type: ignore[arg-type]
        except TypeError:  # an unhashable value
            key, found = None, None
        if found is None:
            found = "".join(f'{indent}<data key="{ids[name]}">{_text(value)}</data>\n'
                            for name, value in attrs.items())
            if key is not None and len(self.blocks) < 4096:
                self.blocks[key] = found
        self.by_object[id(attrs)] = found
        return found


def _key_lines(scopes: Mapping[str, Mapping[str, str]]) -> tuple[str, dict[str, dict[str, str]]]:
    """The ``<key>`` lines of every scope, and the key ids by scope and attribute name."""
    ids: dict[str, dict[str, str]] = {}
    lines = []
    for scope, found in scopes.items():
        ids[scope] = {}
        for name, kind in found.items():
            key = f"d{sum(len(v) for v in ids.values())}"
            ids[scope][name] = key
            lines.append(f'  <key id="{key}" for="{scope}" attr.name={_attr(name)} attr.type="{kind}" />\n')
    return "".join(lines), ids


def _node(cached: _Cached, node: Any, attrs: Mapping[str, Any], ids: Mapping[str, str]) -> str:
    return f"    <node id={cached.attr(node)}>\n{cached.data(attrs, ids, '      ', False)}    </node>\n"


_THIRD = itemgetter(2)


def _edges(cached: _Cached, edges: Iterable[tuple[Any, Any, Mapping[str, Any]]],
           ids: Mapping[str, str]) -> list[str]:
    """The lines of every edge. (Each end's quoted id and each attribute set's lines are made once; the lines of
    300,000 citations are then put together in passes that stay in C.)"""
    listed = list(edges)
    quoted = cached.attrs
    blocks = {id(attrs): cached.data(attrs, ids, "      ") for attrs in _distinct(map(_THIRD, listed))}
    return [f"    <edge source={quoted[source]} target={quoted[target]}>\n{blocks[id(attrs)]}    </edge>\n"
            for source, target, attrs in listed]


def _distinct(items: Iterable[Any]) -> list[Any]:
    """The distinct objects of ``items`` (by identity), in first-seen order."""
    return list({id(item): item for item in items}.values())


def _opening(graph: Any) -> str:
    return f'  <graph edgedefault="{"directed" if graph.is_directed() else "undirected"}">\n'


def graphml_lines(graph: Any) -> Iterator[str]:
    """The GraphML document of a networkx (Di)Graph, in pieces that each end with a newline."""
    nodes, edges = graph.nodes(data=True), graph.edges(data=True)
    scopes = {"graph": _keys([graph.graph]), "node": _keys(a for _, a in nodes), "edge": _keys(a for _, _, a in edges)}
    keys, ids = _key_lines(scopes)
    cached = _Cached()
    yield _HEADER + "\n" + keys + _opening(graph)
    yield cached.data(graph.graph, ids["graph"], "    ")
    node_ids = ids["node"]
    for node, attrs in nodes:
        yield _node(cached, node, attrs, node_ids)
    yield from _edges(cached, edges, ids["edge"])
    yield "  </graph>\n</graphml>\n"


def graphml_text(graph: Any) -> str:
    """The whole GraphML document, ending with a newline."""
    return "".join(graphml_lines(graph))


class GraphmlMemo:
    """The pieces of the last document written with :func:`graphml_text_kept`: each node's lines, and the edges'
    lines as one text, kept while the edges are the same (a long-running process rewrites the document of a
    300,000-edge graph after one node changed by writing that node again)."""

    def __init__(self) -> None:
        self.edges: object = None
        self.edge_keys: dict[str, str] = {}
        self.ids: dict[str, dict[str, str]] | None = None
        self.edge_text = b""
        #: The last call's (node, attributes) pairs, the node keys they gave and each node's lines, in order.
        self.node_list: list[Any] = []
        self.node_keys: dict[str, str] = {}
        self.node_lines: list[bytes] = []


def _shape(attrs: Mapping[str, Any]) -> list[tuple[str, type]]:
    """The attribute names and value types of a node, in order: what it adds to the document's keys."""
    return [(name, type(value)) for name, value in attrs.items()]


def _node_keys(memo: GraphmlMemo, nodes: list[Any]) -> tuple[dict[str, str], list[int] | None]:
    """The node scope's keys, and the places where ``nodes`` differ from the last call's when only those nodes'
    lines need writing again: the same number of nodes, the same node ids in the same places, and each changed
    node with the same attribute names and types as before (so the keys are those of the last call too)."""
    before = memo.node_list
    if len(before) == len(nodes) and before:
        changed = differing(nodes, before)
        if all(nodes[i][0] == before[i][0] and _shape(nodes[i][1]) == _shape(before[i][1]) for i in changed):
            return memo.node_keys, changed
    return _keys(a for _, a in nodes), None


def graphml_text_kept(graph: Any, memo: GraphmlMemo, edges: object) -> bytes:
    """:func:`graphml_text` as UTF-8 bytes, reusing ``memo``'s pieces (kept as bytes: the 40 MB document of a
    20,000-paper collection is then joined, not encoded again); ``edges`` is an object that stays the same exactly while
    the graph's edges and their attributes do (compared by identity). The pairs of ``graph.nodes(data=True)`` are
    compared by identity too: a graph that gives the same pair object for a node gives the same attributes."""
    nodes = list(graph.nodes(data=True))
    if memo.edges is not edges or memo.ids is None:
        memo.edge_keys = _keys(_distinct(map(_THIRD, graph.edges(data=True))))  # the same names in the same order
    node_keys, changed = _node_keys(memo, nodes)
    scopes = {"graph": _keys([graph.graph]), "node": node_keys, "edge": memo.edge_keys}
    keys, ids = _key_lines(scopes)
    cached = _Cached()
    if memo.edges is not edges or ids != memo.ids:
        memo.edge_text = "".join(_edges(cached, graph.edges(data=True), ids["edge"])).encode("utf-8")
        changed = None
    memo.edges, memo.ids = edges, ids
    node_ids = ids["node"]
    if changed is None:
        lines = [_node(cached, node, attrs, node_ids).encode("utf-8") for node, attrs in nodes]
    else:
        lines = list(memo.node_lines)
        for i in changed:
            lines[i] = _node(cached, nodes[i][0], nodes[i][1], node_ids).encode("utf-8")
    memo.node_list, memo.node_keys, memo.node_lines = nodes, node_keys, lines
    head = _HEADER + "\n" + keys + _opening(graph) + cached.data(graph.graph, ids["graph"], "    ")
    return b"".join([head.encode("utf-8"), *lines, memo.edge_text, b"  </graph>\n</graphml>\n"])

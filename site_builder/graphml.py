"""GraphML text of a directed graph with plain attributes, written in one streaming pass.

networkx's own writer builds an element tree of the whole graph first, which takes tens of seconds and a lot of
memory for 20,000 papers and 300,000 citations; this writer emits the same structure line by line. Attribute
types follow the values (bool -> boolean, int -> long, float -> double, anything else -> string; a tuple becomes
comma-separated text), so ``networkx.read_graphml`` reads the file back with the same nodes, edges and values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

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
        for name, value in attrs.items():
            found.setdefault(name, _type(value))
    return found


def _data(attrs: Mapping[str, Any], ids: Mapping[str, str], indent: str) -> Iterator[str]:
    for name, value in attrs.items():
        yield f'{indent}<data key="{ids[name]}">{_text(value)}</data>'


def graphml_lines(graph: Any) -> Iterator[str]:
    """The lines of the GraphML document of a networkx (Di)Graph."""
    scopes = {"graph": _keys([graph.graph]), "node": _keys(a for _, a in graph.nodes(data=True)),
              "edge": _keys(a for _, _, a in graph.edges(data=True))}
    ids: dict[str, dict[str, str]] = {}
    yield _HEADER
    for scope, found in scopes.items():
        ids[scope] = {}
        for name, kind in found.items():
            key = f"d{sum(len(v) for v in ids.values())}"
            ids[scope][name] = key
            yield f'  <key id="{key}" for="{scope}" attr.name={_attr(name)} attr.type="{kind}" />'
    yield f'  <graph edgedefault="{"directed" if graph.is_directed() else "undirected"}">'
    yield from _data(graph.graph, ids["graph"], "    ")
    for node, attrs in graph.nodes(data=True):
        yield f"    <node id={_attr(node)}>"
        yield from _data(attrs, ids["node"], "      ")
        yield "    </node>"
    for source, target, attrs in graph.edges(data=True):
        yield f"    <edge source={_attr(source)} target={_attr(target)}>"
        yield from _data(attrs, ids["edge"], "      ")
        yield "    </edge>"
    yield "  </graph>"
    yield "</graphml>"


def graphml_text(graph: Any) -> str:
    """The whole GraphML document, ending with a newline."""
    return "\n".join(graphml_lines(graph)) + "\n"

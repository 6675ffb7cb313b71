"""The streaming GraphML writer: networkx reads back what networkx's own writer would have given."""

from __future__ import annotations

import io

import networkx as nx

from site_builder.site.graphml import graphml_text


def sample() -> nx.DiGraph:
    graph = nx.DiGraph(fetched="2026-11-28")
    graph.add_node("a", title='Tricky <b>"quotes"</b> & \x07bell', year=2021, kind="method", citationCount=12)
    graph.add_node("b&c", title="Plain", year=2020, kind="survey")
    graph.add_node("d")
    graph.add_edge("a", "b&c", isInfluential=True, intents=("background", "methodology"))
    graph.add_edge("b&c", "d", isInfluential=False, intents=())
    graph.add_edge("d", "a", isInfluential=False, intents=("result",), weight=0.5)
    return graph


def read(text: str) -> nx.DiGraph:
    return nx.read_graphml(io.BytesIO(text.encode("utf-8")))


def test_round_trip_matches_networkx_own_writer() -> None:
    graph = sample()
    ours = read(graphml_text(graph))
    flat = graph.copy()
    for _, _, attrs in flat.edges(data=True):
        attrs["intents"] = ",".join(attrs["intents"])
    flat.nodes["a"]["title"] = flat.nodes["a"]["title"].replace("\x07", "")  # not representable in XML 1.0
    theirs = read("\n".join(nx.generate_graphml(flat)))
    assert ours.is_directed() and theirs.is_directed()
    assert dict(ours.nodes(data=True)) == dict(theirs.nodes(data=True))
    assert sorted(ours.edges(data=True)) == sorted(theirs.edges(data=True))
    assert ours.graph == theirs.graph
    assert ours.nodes["a"]["title"] == 'Tricky <b>"quotes"</b> & bell'
    assert ours.edges["a", "b&c"] == {"isInfluential": True, "intents": "background,methodology"}
    assert ours.edges["d", "a"]["weight"] == 0.5


def test_output_is_stable_text() -> None:
    text = graphml_text(sample())
    assert text == graphml_text(sample())
    assert text.splitlines()[1:3] == ['  <key id="d0" for="graph" attr.name="fetched" attr.type="string" />',
                                      '  <key id="d1" for="node" attr.name="title" attr.type="string" />']
    assert '    <node id="b&amp;c">' in text and text.endswith("</graphml>\n")

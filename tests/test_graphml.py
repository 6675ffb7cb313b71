"""The streaming GraphML writer: networkx reads back what networkx's own writer would have given."""

from __future__ import annotations

import io

import networkx as nx

from site_builder.graphml import GraphmlMemo, graphml_text, graphml_text_kept


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


def test_kept_pieces_give_the_same_document_after_node_and_edge_changes() -> None:
    graph = sample()
    memo = GraphmlMemo()
    edges = object()
    assert graphml_text_kept(graph, memo, edges) == graphml_text(graph).encode()
    graph.nodes["b&c"]["title"] = "Renamed"
    graph.nodes["d"]["citationCount"] = 3  # a new node attribute: key ids of the edges shift
    assert graphml_text_kept(graph, memo, edges) == graphml_text(graph).encode()
    graph.nodes["d"]["citationCount"] = True  # equal to 1 but written as a boolean
    graph.nodes["a"]["citationCount"] = 1
    assert graphml_text_kept(graph, memo, edges) == graphml_text(graph).encode()
    graph.add_edge("a", "d", isInfluential=True, intents=())
    assert graphml_text_kept(graph, memo, object()) == graphml_text(graph).encode()


def test_kept_node_lines_follow_replaced_node_pairs() -> None:
    """A graph that hands out the same (node, attributes) pair objects while a node is unchanged (the pages'
    StoredGraph): only replaced pairs are written again, and a replaced pair with new attribute names or types
    changes the keys."""
    from site_builder.citeview import StoredGraph

    nodes = [(f"n{i}", {"title": f"T{i}", "year": 2000 + i}) for i in range(6)]
    edges = [("n0", "n1", {"isInfluential": False}), ("n2", "n0", {"isInfluential": True})]
    memo, kept_edges = GraphmlMemo(), object()

    def check(graph: StoredGraph) -> None:
        assert graphml_text_kept(graph, memo, kept_edges) == graphml_text(graph).encode()

    check(StoredGraph({"fetched": "2024-01-01"}, list(nodes), edges))
    nodes[3] = ("n3", {"title": "Renamed", "year": 2003})  # same names and types
    check(StoredGraph({"fetched": "2024-01-01"}, list(nodes), edges))
    nodes[0] = ("n0", {"title": "T0", "year": 2000, "citationCount": 4})  # a new attribute: new keys
    check(StoredGraph({"fetched": "2024-01-01"}, list(nodes), edges))
    nodes[5] = ("n5", {"title": "T5", "year": True})  # the same name with another type
    check(StoredGraph({"fetched": "2024-01-01"}, list(nodes), edges))
    nodes[2] = ("n9", {"title": "T2", "year": 2002})  # another node id in the same place
    check(StoredGraph({"fetched": "2024-01-01"}, list(nodes), edges))
    check(StoredGraph({"fetched": "2024-01-01"}, nodes[:-1], edges))  # one node fewer

"""``site-builder export``: GraphML and node-link JSON of the citation graph, read back with networkx."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

from site_builder.cli.commands import main
from tests.conftest import GOLDEN_KB, KbFactory, make_site_project
from tests.test_graph import record, ref, snapshot_file

GOLDEN_OUT = GOLDEN_KB.parent / "out"


def files() -> dict[str, str]:
    return {
        "papers/a.yaml": record("a", "contrastive", arxiv="2101.00001"),
        "papers/b.yaml": record("b", "matching", arxiv="2101.00002"),
        "papers/c.yaml": record("c", "clustering", arxiv="2101.00003"),
        "data/semantic-scholar/a.json": snapshot_file("a", [ref("b", influential=True, intents=("methodology",
                                                                                                "background")),
                                                            ref("c", arxiv="2101.00003")], cited=12),
        "data/semantic-scholar/b.json": snapshot_file("b", [ref("c", arxiv="2101.00003")]),
    }


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_graphml_loads_back_with_the_same_nodes_and_edges(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    root = kb(files())
    target = tmp_path / "citation-graph.graphml"
    code, out, err = run(capsys, "export", "--root", str(root), "--format", "graphml", "--output", str(target))
    assert (code, out, err) == (0, f"{target}: 3 papers, 3 citations inside the collection (Semantic Scholar data "
                                   "as of 2026-11-28)\n", "")
    back = nx.read_graphml(target)
    assert back.is_directed()
    assert sorted(back.nodes) == ["a", "b", "c"]
    assert sorted(back.edges) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert back.edges["a", "b"] == {"isInfluential": True, "intents": "background,methodology"}
    assert back.nodes["a"]["citationCount"] == 12 and back.nodes["c"]["year"] == 2021
    assert back.graph["fetched"] == "2026-11-28"
    first = target.stat().st_mtime_ns
    run(capsys, "export", "--root", str(root), "--format", "graphml", "--output", str(target))
    assert target.stat().st_mtime_ns == first  # unchanged content is not rewritten


def test_json_is_node_link_on_stdout(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(files())
    code, out, _ = run(capsys, "export", "--root", str(root), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    back = nx.node_link_graph(doc, edges="edges")
    assert (sorted(back.nodes), sorted(back.edges)) == (["a", "b", "c"], [("a", "b"), ("a", "c"), ("b", "c")])
    assert doc["directed"] is True
    assert [e["intents"] for e in doc["edges"] if e["target"] == "b"] == [["background", "methodology"]]
    assert out == run(capsys, "export", "--root", str(root), "--format", "json")[1]  # deterministic


def test_export_without_snapshot_says_so(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/a.yaml": record("a", "contrastive", arxiv="2101.00001")})
    assert run(capsys, "export", "--root", str(root), "--format", "graphml") == \
        (1, "", "site-builder: citation data has not been fetched yet: run 'site-builder enrich' first\n")


def test_export_refuses_a_damaged_snapshot(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({**files(), "data/semantic-scholar/b.json": "{\"schema\": 1,"})
    code, out, err = run(capsys, "export", "--root", str(root), "--format", "json")
    assert (code, out) == (1, "")
    assert err.splitlines()[0].startswith("data/semantic-scholar/b.json:1:14: error [snapshot-bad-json] not valid "
                                          "JSON (Expecting property name enclosed in double quotes)")


def test_unknown_format_is_a_usage_error(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["export", "--root", str(kb(files())), "--format", "xml"])
    assert info.value.code == 2
    err = capsys.readouterr().err  # the quoting of the choices differs between Python versions
    assert "argument --format: invalid choice: 'xml' (choose from " in err
    assert err.endswith(("'bib', 'csv', 'graphml', 'json')\n", "bib, csv, graphml, json)\n"))


@pytest.mark.parametrize(("fmt", "download", "summary"), [
    ("bib", "papers.bib", "6 papers as BibTeX entries"),
    ("csv", "papers.csv", "6 papers as CSV rows"),
])
def test_bib_and_csv_are_the_site_downloads(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str,
                                            download: str, summary: str) -> None:
    expected = (GOLDEN_OUT / "downloads" / download).read_text(encoding="utf-8")
    root = make_site_project(tmp_path / "kb")  # mkdocs.yml's site_url makes the links absolute, as the golden site's
    config = root / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url: .*$", "site_url: https://example.org/kb/",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    code, out, err = run(capsys, "export", "--root", str(root), "--format", fmt)
    assert (code, err) == (0, "") and out == expected
    target = tmp_path / download
    assert run(capsys, "export", "--root", str(root), "--format", fmt, "--output", str(target)) == \
        (0, f"{target}: {summary}\n", "")
    assert target.read_text(encoding="utf-8") == expected


def test_bib_export_ignores_a_damaged_snapshot(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({**files(), "data/semantic-scholar/b.json": "{\"schema\": 1,"})
    code, out, err = run(capsys, "export", "--root", str(root), "--format", "bib")
    assert (code, err) == (0, "")
    assert [line for line in out.splitlines() if line.startswith("@")] == \
        ["@inproceedings{a,", "@inproceedings{b,", "@inproceedings{c,"]


def test_graph_date_is_the_oldest_fetch_of_the_collection(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    older = snapshot_file("b", [ref("c", arxiv="2101.00003")]).replace("2026-11-28", "2026-10-02")
    stray = snapshot_file("gone", []).replace("2026-11-28", "2025-01-01")  # a record removed since: not counted
    root = kb({**files(), "data/semantic-scholar/b.json": older, "data/semantic-scholar/gone.json": stray})
    code, out, _ = run(capsys, "export", "--root", str(root), "--format", "json")
    assert code == 0 and json.loads(out)["graph"] == {"fetched": "2026-10-02"}

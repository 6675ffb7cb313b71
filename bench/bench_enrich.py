"""Benchmark: enrich (cold and warm) and the citation graph on a synthetic collection served by the fake API.

Usage: python bench/bench_enrich.py [--papers N]   (from the repository root; talks only to 127.0.0.1)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from site_builder.citations import (  # noqa: E402
    ClientConfig,
    S2Client,
    graph,
)
from site_builder.citations.enrich import EnrichOptions, enrich  # noqa: E402
from site_builder.citations.snapshot import load_snapshot  # noqa: E402
from site_builder.kb.project import Project  # noqa: E402
from site_builder.kb.records import load_knowledge_base  # noqa: E402
from site_builder.tools.export import export  # noqa: E402
from tests.s2collection import collection  # noqa: E402
from tests.s2fake import FakeS2  # noqa: E402


def timed(label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run ``func`` and print how long it took."""
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:<34} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    """Build a collection of --papers records, then time each stage."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=2000, help="records in the synthetic collection")
    n = parser.parse_args().papers
    fake = FakeS2().start()
    root = Path(tempfile.mkdtemp(prefix="ssml-bench-"))
    try:
        shutil.copy(REPO / "taxonomy.yaml", root / "taxonomy.yaml")
        for name, text in collection(fake, n).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        project = Project(root)
        env = {"SITE_BUILDER_TODAY": "2026-11-28"}
        client = S2Client(ClientConfig(fake.url, None, 0.0))
        cold = timed(f"enrich, cold ({n} records)", enrich, project, EnrichOptions(), env=env, client=client)
        print(f"  {cold.stats.describe()}; batch calls {len(fake.requests_to('/paper/batch'))}")
        warm = timed("enrich, warm", enrich, project, EnrichOptions(), env=env, client=client)
        print(f"  {warm.stats.describe()}")
        kb, _ = timed("load records", load_knowledge_base, project)
        snap = timed("load snapshot", load_snapshot, project)
        assert kb is not None
        g = timed("build graph", graph.build_graph, kb.papers, snap.records)
        print(f"  {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
        timed("candidates (k=2)", graph.candidates, kb.papers, snap.records, 2)
        timed("flows (objective)", graph.flows, g, graph.facet_tags(kb.papers, "objective"),
              kb.taxonomy.facet("objective"))
        timed("export graphml (loads everything)", export, project, "graphml", root / "g.graphml")
    finally:
        fake.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark: what citation data adds to the site's model and render stages, on a generated knowledge base.

Usage (from the repository root; no network):

    python bench/generate.py 20000 bench/out/kb-20k
    python bench/bench_citation_pages.py bench/out/kb-20k

Prints the time of each stage without and with the snapshot, and the sizes of the graph page's data file and of
the GraphML download.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from site_builder.citations.snapshot import load_snapshot  # noqa: E402
from site_builder.kb.project import Project  # noqa: E402
from site_builder.kb.records import load_knowledge_base  # noqa: E402
from site_builder.site.graph_index import graph_index  # noqa: E402
from site_builder.site.graphml import graphml_text  # noqa: E402
from site_builder.site.model import SiteInfo, build_model  # noqa: E402
from site_builder.site.render.citations import citation_pages  # noqa: E402
from site_builder.site.render.records import record_pages  # noqa: E402
from site_builder.site.render.topics import topic_pages  # noqa: E402

INFO = SiteInfo("bench", None)


def lap(label: str, start: float) -> float:
    """Print the time since ``start`` and return now."""
    now = time.perf_counter()
    print(f"  {label:<28} {now - start:7.2f} s")
    return now


def main() -> None:
    """Time the stages on the knowledge base given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, help="a knowledge base with a snapshot (bench/generate.py writes one)")
    project = Project(parser.parse_args().root)
    kb, _ = load_knowledge_base(project)
    if kb is None:
        raise SystemExit("the knowledge base does not load")
    snapshot = load_snapshot(project)
    for label, snap in (("without snapshot", None), ("with snapshot", snapshot)):
        print(f"{label}:")
        start = time.perf_counter()
        model = build_model(kb, INFO, snap)
        start = lap("model", start)
        record_pages(model, {p.id: "" for p in model.papers})
        start = lap("paper and dataset pages", start)
        topic_pages(model)
        start = lap("topic pages", start)
        citation_pages(model)
        start = lap("graph and candidates pages", start)
        if model.citations is not None:
            data = graph_index(model, model.citations).encode("utf-8")
            graphml = graphml_text(model.citations.graph).encode("utf-8")
            lap("graph data and GraphML", start)
            print(f"  {model.citations.edges} citations, {len(model.citations.candidates)} candidates; graph data "
                  f"{len(data) / 2**20:.1f} MiB ({len(gzip.compress(data)) / 2**20:.1f} MiB gzipped), GraphML "
                  f"{len(graphml) / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()

"""Time the similar-papers index (site_builder.site.similar) on a synthetic collection (not part of the tests).

    python bench/bench_similar.py 20000

Generates (or reuses) the collection with bench/generate.py, builds the site model without the similar papers'
share, then times :func:`~site_builder.site.similar.similar_papers` alone, with the collection's citation data.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generate import ensure  # noqa: E402

from site_builder.citations.snapshot import load_snapshot  # noqa: E402
from site_builder.kb.project import Project  # noqa: E402
from site_builder.kb.records import load_knowledge_base  # noqa: E402
from site_builder.site.config import read_site_info  # noqa: E402
from site_builder.site.model import build_model  # noqa: E402
from site_builder.site.similar import similar_papers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=20000)
    args = parser.parse_args()
    root, _ = ensure(args.n, REPO / "bench" / "out" / f"kb-{args.n}")
    project = Project(root)
    kb, _ = load_knowledge_base(project)
    assert kb is not None
    model = build_model(kb, read_site_info(project), load_snapshot(project))
    closures = {pid: frozenset((f, n) for f, nodes in by.items() for n in nodes) for pid, by in model.closure.items()}
    view = model.citations
    cites = {pid: pc.cites for pid, pc in view.papers.items() if pc.status == "ok"} if view else None
    cpu, wall = time.process_time(), time.perf_counter()
    found = similar_papers(model.ids, closures, model.taxonomy, cites)
    print(f"{len(model.ids)} papers: similar papers in {time.process_time() - cpu:.1f} s CPU, "
          f"{time.perf_counter() - wall:.1f} s wall; {sum(map(len, found.values()))} listed")


if __name__ == "__main__":
    main()

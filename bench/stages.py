"""Time each pipeline stage of ``site-builder build`` on one knowledge base, in this process; print JSON.

    python -m bench.stages bench/out/kb-20k [--cold]

The stages are the build's own library calls in the build's order: load, check, model (including the citation
facts: from the citation cache, or from the Semantic Scholar snapshot and its graph), render, write. ``--cold``
empties the record cache, the citation cache and the index of written files first. Not a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from site_builder.gcpause import collector_paused
from site_builder.written import INDEX_NAME, written_index

from site_builder.build.write import write_outputs
from site_builder.checks import run_checks
from site_builder.citations.cache import CACHE_NAME, CitationSource
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.site.config import read_site_info
from site_builder.site.model import build_model
from site_builder.site.render import GENERATED_DIRS, GENERATED_FILES, render_site

T = TypeVar("T")


def measure(root: Path, cold: bool = False) -> dict[str, Any]:
    """Seconds per stage and what each produced."""
    project = Project(root.resolve())
    if cold:
        shutil.rmtree(project.cache / "records", ignore_errors=True)
        (project.cache / CACHE_NAME).unlink(missing_ok=True)
        (project.cache / INDEX_NAME).unlink(missing_ok=True)
    times: dict[str, float] = {}

    cpu: dict[str, float] = {}

    def timed(stage: str, work: Callable[[], T]) -> T:
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        times[stage] = time.perf_counter() - start
        cpu[stage] = time.process_time() - start_cpu
        return result

    with collector_paused():  # as the build's orchestrator does
        kb, problems = timed("load", lambda: load_knowledge_base(project))
        if kb is None:
            raise SystemExit(f"{root}: taxonomy unusable")
        checked = timed("check", lambda: run_checks(kb))
        model = timed("model", lambda: build_model(kb, read_site_info(project), citations=CitationSource(project)))
        outputs = timed("render", lambda: render_site(model))
        stats = timed("write", lambda: write_outputs(project.docs, outputs, GENERATED_DIRS, GENERATED_FILES,
                                                     index=written_index(project)))
    return {"papers": len(kb.paper_entries), "problems": len(problems) + len(checked), "files": len(outputs),
            "written": stats.written, "edges": model.citations.edges if model.citations else 0, "seconds": times,
            "cpu_seconds": cpu}


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the knowledge base")
    parser.add_argument("--cold", action="store_true",
                        help="empty the record cache, the citation cache and the index of written files first")
    args = parser.parse_args()
    print(json.dumps(measure(args.root, args.cold)))


if __name__ == "__main__":
    main()

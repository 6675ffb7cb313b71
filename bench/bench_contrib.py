"""Benchmarks for the contribution tools (not run as tests).

    python bench/bench_contrib.py [--papers 20000] [--entries 200] [--links 2000]

1. ``add --bibtex`` of ``--entries`` new entries into a synthetic collection of ``--papers`` records: the
   duplicate check compares each entry with every title, so this shows how it scales.
2. ``check_urls`` of ``--links`` URLs against a local HTTP server on 127.0.0.1 (no pacing), to show the
   checker's own overhead per link.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.kb.project import Project  # noqa: E402
from site_builder.tools.add.add import add_records  # noqa: E402
from site_builder.tools.links.probe import ProbeSettings  # noqa: E402
from site_builder.tools.links.rules import GENERIC, Rule  # noqa: E402
from site_builder.tools.links.run import check_urls  # noqa: E402
from tests.localhttp import Reply, serve  # noqa: E402

WORDS = [
    "audio", "visual", "contrastive", "masked", "video", "text", "speech", "alignment", "fusion", "encoder",
    "transformer", "grounding", "retrieval", "captioning", "robust", "tactile", "lidar", "point", "cloud",
    "depth", "thermal", "pretraining", "prompt", "bridge", "clip", "cluster", "distill", "token", "patch",
    "region", "object", "scene", "motion", "sound", "language", "vision"
]


def synthetic_kb(folder: Path, papers: int, rng: random.Random) -> None:
    shutil.copy(ROOT / "taxonomy.yaml", folder / "taxonomy.yaml")
    (folder / "papers").mkdir()
    (folder / "datasets").mkdir()
    for i in range(papers):
        title = " ".join(rng.choice(WORDS) for _ in range(8)).title() + f" {i}"
        (folder / "papers" / f"p{i}.yaml").write_text(
            f"id: p{i}\ntitle: {title}\nauthors: [Ada Lovelace]\nyear: 2021\nvenue: ICML 2021\nkind: method\n"
            f"ids:\n  arxiv: \"{2101 + i // 90000}.{i % 90000:05d}\"\n"
            "tags:\n  objective: [contrastive]\n  architecture: [fusion-free]\n  modality: [image]\n"
            f"summary: Synthetic record number {i} used to measure how the tools scale with many papers.\n"
            "added: 2026-11-28\n", encoding="utf-8")


def bench_add(papers: int, entries: int) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        synthetic_kb(root, papers, rng)
        bib = "\n".join(f"@misc{{e{i}, title={{{' '.join(rng.choice(WORDS) for _ in range(9)).title()} New {i}}},"
                        f" author={{Doe, Jane}}, year={{2024}}}}" for i in range(entries))
        (root / "refs.bib").write_text(bib, encoding="utf-8")
        start = time.perf_counter()
        result = add_records(Project(root), bibtex=root / "refs.bib", today=dt.date(2026, 12, 1))
        took = time.perf_counter() - start
        print(f"add --bibtex: {entries} entries into {papers} papers: {took:.2f} s "
              f"({len(result.created)} created, {len(result.problems)} problems)")


def bench_links(links: int) -> None:
    with serve({}, fallback=lambda _r: Reply(200)) as srv:
        urls = {f"{srv.url}/p{i}": [] for i in range(links)}
        settings = ProbeSettings(timeout=5.0, retries=0)
        start = time.perf_counter()
        results = check_urls(urls, concurrency=8, settings=settings,
                             rules={"127.0.0.1": Rule("b", 0.0, GENERIC.verdict)})
        took = time.perf_counter() - start
    alive = sum(r.state == "alive" for r in results)
    print(f"check_urls: {links} local links, concurrency 8, no pacing: {took:.2f} s ({alive} alive)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=20000)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--links", type=int, default=2000)
    args = parser.parse_args()
    bench_add(args.papers, args.entries)
    bench_links(args.links)


if __name__ == "__main__":
    main()

"""Measure the explore index and its summaries file (raw, gzipped) and the render stage, for the repository and a
synthetic collection.

Not a test: run ``python -m bench.explore_index [N]`` from the repository root (default N = 20000). The synthetic
papers use the repository's taxonomy with realistic field sizes; generation is seeded, so runs are comparable.
"""

from __future__ import annotations

import datetime as dt
import gzip
import random
import sys
import time
from pathlib import Path

from site_builder.kb.models import Paper
from site_builder.kb.project import Project
from site_builder.kb.records import Entry, KnowledgeBase, load_knowledge_base
from site_builder.kb.yamlio import Positions
from site_builder.site.explore_index import explore_index, explore_summaries
from site_builder.site.model import SiteInfo, build_model
from site_builder.site.render import render_site

ROOT = Path(__file__).resolve().parent.parent
INFO = SiteInfo("SSML knowledge base", "https://github.com/ssml-kb/ssml-knowledge-base")
WORDS = ["self", "supervised", "multimodal", "contrastive", "learning", "representation", "video", "audio", "text",
         "image", "masked", "pretraining", "alignment", "fusion", "transformer", "retrieval", "robust", "scalable",
         "unified", "generative", "visual", "speech", "point", "cloud", "lidar", "medical", "remote", "sensing",
         "zero", "shot", "dense", "grounded"]
VENUES = ("CVPR", "ICCV", "ECCV", "NeurIPS", "ICML", "ICLR", "ACL", "EMNLP", "IEEE TPAMI", "arXiv")


def synthetic(kb: KnowledgeBase, n: int, seed: int = 7) -> KnowledgeBase:
    """``n`` papers tagged at random on ``kb``'s taxonomy (ids, titles, authors and summaries of typical length)."""
    rng = random.Random(seed)
    facets = {fid: list(f.nodes) for fid, f in kb.taxonomy.facets.items()}
    out = KnowledgeBase(kb.project, kb.taxonomy, dataset_entries=kb.dataset_entries)
    for i in range(n):
        year = rng.randint(2012, 2025)
        venue = rng.choice(VENUES)
        tags = {"objective": rng.sample(facets["objective"], rng.choice((1, 1, 1, 2, 3))),
                "architecture": rng.sample(facets["architecture"], 1),
                "modality": rng.sample(facets["modality"], rng.randint(2, 3)),
                "application": rng.sample(facets["application"], 1)}
        if rng.random() < 0.3:
            tags["alignment"] = rng.sample(facets["alignment"], 1)
        paper = Paper.model_validate({
            "id": f"p{i:05d}", "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).title(),
            "authors": [f"Author{rng.randint(1, 99999)} Surname{rng.randint(1, 99999)}"
                        for _ in range(rng.randint(2, 9))],
            "year": year, "venue": venue if venue == "arXiv" else f"{venue} {year}", "kind": "method",
            "ids": {"arxiv": f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(10000, 99999)}"},
            "links": {"paper": "https://arxiv.org/abs/0000.00000",
                      "code": [{"url": f"https://github.com/u/r{i}", "official": rng.random() < 0.5}]
                      if rng.random() < 0.6 else []},
            "tags": tags, "summary": " ".join(rng.choice(WORDS) for _ in range(45)) + ".",
            "added": dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300)),
        })
        out.paper_entries.append(Entry(paper, f"papers/{paper.id}.yaml", Positions()))
    return out


def measure(label: str, kb: KnowledgeBase) -> None:
    """Print the index size and the time of the model and render stages."""
    start = time.perf_counter()
    model = build_model(kb, INFO)
    modelled = time.perf_counter()
    index = explore_index(model).encode("utf-8")
    summaries = explore_summaries(model).encode("utf-8")
    indexed = time.perf_counter()
    outputs = render_site(model)
    rendered = time.perf_counter()
    papers = len(model.papers)
    print(f"{label}: {papers} papers; explore index {len(index) / 1024:.0f} KiB raw, "
          f"{len(gzip.compress(index, 9)) / 1024:.0f} KiB gzipped ({len(index) / papers:.0f} B/paper raw); "
          f"summaries {len(summaries) / 1024:.0f} KiB raw, {len(gzip.compress(summaries, 9)) / 1024:.0f} KiB gzipped; "
          f"model {modelled - start:.2f} s, index {indexed - modelled:.2f} s, render {rendered - indexed:.2f} s "
          f"for {len(outputs)} files ({(rendered - start) / papers * 1000:.2f} ms/paper)")


def main() -> None:
    """Entry point."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    kb, _ = load_knowledge_base(Project(ROOT))
    if kb is None:
        raise SystemExit("the repository's taxonomy does not load")
    measure("repository", kb)
    measure("synthetic", synthetic(kb, n))


if __name__ == "__main__":
    main()

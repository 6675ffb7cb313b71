"""Generate a synthetic knowledge base of N papers for benchmarks (not part of the test suite).

The collection copies what the repository's site is built from (taxonomy, datasets, mkdocs.yml, the theme
overrides and the hand-written pages of docs/) and writes N paper records with realistic field sizes (12 authors on
average, 40-70 word summaries, 1-3 tags per facet, code links on two papers in three, a short name on one in
ten) plus a Semantic Scholar
snapshot in the format :mod:`site_builder.citations.snapshot` reads, in which every paper cites about 15 others of the
collection and 10 outside it.

    python bench/generate.py 20000 bench/out/kb-20k

:func:`ensure` reuses a collection generated earlier with the same size, seed and generator (and refreshes the
copied site sources), so that repeated benchmark runs do not pay the generation again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from site_builder.citations.snapshot import dump, record_key  # noqa: E402
from site_builder.kb.models import Paper  # noqa: E402
from site_builder.kb.taxonomy import load_taxonomy  # noqa: E402
from site_builder.site.render import GENERATED_DIRS, GENERATED_FILES  # noqa: E402

WORDS = ["contrastive", "masked", "multimodal", "video", "audio", "speech", "language", "vision", "transformer",
         "alignment", "grounding", "retrieval", "captioning", "pretraining", "representation", "fusion", "encoder",
         "decoder", "noisy", "unpaired", "robust", "efficient", "scalable", "zero-shot", "cross-modal", "temporal",
         "spatial", "region", "token", "prompt", "frozen", "bridge", "distillation", "clustering", "prediction",
         "semantic", "embodied", "tactile", "lidar", "point", "cloud", "medical", "report", "satellite", "radar",
         "translation"]
NAMES = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "John", "Donald", "Leslie", "Tony", "Frances", "Radia",
         "Margaret", "Ken", "Dennis", "Niklaus", "Robin", "Shafi", "Silvio", "Judea", "Yoshua", "Geoffrey", "Yann",
         "Fei-Fei", "Andrew", "Daphne", "Michael", "Jitendra", "Pietro", "Andrea", "Cordelia"]
FAMILY = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "McCarthy", "Knuth", "Lamport", "Hoare", "Allen",
          "Perlman", "Hamilton", "Thompson", "Ritchie", "Wirth", "Milner", "Goldwasser", "Micali", "Pearl", "Bengio",
          "Hinton", "LeCun", "Li", "Ng", "Koller", "Jordan", "Malik", "Perona", "Vedaldi", "Schmid"]
VENUES = ["CVPR", "ICCV", "ECCV", "NeurIPS", "ICML", "ICLR", "ACL", "EMNLP", "AAAI", "arXiv"]
SYLLABLES = ["ba", "co", "di", "fu", "ga", "he", "ji", "ko", "lu", "ma", "ne", "pi", "qu", "ro", "si", "tu", "va",
             "we", "xi", "yo", "za"]
VOCAB = sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "n", "x", "ra", "tor")})
COMMON = ["learning", "for", "with", "of", "the", "and", "a", "via", "from", "to", "in", "on"]
MARKER = ".bench-generated.json"


def _title(rng: random.Random) -> str:
    """Titles mix a few common words with terms drawn from a Zipf-like distribution over a large vocabulary."""
    terms = [VOCAB[int(len(VOCAB) ** rng.random()) - 1] for _ in range(rng.randint(3, 6))]
    terms += [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
    terms += rng.sample(COMMON, rng.randint(1, 3))
    rng.shuffle(terms)
    return " ".join(terms).title()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


#: Words of the title vocabulary that begin no other word of it (the search matches a word's beginning too).
ENDINGS = [w for w in VOCAB if w.endswith("tor")]


def short_name(i: int) -> str | None:
    """One paper in ten has a short name: a word of the title vocabulary in capitals (so that, like "CLIP", it
    also occurs in other papers' titles), unique across the collection."""
    if i % 10 != 3:
        return None
    word, cycle = ENDINGS[(i // 10) % len(ENDINGS)].upper(), i // (10 * len(ENDINGS))
    return f"{word}-{cycle + 1}" if cycle else word


def make_paper(i: int, rng: random.Random, facets: dict[str, list[str]], datasets: list[str]) -> dict[str, object]:
    """One synthetic record (valid against the schema)."""
    year = rng.randint(2012, 2025)
    venue = rng.choice(VENUES)
    pid = f"p{i:06d}"
    tags: dict[str, list[str]] = {}
    for facet, nodes in facets.items():
        k = {"alignment": rng.choice([0, 0, 1]), "challenge": rng.choice([0, 0, 0, 1])}.get(facet, rng.randint(1, 3))
        if k:
            tags[facet] = sorted(rng.sample(nodes, min(k, len(nodes))))
    links: dict[str, object] = {"paper": f"https://arxiv.org/abs/{year % 100:02d}01.{i:05d}"}
    record: dict[str, object] = {
        "id": pid,
        "title": _title(rng),
        "authors": [f"{rng.choice(NAMES)} {rng.choice(FAMILY)}" for _ in range(rng.randint(2, 22))],
        "year": year,
        "venue": venue if venue == "arXiv" else f"{venue} {year}",
        "kind": "method",
        "ids": {"arxiv": f"{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}"},
        "links": links,
        "tags": tags,
        "datasets": sorted(rng.sample(datasets, rng.randint(0, 3))),
        "summary": f"{_sentence(rng, rng.randint(15, 25))} {_sentence(rng, rng.randint(15, 25))} Record {pid}.",
        "added": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
    }
    name = short_name(i)
    if name:
        record = {"id": pid, "title": record["title"], "short_name": [name], **record}
    if rng.random() < 0.66:
        links["code"] = [{"url": f"https://github.com/lab{i % 97}/{pid}", "official": rng.random() < 0.8}]
    return record


def snapshot_record(i: int, rec: dict[str, object], papers: list[dict[str, object]],
                    rng: random.Random) -> dict[str, object]:
    """The Semantic Scholar snapshot file of paper ``i`` (schema 1 of site_builder.citations.snapshot)."""
    n = len(papers)
    arxiv = rec["ids"]["arxiv"]  # type: ignore[index]
    refs: list[dict[str, object]] = []
    for j in rng.sample(range(n), min(15, n - 1)):
        if j != i:
            other = papers[j]
            refs.append({"paperId": f"{j:040x}", "title": other["title"], "year": other["year"],
                         "externalIds": {"ArXiv": other["ids"]["arxiv"]},  # type: ignore[index]
                         "isInfluential": False, "intents": []})
    for _ in range(10):
        ext = rng.randint(0, 5 * n)
        refs.append({"paperId": f"e{ext:039x}", "title": f"External work {ext}", "year": 2015,
                     "externalIds": {}, "isInfluential": False, "intents": []})
    paper = {"paperId": f"{i:040x}", "title": rec["title"], "year": rec["year"],
             "citationCount": rng.randint(0, 5000), "referenceCount": len(refs),
             "influentialCitationCount": rng.randint(0, 50), "externalIds": {"ArXiv": arxiv}}
    return {"schema": 1, "id": rec["id"], "fetched": "2026-11-28", "resolved_by": f"ARXIV:{arxiv}",
            "record_key": record_key(Paper.model_validate(rec)), "status": "ok", "paper": paper, "references": refs}


def copy_site_sources(out: Path) -> None:
    """Copy what the repository's site is built from besides the paper records: taxonomy, datasets, mkdocs.yml,
    the theme overrides and the hand-written pages and assets of docs/ (never generated pages a build of the
    repository left there)."""
    shutil.copy(REPO / "taxonomy.yaml", out / "taxonomy.yaml")
    shutil.copy(REPO / "mkdocs.yml", out / "mkdocs.yml")
    for folder in ("datasets", "overrides"):
        shutil.rmtree(out / folder, ignore_errors=True)
        shutil.copytree(REPO / folder, out / folder)
    # The repository's datasets name the paper records that introduced them; the synthetic papers are others.
    for path in (out / "datasets").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^paper: .*\n", "", text), encoding="utf-8")
    generated = {*GENERATED_DIRS, *GENERATED_FILES}
    docs = REPO / "docs"
    for item in sorted(docs.iterdir()):
        if item.name in generated:
            continue
        if item.is_dir():
            shutil.rmtree(out / "docs" / item.name, ignore_errors=True)
            shutil.copytree(item, out / "docs" / item.name)
        else:
            (out / "docs").mkdir(parents=True, exist_ok=True)
            shutil.copy(item, out / "docs" / item.name)


def _fingerprint() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def generate(n: int, out: Path, seed: int = 7) -> Path:
    """Write an N-paper knowledge base to ``out`` (replacing it) and return ``out``."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "papers").mkdir(parents=True)
    copy_site_sources(out)
    taxonomy, _ = load_taxonomy(out / "taxonomy.yaml")
    if taxonomy is None:
        raise SystemExit("the repository's taxonomy.yaml does not load")
    facets = {f: [nid for nid, node in facet.nodes.items() if not node.children]
              for f, facet in taxonomy.facets.items()}
    datasets = sorted(p.stem for p in (out / "datasets").glob("*.yaml"))
    papers = [make_paper(i, rng, facets, datasets) for i in range(n)]
    for rec in papers:
        (out / "papers" / f"{rec['id']}.yaml").write_text(
            yaml.dump(rec, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    snapshot = out / "data" / "semantic-scholar"
    snapshot.mkdir(parents=True)
    for i, rec in enumerate(papers):
        (snapshot / f"{rec['id']}.json").write_text(dump(snapshot_record(i, rec, papers, rng)), encoding="utf-8")
    (out / MARKER).write_text(json.dumps({"n": n, "seed": seed, "generator": _fingerprint()}) + "\n")
    return out


def ensure(n: int, out: Path, seed: int = 7) -> tuple[Path, bool]:
    """The collection at ``out``, generated unless an earlier one of the same size, seed and generator is there
    (its site sources are then copied again). Returns (folder, whether it was generated now)."""
    marker = out / MARKER
    try:
        same = json.loads(marker.read_text()) == {"n": n, "seed": seed, "generator": _fingerprint()}
    except (OSError, ValueError):
        same = False
    if same:
        copy_site_sources(out)
        return out, False
    return generate(n, out, seed), True


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of papers")
    parser.add_argument("out", type=Path, help="output folder (replaced)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (the same seed gives the same records)")
    args = parser.parse_args()
    generate(args.n, args.out, args.seed)
    print(f"wrote {args.n} papers to {args.out}")


if __name__ == "__main__":
    main()

"""Editing one record of a large collection: what the pipeline does again, and how long it takes. Not a test.

    python -m bench.incremental bench/out/kb-20k

Two ways to rebuild after the edit are measured: a ``serve`` session regenerating (the process kept the previous
run's state; :mod:`site_builder.session`; as in ``serve``, its watcher's look at the inputs, which runs every
second whether anything changed or not, is handed to the session first and timed apart) and a fresh
``site-builder build --pages-only`` process (warm record cache). For each edit the files rewritten are compared
with the files whose bytes differ from before, and the edited record and its pages are restored afterwards. The
session's edits come first and no other process writes to docs/ while they run: a session takes itself for the
only writer there. Prints Markdown for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from site_builder.session import Session

from site_builder.build.pipeline import generate
from site_builder.build.serve import input_signature
from site_builder.kb.project import Project

REPO = Path(__file__).resolve().parent.parent
GENERATED = ("index.md", "papers", "topics", "datasets", "explore", "trends", "cited-by", "downloads", "reference",
             "graph", "candidates")


def snapshot(docs: Path) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every generated file."""
    out = {}
    for name in GENERATED:
        top = docs / name
        if top.is_file():
            st = top.stat()
            out[name] = (st.st_mtime_ns, st.st_size)
        for here, _dirs, files in os.walk(top):
            for file in files:
                path = os.path.join(here, file)
                st = os.stat(path)
                out[os.path.relpath(path, docs)] = (st.st_mtime_ns, st.st_size)
    return out


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Files added, removed or written again."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _kinds(paths: list[str]) -> str:
    """Paper pages and topic pages counted, other files named."""
    papers = sum(p.startswith("papers/") for p in paths)
    topics = sum(p.startswith("topics/") for p in paths)
    named = [p for p in paths if not p.startswith(("papers/", "topics/"))]
    counted = [f"{papers} paper page{'s' * (papers != 1)}"] if papers else []
    counted += [f"{topics} topic page{'s' * (topics != 1)}"] if topics else []
    return ", ".join(counted + [f"`{p}`" for p in named])


#: Edits of each kind a session makes (each with a text of its own), each followed by the edit that undoes it.
ROUNDS = 5
EDITS = {
    "summary": (r"(summary: )(\S+)", r"\1Edited \2"),
    "title": (r"(title: )(\S+)", r"\1Edited \2"),
}


def fresh_build(root: Path) -> float:
    """A ``site-builder build --pages-only`` process: the pipeline seconds it reports."""
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build", "--root", str(root), "--pages-only"],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          check=True)
    lap = r"site-builder: (?:load\+check(?:\+render)?|render|write): .*\((\d+\.\d+) s\)"
    laps = re.findall(lap, proc.stderr + proc.stdout)
    return sum(float(x) for x in laps)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the knowledge base (built at least once)")
    args = parser.parse_args()
    project = Project(args.root.resolve())
    record = sorted(project.papers.glob("*.yaml"))[len(list(project.papers.glob("*.yaml"))) // 2]
    original = record.read_text(encoding="utf-8")
    session = Session()
    start = time.perf_counter()
    first = generate(project, session=session)
    first_seconds = time.perf_counter() - start
    n = first.papers
    lines = ["## Editing one record", "",
             f"Collection of {n:,} papers; the record edited is `{project.rel(record)}`. A `serve` session's first "
             f"generation took {first_seconds:.1f} s (load avg {os.getloadavg()[0]:.1f}). Then, per edit: the "
             "session regenerating (what `site-builder serve` does after the edit; "
             f"{ROUNDS} edits of each kind, each with a text of its own and each undone before the next) and a fresh "
             "`site-builder build --pages-only` process (warm record cache), each timing load, check, model, render "
             "and write.", "",
             "| edit | rebuild | pipeline (s) | records read | files rewritten | rewritten = changed bytes | "
             "which | load avg |", "|---|---|---:|---:|---:|---|---|---|"]
    polls: list[float] = []

    def watcher_look() -> None:
        """What serve's watcher does once a second, and hands to the session when something changed."""
        start = time.perf_counter()
        seen = input_signature(project)
        polls.append(time.perf_counter() - start)
        session.saw(project, seen)

    changed_by: dict[str, list[str]] = {}
    try:
        # The session first, then fresh processes: a session takes itself for the only writer of docs/ (it keeps
        # what it wrote and does not look again), so no other process may write there while it lives.
        for name, (pattern, replacement) in EDITS.items():
            runs = []  # (seconds, laps, records read, files rewritten, whether they are the changed ones)
            failed = False
            for round_ in range(ROUNDS):
                edited = re.sub(pattern, replacement.replace("Edited", f"Edited{round_}"), original, count=1)
                record.write_text(edited, encoding="utf-8")
                before = snapshot(project.docs)
                contents_before = {k: (project.docs / k).read_bytes() for k in before}
                watcher_look()
                start = time.perf_counter()
                result = generate(project, session=session)
                seconds = time.perf_counter() - start
                after = snapshot(project.docs)
                changed = sorted(k for k in after if (project.docs / k).read_bytes() != contents_before.get(k))
                touched = rewritten(before, after)
                changed_by.setdefault(name, changed)
                runs.append((seconds, result.timings, session.files.read, touched, touched == changed))
                failed = failed or result.failed
                record.write_text(original, encoding="utf-8")
                watcher_look()
                generate(project, session=session)  # back to the original pages
            times = sorted(r[0] for r in runs)
            middle = min(runs, key=lambda r: abs(r[0] - statistics.median(times)))
            laps = ", ".join(f"{k} {v:.2f}" for k, v in middle[1].items())
            touched = runs[0][3]
            exact = all(r[4] for r in runs) and all(r[3] == touched for r in runs)
            lines.append(f"| {name} | serve session | {statistics.median(times):.2f} (median of {len(runs)}; "
                         f"{times[0]:.2f}–{times[-1]:.2f}; the median edit: {laps}) | {middle[2]} | {len(touched)} | "
                         f"{'yes' if exact else 'NO'} | {_kinds(touched)} | {os.getloadavg()[0]:.1f} |")
            if failed:
                lines.append(f"(the {name} edit made the records fail validation)")
        for name, (pattern, replacement) in EDITS.items():
            record.write_text(re.sub(pattern, replacement, original, count=1), encoding="utf-8")
            before = snapshot(project.docs)
            seconds = fresh_build(project.root)
            touched = rewritten(before, snapshot(project.docs))
            lines.append(f"| {name} | fresh build process | {seconds:.2f} (one run) | {n:,} | {len(touched)} | "
                         f"{'yes' if touched == changed_by[name] else 'NO'} | {_kinds(touched)} | "
                         f"{os.getloadavg()[0]:.1f} |")
            record.write_text(original, encoding="utf-8")
            fresh_build(project.root)  # back to the original pages
    finally:
        record.write_text(original, encoding="utf-8")
    if polls:
        lines += ["", f"The watcher's look at the {n:,} record files and the snapshot files (one `stat` each, every "
                      f"second in `serve`, counted apart from the pipeline above) took {min(polls):.2f}–"
                      f"{max(polls):.2f} s."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()

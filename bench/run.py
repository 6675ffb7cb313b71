"""The budgets of design.md section 9, measured side by side in one run; results go to bench/RESULTS.md. Not a test.

    python -m bench.run                                   # 1k, 5k and 20k papers, edits at 2k and 20k
    python -m bench.run --sizes 1000 --edit-sizes 2000    # a quick look
    python -m bench.run --baseline 3bd2058                # also the code of an earlier commit, for comparison

For each size: a synthetic collection (bench/generate.py, reused when already there), its pages generated once,
then pairs of runs, each pair in alternating order: the whole ``site-builder build`` and a bare ``mkdocs build
--strict`` of the same pages. Each run is a child process measured with ``os.wait4``: wall time, CPU time (user +
system of the process and everything it waited for) and peak resident memory. The machine is shared, so the
ratios are taken within each pair and the load average is written next to every figure.

The whole build also indexes the site for its search (Pagefind), which a bare MkDocs build does not: the ratios
compare the build without its ``search index`` lap (wall and CPU, from the build's own progress line) against a
bare build that keeps Material's search plugin (a configuration inheriting mkdocs.yml with ``plugins: [search]``),
and the indexing is reported beside them (bench/search.py measures the search itself).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
RESULTS = REPO / "bench" / "RESULTS.md"


@dataclass
class Run:
    """One child process."""

    wall: float
    cpu: float
    peak_mib: float
    load: str
    #: The build's search indexing (wall, CPU), already taken out of ``wall`` and ``cpu``; zero for bare MkDocs.
    search: tuple[float, float] = (0.0, 0.0)
    #: The build's own process and its search indexer (MiB); zero for bare MkDocs.
    peaks: tuple[float, float] = (0.0, 0.0)


SEARCH_LAP = re.compile(rb"search index: \d+ pages, \d+ words \((\d+\.\d+) s, CPU (\d+\.\d+) s\)")
#: The build's own peak and its search indexer's, from its last progress line.
PEAKS = re.compile(rb"peak memory ([\d,]+) MiB, search indexer ([\d,]+) MiB")


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def measured(command: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run ``command`` to its end; fail loudly when it fails."""
    before = _load()
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{output.decode(errors='replace')[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    lap = SEARCH_LAP.search(output)
    search = (float(lap.group(1)), float(lap.group(2))) if lap else (0.0, 0.0)
    found = PEAKS.search(output)
    peaks = (float(found.group(1).replace(b",", b"")), float(found.group(2).replace(b",", b""))) if found else (0, 0)
    return Run(wall - search[0], cpu - search[1], usage.ru_maxrss / 1024, f"{before}→{_load()}", search, peaks)


def env_for(code: Path, cache: Path) -> dict[str, str]:
    """Children import the package from ``code`` and cache in ``cache``."""
    return {**os.environ, "PYTHONPATH": str(code), "SITE_BUILDER_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1",
            "PYTHONHASHSEED": "0"}


def collection(n: int) -> Path:
    from bench.generate import ensure

    folder, _ = ensure(n, OUT / f"kb-{n}")
    return folder


def whole_build(kb: Path, code: Path, cache: Path) -> Run:
    return measured([sys.executable, "-m", "site_builder", "build", "--root", str(kb)], kb, env_for(code, cache))


def bare_mkdocs(kb: Path, code: Path, cache: Path) -> Run:
    site = Path(tempfile.mkdtemp(prefix="bare-site-", dir=kb))
    config = kb / "mkdocs-bare.yml"
    config.write_text("INHERIT: mkdocs.yml\nplugins:\n  - search\n", encoding="utf-8")
    try:
        return measured([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config),
                         "--site-dir", str(site)], kb, env_for(code, cache))
    finally:
        shutil.rmtree(site, ignore_errors=True)


def pairs(n: int, runs: int, code: Path) -> dict[str, object]:
    """Whole build and bare MkDocs, ``runs`` pairs in alternating order, after one cold build."""
    kb = collection(n)
    cache = kb / ".bench-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold = whole_build(kb, code, cache)  # cold caches; it also writes the pages the bare builds use
    rows = []
    for i in range(runs):
        if i % 2 == 0:
            build, bare = whole_build(kb, code, cache), bare_mkdocs(kb, code, cache)
        else:
            bare, build = bare_mkdocs(kb, code, cache), whole_build(kb, code, cache)
        rows.append((build, bare))
        print(f"  {n}: build {build.wall:.1f} s / bare {bare.wall:.1f} s (cpu {build.cpu:.1f} / {bare.cpu:.1f} s)",
              flush=True)
    return {"n": n, "cold": cold, "rows": rows}


def baseline(n: int, commit: str) -> Run | None:
    """The whole build of an earlier commit's code on a copy of the same collection (warm, after one build)."""
    tree = OUT / f"baseline-{commit}"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=REPO, check=True,
                       capture_output=True)
    kb = OUT / f"kb-{n}-baseline"
    if not kb.exists():
        shutil.copytree(collection(n), kb, ignore=shutil.ignore_patterns(".bench-cache", "site", ".cache"))
        _older_schema(kb)
    try:
        whole_build(kb, tree, kb / ".bench-cache")
        return whole_build(kb, tree, kb / ".bench-cache")
    except SystemExit as exc:  # the earlier code may not read today's records: say so, keep the other figures
        print(f"  baseline {n} failed: {str(exc)[:300]}", flush=True)
        return None


def _older_schema(kb: Path) -> None:
    """The copy's records in the schema of the earlier code: no short names, no dataset years, the survey's six
    dataset groups."""
    older = {"image-text", "image-text-audio", "video-text", "video-audio", "point-cloud", "image-lidar"}
    for path in (kb / "papers").glob("*.yaml"):
        kept, inside = [], False
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.startswith("short_name:"):
                inside = True  # the key and its list items below it
            elif inside and not line.startswith(("- ", "  ")):
                inside = False
            if not inside:
                kept.append(line)
        path.write_text("".join(kept), encoding="utf-8")
    for path in (kb / "datasets").glob("*.yaml"):
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.startswith("year:"):
                continue
            if line.startswith("category:") and line.split(":", 1)[1].strip() not in older:
                line = "category: image-text\n"
            lines.append(line)
        path.write_text("".join(lines), encoding="utf-8")


EDIT_SCRIPT = """
import statistics, sys, time
from pathlib import Path
from site_builder.build.pipeline import generate
from site_builder.kb.project import Project
project = Project(Path(sys.argv[1]))
assert not generate(project).failed
out = {}
for field, old, new in (("summary", "summary: ", "summary: Edited. "), ("title", "title: ", "title: Edited ")):
    times = []
    for i in range(5):
        path = sorted(project.papers.glob("*.yaml"))[i * 7]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        start = time.perf_counter()
        result = generate(project)
        times.append(time.perf_counter() - start)
        assert not result.failed and result.stats.written >= 1
        page = project.docs / "papers" / path.stem / "index.md"
        assert ("Edited" in page.read_text(encoding="utf-8")), page
        path.write_text(text, encoding="utf-8")
        generate(project)
    out[field] = times
import json
print(json.dumps(out))
"""


def edits(n: int, code: Path) -> dict[str, list[float]]:
    """What ``serve`` does after an edit: the same stages as a build, from the edit to the page on disk."""
    source = collection(n)
    kb = OUT / f"kb-{n}-edits"
    shutil.rmtree(kb, ignore_errors=True)
    shutil.copytree(source, kb, ignore=shutil.ignore_patterns(".bench-cache", "site", ".cache"))
    done = subprocess.run([sys.executable, "-c", EDIT_SCRIPT, str(kb)], env=env_for(code, kb / ".bench-cache"),
                          capture_output=True, text=True, check=True)
    times: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def report(results: list[dict[str, object]], edit_times: dict[int, dict[str, list[float]]],
           base: dict[int, Run], started: str, minutes: float, command: str) -> str:
    import markdown
    import material
    import mkdocs

    lines = [
        "# Budgets (design.md section 9)", "",
        f"Measured {started} UTC with `{command}` ({minutes:.0f} minutes in all), on {platform.processor() or 'an'} "
        f"{platform.machine()} machine with {os.cpu_count()} cores, Python {platform.python_version()}, MkDocs "
        f"{mkdocs.__version__}, Material {material.__version__ if hasattr(material, '__version__') else '?'}, "
        f"Python-Markdown {markdown.__version__}. The machine is shared: compare the ratios, which come from runs "
        "made side by side; absolute times vary threefold between machines.", "",
        "Synthetic collections from `bench/generate.py` (the repository's taxonomy, datasets and site settings; "
        "seeded records and a Semantic Scholar snapshot with about 15 citations inside the collection per paper).",
        "",
        "## Whole build against a bare `mkdocs build` of the same pages", "",
        "Budget: CPU and wall of `site-builder build` at most 1.2× those of `mkdocs build --strict` at 1k and 5k "
        "papers; wall at most 1.2× and peak memory at most 1.5 GB at 20k. Each row is the median of the pairs; "
        "the ratio is the median of the ratios within pairs. The cold build is the first one, with no cache and "
        "no generated page. The build's figures leave out its search indexing, given in its own column (wall / "
        "CPU); the bare build keeps Material's search plugin. The build peak is the largest process among the "
        "build and the children it waited for; the next column splits it into site-builder's own process (the "
        "pipeline, then MkDocs in the same process) and its largest child, the Pagefind indexer (a child's "
        "figure starts from its parent's size when it was started, so a small indexer shows the parent's).", "",
        "| papers | pairs | build wall (s) | bare wall (s) | wall ratio | build CPU (s) | bare CPU (s) | CPU ratio "
        "| build peak (MiB) | of it: site-builder / indexer (MiB) | cold build wall (s) "
        "| search index wall / CPU (s) | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for res in results:
        rows: list[tuple[Run, Run]] = res["rows"]  # type: ignore[assignment]
        cold: Run = res["cold"]  # type: ignore[assignment]
        med = statistics.median
        lines.append(
            f"| {res['n']:,} | {len(rows)} | {med(b.wall for b, _ in rows):.1f} | {med(m.wall for _, m in rows):.1f} "
            f"| {med(b.wall / m.wall for b, m in rows):.2f} | {med(b.cpu for b, _ in rows):.1f} "
            f"| {med(m.cpu for _, m in rows):.1f} | {med(b.cpu / m.cpu for b, m in rows):.2f} "
            f"| {max(b.peak_mib for b, _ in rows):.0f} | {max(b.peaks[0] for b, _ in rows):.0f} / "
            f"{max(b.peaks[1] for b, _ in rows):.0f} | {cold.wall:.1f} "
            f"| {med(b.search[0] for b, _ in rows):.1f} / {med(b.search[1] for b, _ in rows):.1f} "
            f"| {', '.join(f'{b.load} / {m.load}' for b, m in rows)} |")
    if base:
        lines += ["", "## The same builds with the deleted speed machinery", "",
                  "The code before the simplification (forked checks and render, split MkDocs, patched anchor scan, "
                  "written-file index, memos), run in the same session on a copy of the same collection, warm.", "",
                  "| papers | this code: build wall (s) | earlier code: build wall (s) | earlier / this |",
                  "|---:|---:|---:|---:|"]
        for res in results:
            n = int(res["n"])  # type: ignore[call-overload]
            if n in base:
                rows = res["rows"]  # type: ignore[assignment]
                this = statistics.median(b.wall for b, _ in rows)
                lines.append(f"| {n:,} | {this:.1f} | {base[n].wall:.1f} | {base[n].wall / this:.2f} |")
    if edit_times:
        lines += ["", "## Editing one record (what `serve` does)", "",
                  "Budget: one-record edit to regenerated page on disk at most 1 s (median of five) at 2k papers; "
                  "the 20k figure is reported. Each edit runs the same stages as a build (load, check, citations, "
                  "model, render, write) and the page is checked on disk afterwards; the watcher's one-second "
                  "poll and MkDocs' rebuild come on top.", "",
                  "| papers | summary edit: median (s) | slowest | title edit: median (s) | slowest |",
                  "|---:|---:|---:|---:|---:|"]
        for n, t in sorted(edit_times.items()):
            lines.append(f"| {n:,} | {statistics.median(t['summary']):.2f} | {max(t['summary']):.2f} "
                         f"| {statistics.median(t['title']):.2f} | {max(t['title']):.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 20000], help="collection sizes")
    parser.add_argument("--runs", type=int, default=3, help="pairs of runs below 20k papers (default 3)")
    parser.add_argument("--large-runs", type=int, default=1, help="pairs of runs at 20k papers and more (default 1)")
    parser.add_argument("--edit-sizes", type=int, nargs="*", default=[2000, 20000], help="sizes for the edit test")
    parser.add_argument("--baseline", default=None, metavar="COMMIT", help="also time this commit's whole build")
    parser.add_argument("--baseline-sizes", type=int, nargs="*", default=None,
                        help="the sizes to time the baseline at (default: every size)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the Markdown goes")
    args = parser.parse_args()
    started, t0 = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"), time.perf_counter()
    results = []
    for n in args.sizes:
        print(f"{n} papers", flush=True)
        results.append(pairs(n, args.large_runs if n >= 20000 else args.runs, REPO))
    base = {}
    if args.baseline:
        for n in args.baseline_sizes if args.baseline_sizes is not None else args.sizes:
            run = baseline(n, args.baseline)
            if run is not None:
                base[n] = run
                print(f"  baseline {n}: {run.wall:.1f} s", flush=True)
    edit_times = {}
    for n in args.edit_sizes:
        edit_times[n] = edits(n, REPO)
        print(f"  edits at {n}: {json.dumps({k: [round(x, 2) for x in v] for k, v in edit_times[n].items()})}",
              flush=True)
    command = "python -m bench.run " + " ".join(sys.argv[1:])
    text = report(results, edit_times, base, started, (time.perf_counter() - t0) / 60, command.strip())
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

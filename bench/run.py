"""The scale benchmarks in one command; results go to bench/RESULTS.md. Not a test.

    python -m bench.run                          # 1k, 5k, 20k papers; 3 runs (1 of the 20k whole build)
    python -m bench.run --sizes 1000 --runs 1    # a quick look

For each size: synthetic collection (bench/generate.py, reused when already there), the pipeline stages in a
child process (first run with a cold record cache, then warm runs), the whole ``site-builder build`` under
``/usr/bin/time -v`` (wall time and peak memory of the largest process, MkDocs included; the memory of all its
processes together is sampled as well), and the bare site generator
(``mkdocs build``) on the same generated pages. For the largest size also: editing one record (a fresh build and
a ``serve`` session regenerating), the explore index size and the explore page's filter interaction in Chromium.
Every measurement records the machine's load average next to it: the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import gzip
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
RESULTS = REPO / "bench" / "RESULTS.md"
STAGES = ("load", "check", "model", "render", "write")
PIPELINE = STAGES


def _env() -> dict[str, str]:
    # Children import the package from this checkout, whatever an editable install elsewhere points at.
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "0"}


def load_average() -> str:
    """The 1-minute load average, for the note next to each figure."""
    return f"{os.getloadavg()[0]:.1f}"


@dataclass
class Timed:
    """One child process: wall seconds, peak resident memory (MiB) of its largest process and of all its processes
    together, its output, load before and after."""

    wall: float
    peak_mib: float
    output: str
    load: str
    tree_peak_mib: float = float("nan")


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                parent = int(stat[stat.rindex(")") + 2:].split()[1])
                parents.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def _tree_mib(root: int) -> float:
    """The proportional set size of ``root`` and its descendants together (pages two processes share, such as a
    forked child's copy-on-write pages, counted once in all)."""
    total = 0
    for pid in _descendants(root):
        with contextlib.suppress(OSError):
            found = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.MULTILINE)
            total += int(found.group(1)) if found else 0
    return total / 1024


def run_timed(args: list[str], cwd: Path = REPO) -> Timed:
    """Run ``args`` under ``/usr/bin/time -v``, sampling the memory of all its processes together twice a second;
    fail loudly when the command fails."""
    before = load_average()
    tree_peak = 0.0
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        with subprocess.Popen(["/usr/bin/time", "-v", "-o", report.name, *args], cwd=cwd, env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
            outputs: list[str] = []

            def drain() -> None:
                outputs.extend(proc.communicate())

            reader = threading.Thread(target=drain, daemon=True)
            reader.start()
            while reader.is_alive():
                tree_peak = max(tree_peak, _tree_mib(proc.pid))
                reader.join(0.5)
        wall = time.perf_counter() - start
        usage = Path(report.name).read_text()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{outputs[0][-2000:]}{outputs[1][-4000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", usage)
    return Timed(wall, int(peak.group(1)) / 1024 if peak else float("nan"), outputs[0] + outputs[1],
                 f"{before}→{load_average()}", tree_peak)


@dataclass
class SizeResult:
    """Everything measured for one collection size."""

    papers: int
    generated: bool
    cold: dict[str, float] = field(default_factory=dict)
    warm: dict[str, float] = field(default_factory=dict)
    stage_loads: list[str] = field(default_factory=list)
    files: int = 0
    builds: list[Timed] = field(default_factory=list)
    build_stages: dict[str, float] = field(default_factory=dict)
    bare: list[Timed] = field(default_factory=list)

    @property
    def build_wall(self) -> float:
        """Median wall time of the whole build."""
        return statistics.median(t.wall for t in self.builds)

    @property
    def bare_wall(self) -> float:
        """Median wall time of the bare site generator."""
        return statistics.median(t.wall for t in self.bare)

    def pipeline(self, stages: tuple[str, ...] = PIPELINE) -> float:
        """Median warm pipeline seconds over ``stages``."""
        return sum(self.warm[s] for s in stages)


def measure_stages(root: Path, runs: int, result: SizeResult) -> None:
    """The stages in a child process: one cold run, then ``runs`` warm ones (medians kept)."""
    warm: dict[str, list[float]] = {s: [] for s in STAGES}
    for i in range(runs + 1):
        args = [sys.executable, "-m", "bench.stages", str(root)] + (["--cold"] if i == 0 else [])
        timed = run_timed(args)
        data = json.loads(timed.output.strip().splitlines()[-1])
        result.files = data["files"]
        result.stage_loads.append(timed.load)
        if i == 0:
            result.cold = data["seconds"]
        else:
            for stage, seconds in data["seconds"].items():
                warm[stage].append(seconds)
    result.warm = {s: statistics.median(v) for s, v in warm.items()}


_LAP = re.compile(r"site-builder: (load\+check|load\+check\+render|render|write): .*\((\d+\.\d+) s\)")
_SITE = re.compile(r"site-builder: site: done \((\d+\.\d+) s\)")


def measure_builds(root: Path, runs: int, result: SizeResult) -> None:
    """The whole build, then the bare site generator on the pages it generated."""
    laps: dict[str, list[float]] = {}
    for _ in range(runs):
        timed = run_timed([sys.executable, "-m", "site_builder", "build", "--root", str(root)])
        result.builds.append(timed)
        for stage, seconds in _LAP.findall(timed.output):
            laps.setdefault(stage, []).append(float(seconds))
        for seconds in _SITE.findall(timed.output):
            laps.setdefault("site", []).append(float(seconds))
    result.build_stages = {k: statistics.median(v) for k, v in laps.items()}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-bare-") as site:
            result.bare.append(run_timed([sys.executable, "-m", "mkdocs", "build", "--quiet", "--strict",
                                          "--config-file", str(root / "mkdocs.yml"), "--site-dir", site]))


def cpu_reference() -> float:
    """Seconds a fixed pure-Python loop (ten million additions) takes in a fresh interpreter: the machine is a
    shared virtual machine whose speed varies from hour to hour, so each run notes it at its start and end."""
    code = "import time\nt = time.perf_counter()\ns = 0\nfor i in range(10_000_000):\n    s += i\n" \
           "print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(out)


def machine(speed: tuple[float, float] | None = None) -> list[str]:
    """Lines describing the machine and the software measured (``speed``: :func:`cpu_reference` at the run's
    start and end)."""
    import markdown
    import material
    import mkdocs

    cpu, mem = "unknown CPU", ""
    with contextlib.suppress(OSError, AttributeError):
        cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)  # type: ignore[union-attr]
    with contextlib.suppress(OSError, AttributeError, ValueError):
        kib = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return [f"- Machine: {os.cpu_count()} × {cpu}{mem}, {platform.system()} {platform.release()} (shared with other "
            "work: the load average, 1-minute, is given next to each figure as before→after)",
            f"- Python {platform.python_version()}, MkDocs {mkdocs.__version__}, Material {material.__version__}, "
            f"Python-Markdown {markdown.__version__}"] + (
        [f"- Speed of the machine during the run: a reference loop of ten million Python additions took "
         f"{speed[0]:.2f} s at the start and {speed[1]:.2f} s at the end (a rough guide only: on a shared machine, "
         "runs at similar loop times have differed by a quarter in their site generator times, so compare ratios "
         "within a run, not times across runs)"]
        if speed else [])


def _ms(seconds: float, papers: int) -> str:
    return f"{seconds / papers * 1000:.3f}"


def report(results: list[SizeResult], extra: list[str], command: str, started: dt.datetime,
           minutes: float, speed: tuple[float, float] | None = None) -> str:
    """RESULTS.md."""
    lines = ["# Scale benchmarks", "",
             f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command}` ({minutes:.0f} minutes in all).", "",
             *machine(speed), "",
             "Synthetic collections from `bench/generate.py` (the repository's taxonomy, datasets, site settings and "
             "hand-written pages; seeded records and a Semantic Scholar snapshot with ~15 citations inside the "
             "collection per paper). Times are wall-clock seconds, medians of the warm runs unless said otherwise.",
             "", "## Pipeline stages (everything but the site generator)", "",
             "| papers | " + " | ".join(STAGES) + " | sum | ms/paper | cold-cache sum | load avg |",
             "|---:|" + "---:|" * (len(STAGES) + 4)]
    for r in results:
        cells = [f"{r.warm[s]:.2f}" for s in STAGES]
        cold = sum(r.cold[s] for s in PIPELINE)
        lines.append(f"| {r.papers:,} | " + " | ".join(cells) + f" | {r.pipeline():.2f} | "
                     f"{_ms(r.pipeline(), r.papers)} | {cold:.2f} | {', '.join(r.stage_loads)} |")
    lines += ["", "Each stage run alone, one after the other, in one process (`python -m bench.stages`): `model` "
              "includes the citation facts (read from the citation cache when warm), `render` the citation graph's "
              "page, data and GraphML download; `write` reads back only the files that the index of the last write "
              "does not vouch for. The cold-cache column is the first run after deleting the record "
              "cache, the citation cache and that index. The build itself overlaps `check` with `model` and "
              "`render` on the second core (see the next table).", "",
              "## Whole build and the bare site generator", "",
              "| papers | runs | build (s) | build ms/paper | all but the site generator (s) | its ms/paper "
              "| its share | peak memory (all processes / largest) | bare `mkdocs build` (s) | build / bare "
              "| build laps | load avg |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        rest = r.build_wall - r.build_stages.get("site", 0)
        laps = ", ".join(f"{k} {v:.1f}" for k, v in r.build_stages.items())
        peak, largest = max(t.tree_peak_mib for t in r.builds), max(t.peak_mib for t in r.builds)
        loads = ", ".join(t.load for t in r.builds + r.bare)
        lines.append(f"| {r.papers:,} | {len(r.builds)} | {r.build_wall:.1f} | {_ms(r.build_wall, r.papers)} | "
                     f"{rest:.1f} | {_ms(rest, r.papers)} | {rest / r.build_wall:.1%} | "
                     f"{peak:.0f} / {largest:.0f} MiB | "
                     f"{r.bare_wall:.1f} | {r.build_wall / r.bare_wall:.2f} | {laps} | {loads} |")
    lines += ["", "\"All but the site generator\" is the build's wall time minus its `site` lap: process start, "
              "imports, loading, checking, modelling, rendering and writing, as the build runs them. The `site` lap "
              "is MkDocs building into a temporary folder and the swap into site/; the replaced site is then deleted "
              "by a detached process, which the build does not wait for. Peak memory: the largest of the build's "
              "processes (`/usr/bin/time -v`), and all of them together (their proportional set sizes summed, sampled "
              "twice a second: the pipeline and MkDocs each share their work with a forked helper process)."]
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = (large.build_wall / large.papers) / (small.build_wall / small.papers)
        lines += ["", f"Per-paper cost of the whole build at {large.papers:,} papers is {ratio:.2f}× the cost at "
                  f"{small.papers:,}."]
    at = lines.index("") + 1 + lines[lines.index("") + 1:].index("") + 1  # after the date and machine paragraphs
    at += lines[at:].index("") + 1
    return "\n".join(lines[:at] + acceptance(results, extra) + lines[at:] + ["", *extra]) + "\n"


def _cells(extra: list[str], first: str) -> list[list[str]]:
    """Rows of the Markdown tables in ``extra`` whose first cell is ``first``."""
    rows = []
    for block in extra:
        for line in block.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.startswith("|") and cells[0] == first:
                rows.append(cells)
    return rows


def acceptance(results: list[SizeResult], extra: list[str]) -> list[str]:
    """The "done when" points of issue 7, judged from this run's figures."""
    large, small = results[-1], results[0]
    out = ["## The points of issue 7, from the figures below", ""]

    def point(ok: bool, text: str) -> None:
        out.append(f"- {'met' if ok else '**not met**'}: {text}")

    site = large.build_stages.get("site", 0)
    rest = large.build_wall - site
    share = rest / large.build_wall
    per = rest / large.papers * 1000
    point(per <= 1 and share <= 0.05, f"everything but the site generator at {large.papers:,} papers "
          f"{per:.2f} ms/paper (≤ 1) and {share:.1%} of the whole build (≤ 5%: at most "
          f"{site / 19:.1f} s beside this build's site generator; it took {rest:.1f} s); "
          f"the stages run one after the other sum to {large.pipeline() / large.papers * 1000:.2f} ms/paper; "
          f"against the bare site generator alone it is {rest / large.bare_wall:.1%}")
    peak = max(max(t.peak_mib, t.tree_peak_mib) for t in large.builds)
    ratio = (large.build_wall / large.papers) / (small.build_wall / small.papers)
    point(large.build_wall <= 240 and peak <= 1536 and ratio <= 1.5,
          f"whole build of {large.papers:,} papers {large.build_wall:.0f} s (≤ 240), peak {peak:.0f} MiB of all its "
          f"processes together (≤ 1536), "
          f"per-paper cost {ratio:.2f}× the cost at {small.papers:,} (≤ 1.5); the bare site generator alone took "
          f"{large.bare_wall:.0f} s")
    edits = _cells(extra, "summary") + _cells(extra, "title")
    # A session's cell: "median (median of n; min–max; ...)".
    session = [re.match(r"([\d.]+) \(median of \d+; [\d.]+–([\d.]+)", c[2]) for c in edits if c[1] == "serve session"]
    fresh = [float(c[2].split()[0]) for c in edits if c[1] == "fresh build process"]
    exact = all(c[5] == "yes" for c in edits)
    if session and all(session):
        medians = ", ".join(m[1] for m in session if m)
        slowest = max(float(m[2]) for m in session if m)
        point(slowest < 2 and exact, f"editing one record: a serve session's pipeline took {slowest:.2f} s at most "
              f"(< 2; medians {medians} s) and rewrote {'only' if exact else 'NOT only'} the files whose bytes "
              f"changed; a fresh build process (warm record cache) took {max(fresh):.1f} s")
    clicks = [float(c[2].split()[0]) for c in _cells(extra, "objective: contrastive") + _cells(extra, "modality: image")
              + _cells(extra, "has code") + _cells(extra, "clear all filters")]
    gz = [line for block in extra for line in block.splitlines() if "gzipped" in line]
    size = float(gz[0].split("MiB raw, ")[1].split(" MiB")[0]) if gz else float("nan")
    if clicks:
        point(size < 3 and max(clicks) < 100, f"explore at {large.papers:,} papers: index {size:.2f} MiB gzipped "
              f"(< 3), filter clicks {max(clicks):.0f} ms at most (< 100)")
    return [*out, ""]


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="collection sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="warm runs of the stages and whole builds (median)")
    parser.add_argument("--large-runs", type=int, default=1,
                        help="whole builds of the largest size when it has 10,000 papers or more (each takes minutes)")
    parser.add_argument("--no-browser", action="store_true", help="skip the explore page measurement in Chromium")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    sys.path.insert(0, str(REPO / "bench"))
    from generate import ensure

    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    speed_at_start = cpu_reference()
    results: list[SizeResult] = []
    for n in sizes:
        root, generated = ensure(n, OUT / f"kb-{n // 1000}k" if n % 1000 == 0 else OUT / f"kb-{n}")
        result = SizeResult(n, generated)
        print(f"[{n}] stages", flush=True)
        measure_stages(root, args.runs, result)
        runs = args.large_runs if n >= 10_000 else args.runs
        print(f"[{n}] whole build and bare site generator, {runs} run(s) each", flush=True)
        measure_builds(root, runs, result)
        results.append(result)
    extra: list[str] = []
    largest = OUT / (f"kb-{sizes[-1] // 1000}k" if sizes[-1] % 1000 == 0 else f"kb-{sizes[-1]}")
    print(f"[{sizes[-1]}] editing one record", flush=True)
    timed = run_timed([sys.executable, "-m", "bench.incremental", str(largest)])
    extra += [timed.output.strip(), ""]
    print(f"[{sizes[-1]}] explore", flush=True)
    extra += explore_report(largest, browser=not args.no_browser)
    speed = (speed_at_start, cpu_reference())
    minutes = (time.perf_counter() - t0) / 60
    command = "python -m bench.run " + " ".join(sys.argv[1:])
    raw = OUT / "last-run.json"  # the measurements themselves, kept even if the report below fails
    with contextlib.suppress(TypeError, ValueError, OSError):
        raw.write_text(json.dumps({"results": [dataclasses.asdict(r) for r in results], "extra": extra, "speed": speed},
                                  default=str), encoding="utf-8")
    args.output.write_text(report(results, extra, command.strip(), started, minutes, speed), encoding="utf-8")
    print(f"wrote {args.output} ({minutes:.0f} min)")


def explore_report(root: Path, browser: bool) -> list[str]:
    """The explore index (raw and gzipped) and, in Chromium, the time from a filter click to the updated table."""
    index = (root / "site" / "explore" / "papers-index.json").read_bytes()
    lines = ["## Explore page", "",
             f"Index `explore/papers-index.json`: {len(index) / 1024 / 1024:.2f} MiB raw, "
             f"{len(gzip.compress(index, 6)) / 1024 / 1024:.2f} MiB gzipped (level 6, as a web server would send it)."]
    if browser:
        timed = run_timed([sys.executable, "-m", "bench.explore_browser", str(root / "site")])
        lines += ["", timed.output.strip(), "", f"(load average {timed.load})"]
    return lines


if __name__ == "__main__":
    main()

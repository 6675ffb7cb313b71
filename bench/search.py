"""The site search at scale (design.md section 9: at most 1 MB per first query at 20k papers). Not a test.

    python -m bench.search                      # 1k, 5k and 20k papers
    python -m bench.search --sizes 1000         # a quick look

For each size: the synthetic collection of bench/generate.py is built with ``site-builder build`` (in this
process, so the build's own timings give the indexing time apart from MkDocs), then the index's size is read from
site/pagefind/. At the largest size, Chromium (Playwright, /usr/bin/chromium) loads the built site from a local
server, opens the search dialog, types the exact title of a paper and waits for that paper as the first result:
the bytes of every response from opening the dialog to the results (Pagefind's loader, wasm, metadata, filters,
index chunks and result fragments) and the time from the first key to the first result are reported.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = REPO / "bench" / "out"
UI_FILES = re.compile(r"pagefind-(component-ui|modular-ui|ui|highlight)\.(js|css)$")


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.is_file())


def build_and_measure(n: int) -> dict[str, object]:
    """Build the n-paper collection; index time (the build's ``site.search`` lap) and index size."""
    from bench.generate import ensure
    from site_builder.build.pipeline import build
    from site_builder.kb.project import Project

    kb, _ = ensure(n, OUT / f"kb-{n}")
    result = build(Project(kb), progress=lambda line: print(f"  {line}", flush=True))
    if result.failed or not result.site_built:
        raise SystemExit(f"the {n}-paper site did not build")
    files = [p for p in (kb / "site" / "pagefind").rglob("*") if p.is_file()]
    index = [p for p in files if not UI_FILES.search(p.name)]
    return {"n": n, "kb": kb, "index_s": result.timings["site.search"], "mkdocs_s": result.timings["site.mkdocs"],
            "index_bytes": _size(index), "index_files": len(index), "ui_bytes": _size(files) - _size(index)}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No request log."""


def first_query(kb: Path, pid: str) -> dict[str, object]:
    """Bytes and time of a first query for the exact title of paper ``pid`` in Chromium."""
    from playwright.sync_api import sync_playwright

    title = yaml.safe_load((kb / "papers" / f"{pid}.yaml").read_text(encoding="utf-8"))["title"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(kb / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            seen: list[tuple[str, int]] = []
            page.on("requestfinished", lambda r: seen.append((r.url, r.sizes()["responseBodySize"])))
            page.goto(base)
            page.wait_for_load_state("networkidle")
            on_load = list(seen)
            seen.clear()
            page.get_by_role("button", name="Search", exact=True).click()
            field = page.get_by_role("dialog").get_by_role("searchbox")
            start = time.perf_counter()
            field.press_sequentially(title, delay=0)
            first = page.locator("pagefind-results .pf-result-link").first
            first.wait_for(state="visible", timeout=120000)
            page.wait_for_function("t => document.querySelector('pagefind-results .pf-result-link')"
                                   "?.textContent.trim() === t", arg=title, timeout=120000)
            elapsed = time.perf_counter() - start
            page.wait_for_load_state("networkidle")
            query = list(seen)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    kinds: dict[str, int] = {}
    for u, b in query:
        kind = next((k for k in ("pf_filter", "pf_index", "pf_fragment", "pf_meta") if k in u), "loader")
        kinds[kind] = kinds.get(kind, 0) + b
    return {"title": title, "seconds": elapsed, "query_bytes": sum(b for _, b in query), "query_requests": len(query),
            "filter_bytes": kinds.get("pf_filter", 0), "kinds": kinds,
            "index_on_load": [u for u, _ in on_load if re.search(r"\.pf_|pagefind-entry|wasm\.", u)],
            "load_ui_bytes": sum(b for u, b in on_load if "/pagefind/" in u)}


def report(rows: list[dict[str, object]], query: dict[str, object] | None) -> str:
    """The figures as Markdown, for bench/RESULTS.md."""
    lines = ["## Site search (Pagefind)", "",
             "| papers | index time (s) | mkdocs time (s) | index size (MiB) | index files |",
             "|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {r['index_s']:.1f} | {r['mkdocs_s']:.1f} | "
                     f"{int(r['index_bytes']) / 2**20:.1f} | {r['index_files']:,} |")  # type: ignore[call-overload]
    if query:
        n = rows[-1]["n"]
        lines += ["", f"First query at {n:,} papers in Chromium, for the exact title \"{query['title']}\" (found "
                  f"first): {int(query['query_bytes']) / 1024:.0f} KiB in {query['query_requests']} responses, "  # type: ignore[call-overload]
                  f"filters included ({int(query['filter_bytes']) / 1024:.0f} KiB); first results "  # type: ignore[call-overload]
                  f"{float(query['seconds']):.1f} s after the first key; index files fetched on page load: "  # type: ignore[arg-type]
                  f"{len(query['index_on_load']) or 'none'}; the UI's script and stylesheet on page load "  # type: ignore[arg-type]
                  f"{int(query['load_ui_bytes']) / 1024:.0f} KiB (cached after the first page)."]  # type: ignore[call-overload]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000], help="collection sizes")
    parser.add_argument("--query-only", action="store_true",
                        help="no build: only the first query, on the largest size's site built earlier")
    parser.add_argument("--paper", default=None, help="the paper whose title the first query types (p001234)")
    args = parser.parse_args()
    rows = []
    if args.query_only:
        n = args.sizes[-1]
        query = first_query(OUT / f"kb-{n}", args.paper or f"p{min(1234, n - 1):06d}")
        print(query)
        return
    for n in args.sizes:
        print(f"{n} papers", flush=True)
        rows.append(build_and_measure(n))
    largest = int(rows[-1]["n"]) if rows else 0  # type: ignore[call-overload]
    pid = args.paper or f"p{min(1234, largest - 1):06d}"
    query = first_query(rows[-1]["kb"], pid) if rows else None  # type: ignore[arg-type]
    print(report(rows, query))


if __name__ == "__main__":
    main()

"""The explore page in Chromium: time from a filter interaction to the updated, painted table. Not a test.

    python -m bench.explore_browser bench/out/kb-20k/site [--repeat 5]

Serves the built site on 127.0.0.1 (every other request is refused), opens the explore page in Debian's Chromium
through Playwright, and measures inside the page: a capturing listener notes the time of each click (or text
input), and after the page's own handler has updated the table it waits for the next frame to be painted
(requestAnimationFrame, then a task). Prints Markdown.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Page, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
#: Installed before the page's scripts: records click/input-to-paint times in window.__sbTimes.
PROBE = """
window.__sbTimes = [];
function sbAfterPaint(start) {
  requestAnimationFrame(function () {
    setTimeout(function () { window.__sbTimes.push(performance.now() - start); }, 0);
  });
}
document.addEventListener("click", function () { sbAfterPaint(performance.now()); }, true);
document.addEventListener("input", function (event) {
  if (event.target && event.target.id === "sb-q") {
    var start = performance.now();
    var status = document.querySelector(".sb-status");
    var before = status ? status.textContent : "";
    var wait = function () {
      if (status && status.textContent !== before) { sbAfterPaint(start); } else { setTimeout(wait, 1); }
    };
    setTimeout(wait, 1);
  }
}, true);
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """A static file server for ``root`` on 127.0.0.1; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _times(page: Page, count: int) -> list[float]:
    page.wait_for_function(f"window.__sbTimes.length >= {count}")
    return [float(t) for t in page.evaluate("window.__sbTimes.splice(0)")]


def measure(site: Path, repeat: int) -> list[str]:
    """Markdown lines with the timings."""
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def guard(route: Route) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", guard)
        context.add_init_script(PROBE)
        page = context.new_page()
        page.goto(f"{base}explore/")
        page.wait_for_selector("#sb-explore[data-state=ready]", state="attached", timeout=120_000)
        ready = page.evaluate("performance.now()")
        papers = page.locator(".sb-status").text_content()
        interactions: dict[str, list[float]] = {}
        boxes = {"objective: contrastive": "#sb-f-objective-contrastive", "modality: image": "#sb-f-modality-image",
                 "has code": "#sb-code"}
        for _ in range(repeat):
            for name, selector in boxes.items():  # check, then uncheck: two interactions each
                page.locator(selector).click()
                page.locator(selector).click()
                interactions.setdefault(name, []).extend(_times(page, 2))
            page.get_by_role("button", name="Clear all filters").click()
            interactions.setdefault("clear all filters", []).extend(_times(page, 1))
            page.locator("#sb-q").fill("contrastive")
            interactions.setdefault("text filter (includes the 120 ms typing pause)", []).extend(_times(page, 1))
            page.locator("#sb-q").fill("")
            _times(page, 1)
        browser.close()
    lines = [f"Chromium ({CHROMIUM}, headless, 1280×900): the explore page was ready {ready / 1000:.1f} s after "
             f"navigation started (fetch, parse and first render of the index; status: {papers}).", "",
             "| interaction | median (ms) | max (ms) | n |", "|---|---:|---:|---:|"]
    for name, values in interactions.items():
        lines.append(f"| {name} | {statistics.median(values):.0f} | {max(values):.0f} | {len(values)} |")
    return lines


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built site folder (site/)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of interactions (default 5)")
    args = parser.parse_args()
    print("\n".join(measure(args.site, args.repeat)))


if __name__ == "__main__":
    main()

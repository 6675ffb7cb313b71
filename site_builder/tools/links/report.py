"""A link report as text, one JSON document, or Markdown (the body of the weekly link-check issue)."""

from __future__ import annotations

import datetime as dt
import json

from site_builder.kb.report import plural
from site_builder.tools.links import LinkFormat
from site_builder.tools.links.collect import LinkRef
from site_builder.tools.links.run import LinkReport, LinkResult


def summary(report: LinkReport) -> str:
    """``312 links: 305 alive, 2 dead, 5 unknown``."""
    n = len(report.results)
    return (f"{n} link{'' if n == 1 else 's'}: {report.count('alive')} alive, {report.count('dead')} dead, "
            f"{report.count('unknown')} unknown")


def _text(report: LinkReport) -> str:
    lines = [f"{ref.location()}: {r.state} {r.url} ({ref.field}): {r.detail}"
             for r in report.results if r.state != "alive" for ref in r.refs]
    lines.sort(key=lambda line: (not line.split(": ", 2)[1].startswith("dead"), line))
    lines += [f"{path}: not checked: the record could not be read (run `site-builder validate`)"
              for path in report.unreadable]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _json(report: LinkReport, today: dt.date) -> str:
    doc = {
        "version": 1, "date": today.isoformat(), "links": len(report.results),
        "alive": report.count("alive"), "dead": report.count("dead"), "unknown": report.count("unknown"),
        "unreadable": report.unreadable,
        "results": [{"url": r.url, "state": r.state, "detail": r.detail,
                     "refs": [{"path": f.path, "line": f.line, "col": f.col, "field": f.field} for f in r.refs]}
                    for r in report.results],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipes, no line breaks, no active markup."""
    out = " ".join(text.split())
    for char in "\\`*_[]<>|":
        out = out.replace(char, "\\" + char)
    return out


def _where(ref: LinkRef) -> str:
    line = f":{ref.line}" if ref.line is not None else ""
    return f"`{ref.path}{line}`"


def _table(results: list[LinkResult]) -> list[str]:
    rows = ["| Record | Field | Link | Result |", "|---|---|---|---|"]
    for r in results:
        for ref in r.refs:
            rows.append(f"| {_where(ref)} | {_cell(ref.field)} | {_cell(r.url)} | {_cell(r.detail)} |")
    return rows


def _markdown(report: LinkReport, today: dt.date) -> str:
    dead = [r for r in report.results if r.state == "dead"]
    unknown = [r for r in report.results if r.state == "unknown"]
    lines = [f"Link check of {today.isoformat()}: {summary(report)}.", ""]
    if dead:
        lines += ["## Dead links", "",
                  "These answered 404 or 410 (confirmed with GET). Fix or remove them in the records below.", ""]
        lines += [*_table(dead), ""]
    else:
        lines += ["No dead links.", ""]
    if unknown:
        lines += ["<details>", f"<summary>{plural(len(unknown), 'link')} could not be checked (rate limits, server "
                  "errors, timeouts, refusals): not dead, they are checked again next week</summary>", ""]
        lines += [*_table(unknown), "", "</details>", ""]
    if report.unreadable:
        lines += ["Records not checked because they could not be read: "
                  + ", ".join(f"`{p}`" for p in report.unreadable) + ".", ""]
    lines.append("_Written by `site-builder check-links --format markdown`; it reports and never edits records._")
    return "\n".join(lines) + "\n"


def render_links(report: LinkReport, fmt: LinkFormat, today: dt.date) -> str:
    """The whole report in ``fmt`` (ends with a newline)."""
    if fmt == "json":
        return _json(report, today)
    if fmt == "markdown":
        return _markdown(report, today)
    return _text(report)

"""The ``site-builder`` argument parser: commands, options, their help, and the types that check option values.

Kept apart from :mod:`site_builder.cli.commands`, which runs the commands: docs/cli.md is tested against this parser.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from site_builder import __version__
from site_builder.kb.report import FORMATS
from site_builder.tools.links import LINK_FORMATS


def _output_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=0, default=1,
                       help="print only results and errors: no progress, no notes on standard error")
    group.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=2,
                       help="also show progress when standard error is not a terminal (logs, CI)")
    return parent


def _root_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--root", type=Path, default=None, metavar="DIR",
                        help="knowledge-base root (default: the nearest folder upwards holding taxonomy.yaml)")
    return parent


def _report_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--strict", action="store_true", help="treat warnings as errors (what CI uses)")
    parent.add_argument("--format", choices=FORMATS, default=None,
                        help="report format: text (path:line:col: severity [code] message), json (one document), "
                             "github (workflow annotations; the default when GITHUB_ACTIONS=true)")
    return parent


def _comma_list(what: str) -> Callable[[str], list[str]]:
    """An argparse type: a non-empty comma-separated list of ``what``."""

    def parse(text: str) -> list[str]:
        items = [c.strip() for c in text.split(",") if c.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {what}")
        return items

    return parse


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, not {value}")
    return value


N = TypeVar("N", int, float)


def _bounded(convert: Callable[[str], N], most: N, unit: str) -> Callable[[str], N]:
    """An argparse type: a finite number above zero and at most ``most``."""

    def parse(text: str) -> N:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or not 0 < value <= most:
            raise argparse.ArgumentTypeError(f"expected more than 0 and at most {most:g} {unit}, not {text!r}")
        return value

    return parse


def _address(text: str) -> str:
    """An argparse type: ``HOST:PORT`` with a port from 1 to 65535."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT with a port from 1 to 65535, not {text!r}")
    return text


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by the docs test that checks every option is documented)."""
    parser = argparse.ArgumentParser(
        prog="site-builder",
        description="Curated knowledge base of self-supervised multimodal learning: validate records, build the site.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    out = _output_options()
    root, report = _root_options(), _report_options()

    p = sub.add_parser("validate", parents=[out, root, report], help="check records and print every problem",
                       description="Check the taxonomy, every paper and dataset record, and the cross-record rules. "
                                   "Every problem is collected before the command fails. With PATHs, only problems "
                                   "of those files (and clashes involving them) are reported.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="record files or folders to report on")
    p.add_argument("--checks", type=_comma_list("check codes"), default=None, metavar="CODE,...",
                   help="run only these named checks (schema and YAML problems are always reported)")
    p.add_argument("--list-checks", action="store_true", help="list the named checks and exit")
    p.add_argument("--changed", action="store_true",
                   help="report only on records changed against a git base (committed, staged, unstaged and "
                        "untracked changes; still checked against every other record); what pull-request CI runs")
    p.add_argument("--base", default=None, metavar="REF",
                   help="git ref --changed compares with (default: origin/$GITHUB_BASE_REF under GitHub Actions, "
                        "else the first of origin/main, main, origin/master, master that exists)")

    p = sub.add_parser("stats", parents=[out, root], help="count papers per taxonomy node, year and code availability",
                       description="Print how many papers each taxonomy node holds (descendants included), papers "
                                   "per year and kind, and how many have (official) code.")
    p.add_argument("--format", choices=("text", "json"), default="text", help="text tables or one JSON document")

    p = sub.add_parser("enrich", parents=[out, root, report], help="fetch Semantic Scholar data into the snapshot",
                       description="Resolve paper records on Semantic Scholar (arXiv id or DOI through the batch "
                                   "endpoint, title and year match as the fallback), fetch their metadata and "
                                   "references, and write data/semantic-scholar/<id>.json, one file at a time. "
                                   "Records whose snapshot is present and whose ids, title and year are unchanged "
                                   "send no request. Environment: S2_API_KEY (sent as x-api-key, never printed), "
                                   "S2_API_URL, S2_MIN_INTERVAL (seconds between calls; default 1.05 with a key, "
                                   "3 without), S2_TIMEOUT, S2_MAX_TRIES, SITE_BUILDER_TODAY (the date stored).")
    p.add_argument("--only", type=_comma_list("record ids"), default=None, metavar="ID,...",
                   help="enrich only these paper records (ids as in papers/<id>.yaml)")
    p.add_argument("--refresh", action="store_true",
                   help="fetch again even records whose snapshot is up to date (new citation counts)")
    p.add_argument("--limit", type=_count, default=None, metavar="N",
                   help="fetch at most N records this run (in id order); the rest wait for the next run")

    from site_builder.tools.export import EXPORTERS

    p = sub.add_parser("export", parents=[out, root], help="write the collection in a download format",
                       description="Export the collection. bib: every paper as BibTeX; csv: one row per paper "
                                   "(both the same bytes as the site's downloads/papers.bib and papers.csv). "
                                   "graphml: the citation graph inside the collection (an edge A -> B when B is in "
                                   "A's references), readable by networkx, Gephi or Cytoscape; json: the same graph "
                                   "as node-link JSON (the graph formats need the Semantic Scholar snapshot: "
                                   "site-builder enrich).")
    p.add_argument("--format", required=True, choices=sorted(EXPORTERS), help="the export format (see above)")
    p.add_argument("--output", type=Path, default=None, metavar="PATH",
                   help="write to PATH (atomically, only when the content changed) instead of standard output")

    p = sub.add_parser("build", parents=[out, root, report], help="build the whole site into site/",
                       description="Check every record (any error stops the build before anything is written), "
                                   "write the generated pages under docs/ (only files whose content changed; stale "
                                   "ones removed), then run 'mkdocs build --strict' into a temporary folder that "
                                   "replaces site/ only when it succeeds. Works offline.")
    p.add_argument("--pages-only", action="store_true",
                   help="stop after writing the generated pages under docs/ (e.g. to run 'zensical build' next)")

    p = sub.add_parser("serve", parents=[out, root], help="preview the site, regenerating pages when records change",
                       description="Generate the pages, then serve the site with 'mkdocs serve' (live reload). "
                                   "Changes to papers/, datasets/, taxonomy.yaml, data/cited-by-survey.yaml or "
                                   "the snapshot data/semantic-scholar/ regenerate the affected pages; problems are "
                                   "printed and the old pages kept.")
    p.add_argument("--dev-addr", type=_address, default=None, metavar="HOST:PORT",
                   help="address to serve on (default: mkdocs' own, 127.0.0.1:8000); checked to be free before "
                        "the first build")

    p = sub.add_parser("add", parents=[out, root], help="scaffold new paper records from an arXiv id, a DOI or BibTeX",
                       description="Write papers/<id>.yaml for each new paper with every fact the source gives; "
                                   "taxonomy tags and the summary are left for you, with comments listing the "
                                   "allowed values. Never overwrites a record and refuses likely duplicates (same "
                                   "arXiv id, DOI or nearly the same title), naming the record already there. "
                                   "Identifiers are looked up on Semantic Scholar (S2_API_URL, S2_API_KEY); "
                                   "BibTeX works offline.")
    p.add_argument("source", nargs="?", default=None, metavar="ARXIV:<id>|DOI:<doi>",
                   help="look the paper up on Semantic Scholar by arXiv id or DOI")
    p.add_argument("--bibtex", type=Path, default=None, metavar="FILE",
                   help="read every entry of a BibTeX file instead (offline); malformed entries are reported "
                        "with their line and the others imported")
    p.add_argument("--dry-run", action="store_true", help="print the records that would be written; write nothing")

    p = sub.add_parser("check-links", parents=[out, root], help="check every paper, code, project and dataset link",
                       description="Probe each distinct link once (HEAD, GET when HEAD is refused; redirects "
                                   "followed; bounded retries honouring Retry-After; per-host pacing, slower for "
                                   "arXiv and GitHub). Only 404 and 410 count as dead; rate limits, server errors, "
                                   "timeouts and refusals are reported as unknown. Reports only, never edits "
                                   "records. Exit status 1 only when a link is dead.")
    p.add_argument("--format", choices=LINK_FORMATS, default="text",
                   help="text (one line per dead or unknown link, then counts), json (every link), markdown "
                        "(dead links as a table, unknown ones folded: the body of the link-check issue)")
    p.add_argument("--concurrency", type=_bounded(int, 64, "links"), default=8, metavar="N",
                   help="links checked at the same time (default 8, at most 64; one host is still paced)")
    p.add_argument("--timeout", type=_bounded(float, 600.0, "seconds"), default=15.0, metavar="S",
                   help="seconds to wait for a server to connect or answer (default 15, at most 600); a timeout "
                        "is unknown")
    for command_parser in sub.choices.values():  # so that errors found after parsing show the command's usage
        command_parser.set_defaults(command_parser=command_parser)
    return parser


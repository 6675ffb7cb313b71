"""The ``site-builder`` command line: parse options, call one library function, print, map errors to exit codes.

Exit status: 0 success, 1 problems found or the command failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from site_builder import __version__
from site_builder.links import LINK_FORMATS
from site_builder.problems import SiteBuilderError, UsageError
from site_builder.report import FORMATS, default_format, render

Handler = Callable[[argparse.Namespace], int]


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


def _codes(text: str) -> list[str]:
    codes = [c.strip() for c in text.split(",") if c.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("expected a comma-separated list of check codes")
    return codes


def cmd_validate(args: argparse.Namespace) -> int:
    """Run ``validate``."""
    from site_builder.checks.registry import REGISTRY
    from site_builder.project import open_project
    from site_builder.validate import validate, validate_changed

    if args.list_checks:
        width = max(len(c) for c in REGISTRY)
        for chk in REGISTRY.values():
            print(f"{chk.code:<{width}}  {chk.severity:<7}  {chk.description}")
        return 0
    project = open_project(args.root)
    if args.changed:
        if args.paths:
            raise UsageError("give either --changed or PATHs, not both")
        result = validate_changed(project, args.base, args.checks, args.strict)
    elif args.base is not None:
        raise UsageError("--base only makes sense with --changed")
    else:
        result = validate(project, args.paths, args.checks, args.strict)
    sys.stdout.write(render(result.problems, args.format or default_format(), result.checked))
    return 1 if result.failed else 0


def cmd_add(args: argparse.Namespace) -> int:
    """Run ``add``."""
    from site_builder.clock import today
    from site_builder.project import open_project
    from site_builder.scaffold.add import add_records, format_result
    from site_builder.scaffold.online import default_resolver

    result = add_records(open_project(args.root), identifier=args.source, bibtex=args.bibtex,
                         resolver=default_resolver, dry_run=args.dry_run, today=today())
    sys.stdout.write(format_result(result))
    return 1 if result.failed else 0


N = TypeVar("N", int, float)


def _positive(convert: Callable[[str], N]) -> Callable[[str], N]:
    """An argparse type: a number above zero."""

    def parse(text: str) -> N:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError("must be more than 0")
        return value

    return parse


def cmd_check_links(args: argparse.Namespace) -> int:
    """Run ``check-links``."""
    from site_builder.clock import today
    from site_builder.links.probe import ProbeSettings
    from site_builder.links.report import render_links
    from site_builder.links.run import check_links
    from site_builder.project import open_project

    report = check_links(open_project(args.root), concurrency=args.concurrency,
                         settings=ProbeSettings(timeout=args.timeout))
    sys.stdout.write(render_links(report, args.format, today()))
    return 1 if report.dead else 0


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by the docs test that checks every option is documented)."""
    parser = argparse.ArgumentParser(
        prog="site-builder",
        description="Curated knowledge base of self-supervised multimodal learning: validate records, build the site.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    root, report = _root_options(), _report_options()

    p = sub.add_parser("validate", parents=[root, report], help="check records and print every problem",
                       description="Check the taxonomy, every paper and dataset record, and the cross-record rules. "
                                   "Every problem is collected before the command fails. With PATHs, only problems "
                                   "of those files (and clashes involving them) are reported.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="record files or folders to report on")
    p.add_argument("--checks", type=_codes, default=None, metavar="CODE,...",
                   help="run only these named checks (schema and YAML problems are always reported)")
    p.add_argument("--list-checks", action="store_true", help="list the named checks and exit")
    p.add_argument("--changed", action="store_true",
                   help="report only on records changed against a git base (committed, staged, unstaged and "
                        "untracked changes; still checked against every other record); what pull-request CI runs")
    p.add_argument("--base", default=None, metavar="REF",
                   help="git ref --changed compares with (default: origin/$GITHUB_BASE_REF under GitHub Actions, "
                        "else the first of origin/main, main, origin/master, master that exists)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("add", parents=[root], help="scaffold new paper records from an arXiv id, a DOI or BibTeX",
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
    p.set_defaults(handler=cmd_add)

    p = sub.add_parser("check-links", parents=[root], help="check every paper, code, project and dataset link",
                       description="Probe each distinct link once (HEAD, GET when HEAD is refused; redirects "
                                   "followed; bounded retries honouring Retry-After; per-host pacing, slower for "
                                   "arXiv and GitHub). Only 404 and 410 count as dead; rate limits, server errors, "
                                   "timeouts and refusals are reported as unknown. Reports only, never edits "
                                   "records. Exit status 1 only when a link is dead.")
    p.add_argument("--format", choices=LINK_FORMATS, default="text",
                   help="text (one line per dead or unknown link, then counts), json (every link), markdown "
                        "(dead links as a table, unknown ones folded: the body of the link-check issue)")
    p.add_argument("--concurrency", type=_positive(int), default=8, metavar="N",
                   help="links checked at the same time (default 8; one host is still paced)")
    p.add_argument("--timeout", type=_positive(float), default=15.0, metavar="S",
                   help="seconds to wait for a server to connect or answer (default 15); a timeout is unknown")
    p.set_defaults(handler=cmd_check_links)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except UsageError as exc:
        print(f"site-builder: error: {exc}", file=sys.stderr)
        return 2
    except SiteBuilderError as exc:
        for problem in exc.problems:
            print(problem.as_text(), file=sys.stderr)
        print(f"site-builder: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("site-builder: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug, not bad input: say so without a wall of traceback unless asked
        if os.environ.get("SITE_BUILDER_DEBUG"):
            raise
        print(f"site-builder: internal error: {type(exc).__name__}: {exc} "
              "(please report it; set SITE_BUILDER_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 3

"""The ``site-builder`` command line: parse options, call one library function, print, map errors to exit codes.

Exit status: 0 success, 1 problems found or the command failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from site_builder import __version__
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
    from site_builder.validate import validate

    if args.list_checks:
        width = max(len(c) for c in REGISTRY)
        for chk in REGISTRY.values():
            print(f"{chk.code:<{width}}  {chk.severity:<7}  {chk.description}")
        return 0
    project = open_project(args.root)
    result = validate(project, args.paths, args.checks, args.strict)
    sys.stdout.write(render(result.problems, args.format or default_format(), result.checked))
    return 1 if result.failed else 0


def _progress(message: str) -> None:
    print(f"site-builder: {message}", file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    """Run ``build``."""
    from site_builder.build import build
    from site_builder.project import open_project

    result = build(open_project(args.root), strict=args.strict, site=not args.pages_only, progress=_progress)
    fmt = args.format or default_format()
    if result.problems or fmt == "json":
        sys.stdout.write(render(result.problems, fmt, result.checked))
    print(result.summary(), file=sys.stderr if fmt == "json" else sys.stdout)  # stdout stays one JSON document
    return 1 if result.failed else 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run ``serve``."""
    from site_builder.project import open_project
    from site_builder.serve import serve

    serve(open_project(args.root), args.dev_addr, args.dirty, progress=_progress)
    return 0


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
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("build", parents=[root, report], help="build the whole site into site/",
                       description="Check every record (any error stops the build before anything is written), "
                                   "write the generated pages under docs/ (only files whose content changed; stale "
                                   "ones removed), then run 'mkdocs build --strict' into a temporary folder that "
                                   "replaces site/ only when it succeeds. Works offline.")
    p.add_argument("--pages-only", action="store_true",
                   help="stop after writing the generated pages under docs/ (e.g. to run 'zensical build' next)")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("serve", parents=[root], help="preview the site, regenerating pages when records change",
                       description="Generate the pages, then serve the site with 'mkdocs serve' (live reload). "
                                   "Changes to papers/, datasets/, taxonomy.yaml or data/cited-by-survey.yaml "
                                   "regenerate the affected pages; problems are printed and the old pages kept.")
    p.add_argument("--dev-addr", default=None, metavar="HOST:PORT",
                   help="address to serve on (default: mkdocs' own, 127.0.0.1:8000)")
    p.add_argument("--dirty", action="store_true",
                   help="after a change, let mkdocs rebuild only the pages whose files changed (faster on large "
                        "collections; the navigation of unchanged pages is not refreshed)")
    p.set_defaults(handler=cmd_serve)
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

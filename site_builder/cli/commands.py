"""The ``site-builder`` command line: parse options, call one library function, print, map errors to exit codes.

Exit status: 0 success, 1 problems found or the command failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from site_builder.cli.parser import build_parser
from site_builder.kb.problems import SiteBuilderError, UsageError, has_errors
from site_builder.kb.report import default_format, render

Handler = Callable[[argparse.Namespace], int]


def cmd_validate(args: argparse.Namespace) -> int:
    """Run ``validate``."""
    from site_builder.checks.registry import REGISTRY
    from site_builder.checks.validate import validate, validate_changed
    from site_builder.kb.project import open_project

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


def cmd_stats(args: argparse.Namespace) -> int:
    """Run ``stats``."""
    from site_builder.kb.project import open_project
    from site_builder.kb.records import require_knowledge_base
    from site_builder.tools.stats import compute_stats, format_json, format_text

    kb = require_knowledge_base(open_project(args.root))
    if kb.broken and args.verbosity:
        files = ("1 record file has problems and is" if len(kb.broken) == 1
                 else f"{len(kb.broken)} record files have problems and are")
        print(f"note: {files} not counted; run validate",
              file=sys.stderr)
    stats = compute_stats([e.record for e in kb.paper_entries], kb.taxonomy)
    sys.stdout.write(format_json(stats) if args.format == "json" else format_text(stats))
    return 0


def cmd_enrich(args: argparse.Namespace) -> int:
    """Run ``enrich``: progress on stderr, the problems and a summary on stdout."""
    from site_builder.citations.enrich import EnrichOptions, enrich
    from site_builder.cli.progress import ProgressBar, shows_progress
    from site_builder.kb.project import open_project

    project = open_project(args.root)
    bar = ProgressBar(sys.stderr) if shows_progress(sys.stderr, args.verbosity) else None
    try:
        result = enrich(project, EnrichOptions(tuple(args.only or ()), args.refresh, args.limit), progress=bar)
    finally:
        if bar is not None:
            bar.close()
    problems = [p.promoted() for p in result.problems] if args.strict else result.problems
    sys.stdout.write(render(problems, args.format or default_format(), result.stats.describe()))
    return 1 if has_errors(problems) else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Run ``export``: the file's text on stdout, or a one-line summary when written to ``--output``."""
    from site_builder.kb.project import open_project
    from site_builder.tools.export import export

    project = open_project(args.root)
    result = export(project, args.format, args.output)
    if args.output is None:
        sys.stdout.write(result.text)
    else:
        print(f"{args.output}: {result.summary}")
    return 0


def _progress(message: str) -> None:
    print(f"site-builder: {message}", file=sys.stderr, flush=True)


def _quiet(message: str) -> None:
    """The stage messages of ``-q``: none."""


def _stages(args: argparse.Namespace) -> Callable[[str], None]:
    return _progress if args.verbosity else _quiet


def _counter(args: argparse.Namespace, label: str) -> tuple[Callable[[int, int, str], None] | None,
                                                             Callable[[], None]]:
    """A progress counter for ``label`` when one should show, and what ends it."""
    from site_builder.cli.progress import Counter, shows_progress

    if not shows_progress(sys.stderr, args.verbosity):
        return None, lambda: None
    shown: list[Counter] = []

    def show(done: int, total: int, current: str) -> None:
        if not shown:
            shown.append(Counter(sys.stderr, label, total))
        shown[0](done, current)

    return show, lambda: shown[0].close() if shown else None


def cmd_build(args: argparse.Namespace) -> int:
    """Run ``build``."""
    from site_builder.build.pipeline import build
    from site_builder.kb.project import open_project

    result = build(open_project(args.root), strict=args.strict, site=not args.pages_only, progress=_stages(args))
    fmt = args.format or default_format()
    if result.problems or fmt == "json":
        sys.stdout.write(render(result.problems, fmt, result.checked))
    print(result.summary(), file=sys.stderr if fmt == "json" else sys.stdout)  # stdout stays one JSON document
    return 1 if result.failed else 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run ``serve``."""
    from site_builder.build.serve import serve
    from site_builder.kb.project import open_project

    serve(open_project(args.root), args.dev_addr, progress=_stages(args))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Run ``add``."""
    from site_builder.kb.dates import today
    from site_builder.kb.project import open_project
    from site_builder.tools.add.add import add_records, format_result
    from site_builder.tools.add.online import default_resolver

    show, close = _counter(args, "add")
    try:
        result = add_records(open_project(args.root), identifier=args.source, bibtex=args.bibtex,
                             resolver=default_resolver, dry_run=args.dry_run, today=today(), progress=show)
    finally:
        close()
    sys.stdout.write(format_result(result))
    return 1 if result.failed else 0


def cmd_check_links(args: argparse.Namespace) -> int:
    """Run ``check-links``."""
    from site_builder.kb.dates import today
    from site_builder.kb.project import open_project
    from site_builder.tools.links.probe import ProbeSettings
    from site_builder.tools.links.report import render_links
    from site_builder.tools.links.run import check_links

    show, close = _counter(args, "check-links")
    try:
        report = check_links(open_project(args.root), concurrency=args.concurrency,
                             settings=ProbeSettings(timeout=args.timeout), progress=show)
    finally:
        close()
    sys.stdout.write(render_links(report, args.format, today()))
    return 1 if report.dead else 0


#: The command names of :func:`~site_builder.cli.parser.build_parser` and what runs them.
HANDLERS: dict[str, Handler] = {
    "validate": cmd_validate, "stats": cmd_stats, "enrich": cmd_enrich, "export": cmd_export, "build": cmd_build,
    "serve": cmd_serve, "add": cmd_add, "check-links": cmd_check_links,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # argparse would print the top-level usage; the command's own usage says what it accepts
        args.command_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler: Handler = HANDLERS[args.command]
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
    except OSError as exc:  # the environment, not the input: a read-only folder, a full disk, a vanished file
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"site-builder: error: {where}{exc.strerror or exc} (nothing was left half-written)", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not bad input: say so without a wall of traceback unless asked
        if os.environ.get("SITE_BUILDER_DEBUG"):
            raise
        print(f"site-builder: internal error: {type(exc).__name__}: {exc} "
              "(please report it; set SITE_BUILDER_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 3

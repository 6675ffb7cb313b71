"""The *Suggest a paper* issue form -> a new record, checked, ready for a pull request (or the problems to comment).

The workflow ``.github/workflows/suggest-paper.yml`` runs ``python -m site_builder.tools.issue_form --event
"$GITHUB_EVENT_PATH" --out DIR``: the issue's body is read from the event's JSON file, never from a command line.
The steps:

1. :func:`parse_body`: the body as GitHub renders a form (``### Field label``, a blank line, the value) -> a
   :class:`Suggestion`, or problems naming the field. Nothing in the body is trusted: sizes are capped, text that
   YAML cannot hold is refused, tags must be node ids of taxonomy.yaml, the identifier must be an arXiv id or a DOI.
2. :func:`add_records` (what ``site-builder add`` runs): the identifier is looked up on Semantic Scholar, or the
   BibTeX entry (exactly one) is read offline; the new record is written to ``papers/``.
3. :func:`fill_record`: the form's tags, short name and summary are written into that record (the scaffold's
   help comments go).
4. :func:`validate` in strict mode, as the pull request's checks will run it.

``DIR`` then holds ``papers/<id>.yaml`` and ``pr-body.md`` when the record is ready, or ``comment.md`` (the
problems, with file and line) when it is not; ``status=ready|problems`` and ``record=`` go to ``$GITHUB_OUTPUT``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from site_builder.checks.validate import validate
from site_builder.kb.problems import Problem, SiteBuilderError, UsageError
from site_builder.kb.project import Project, open_project
from site_builder.kb.taxonomy import Taxonomy, load_taxonomy
from site_builder.tools.add.add import Created, add_records
from site_builder.tools.add.bibtex import parse_bibtex
from site_builder.tools.add.online import Resolver, default_resolver, parse_identifier
from site_builder.tools.add.render import scalar

#: The label the form sets and the workflow selects issues by.
LABEL = "paper-suggestion"
#: Where problems about the form itself point (it is not a file of the repository).
FORM = "issue form"
#: GitHub caps an issue body at 65,536 characters; anything far larger is not a form GitHub rendered.
MAX_BODY_CHARS = 131_072
MAX_IDENTIFIER_CHARS = 300
MAX_BIBTEX_CHARS = 65_536
MAX_SHORT_NAME_CHARS = 40
MAX_SUMMARY_CHARS = 2000
#: The facets the form asks for, in its order (taxonomy.yaml's facet ids; ``challenge`` is left to curators).
FACETS = ("objective", "architecture", "alignment", "application", "modality")

#: Field id -> the label the form shows, which is the heading GitHub writes into the body.
LABELS: dict[str, str] = {
    "identifier": "arXiv id or DOI",
    "bibtex": "BibTeX entry",
    "objective": "Objective",
    "architecture": "Architecture",
    "alignment": "Pair-free alignment",
    "application": "Application",
    "modality": "Modality",
    "short_name": "Short name",
    "summary": "Summary",
}
_BY_LABEL = {label.casefold(): fid for fid, label in LABELS.items()}
_NO_RESPONSE = {"", "_no response_", "none"}
_HEADING = re.compile(r"^### (.+?)\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
#: What a YAML file may hold (PyYAML's reader refuses the rest), tab and line breaks aside.
_UNPRINTABLE = re.compile("[^\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ARXIV_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$", re.IGNORECASE)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(.+)$", re.IGNORECASE)
_ARXIV_BARE = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?$", re.IGNORECASE)


@dataclass
class Suggestion:
    """The form's values, checked: exactly one of ``identifier`` (``ARXIV:``/``DOI:``) and ``bibtex``."""

    identifier: str | None = None
    bibtex: str | None = None
    tags: dict[str, list[str]] = field(default_factory=dict)
    short_name: str | None = None
    summary: str = ""


@dataclass
class Outcome:
    """What :func:`run` did: the record made (if any), the problems, the texts for the pull request or comment."""

    record: Created | None
    problems: list[Problem]
    pr_body: str = ""
    comment: str = ""

    @property
    def ready(self) -> bool:
        """True when a record was made and passes strict validation."""
        return self.record is not None and not any(p.severity == "error" for p in self.problems)


def _problem(code: str, message: str) -> Problem:
    return Problem(FORM, None, None, "error", code, message)


def split_sections(body: str) -> tuple[dict[str, str], list[Problem]]:
    """``### Label`` sections of a rendered form -> {field id: raw value}; sections whose heading is none of
    :data:`LABELS` (the form's checklist) are skipped. Inside the BibTeX field's code fence a heading line is part
    of the entry; anywhere else it starts a section (a second heading of the same field is a problem)."""
    values: dict[str, list[str]] = {}
    problems: list[Problem] = []
    current: list[str] | None = None
    section = ""
    fence: str | None = None
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if fence is None and (m := _HEADING.match(line)):
            section = fid = _BY_LABEL.get(m.group(1).casefold(), "")
            current = None
            if not fid:  # a section the workflow does not read (the form's checklist)
                continue
            if fid in values:
                problems.append(_problem("form-field-twice", f"the field '{LABELS[fid]}' appears twice; "
                                                             "edit the issue so that it appears once"))
                section = ""
                continue
            current = values[fid] = []
            continue
        opened = _FENCE.match(line) if section == "bibtex" else None
        if opened:
            marker = opened.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):].strip():
                fence = None
        if current is not None:
            current.append(line)
    return {fid: "\n".join(lines).strip() for fid, lines in values.items()}, problems


def _unfenced(text: str) -> str:
    """The value of a ``render:`` textarea, which GitHub wraps in a code fence, without the fence."""
    lines = text.strip().split("\n")
    if len(lines) >= 2 and _FENCE.match(lines[0]) and _FENCE.match(lines[-1]):
        return "\n".join(lines[1:-1]).strip()
    return text.strip()


def _empty(value: str | None) -> bool:
    return value is None or value.strip().casefold() in _NO_RESPONSE


def _printable(fid: str, value: str, problems: list[Problem]) -> bool:
    bad = _UNPRINTABLE.search(value.replace("\t", " ").replace("\n", " "))
    if bad:
        problems.append(_problem("form-bad-character", f"'{LABELS[fid]}' contains the character "
                                                       f"U+{ord(bad.group()):04X}, which a record cannot hold"))
    return bad is None


def normalise_identifier(text: str) -> str:
    """``2305.05665v2``, ``arXiv:2305.05665``, an arXiv or doi.org link, ``10.1109/...`` -> ``ARXIV:``/``DOI:``
    form (a usage error when it is neither)."""
    value = text.strip()
    if m := _ARXIV_URL.match(value):
        value = f"ARXIV:{m.group(1)}"
    elif m := _DOI_URL.match(value):
        value = f"DOI:{m.group(1)}"
    elif _ARXIV_BARE.match(value):
        value = f"ARXIV:{value}"
    elif value.startswith("10."):
        value = f"DOI:{value}"
    return parse_identifier(value)


def _tags(fid: str, raw: str, taxonomy: Taxonomy, problems: list[Problem]) -> list[str]:
    if _empty(raw):
        return []
    facet = taxonomy.facets.get(fid)
    allowed = list(facet.nodes) if facet else []
    tags: list[str] = []
    unknown: list[str] = []
    for item in re.split(r"[,\n]", raw):
        value = item.strip().strip("`").strip()
        if value.startswith(("- [x]", "- [X]")):  # checkboxes, should the form ever use them
            value = value[5:].strip()
        if _empty(value):
            continue
        if value in allowed:
            if value not in tags:
                tags.append(value)
        else:
            unknown.append(value)
    if unknown:
        shown = ", ".join(json.dumps(u[:60], ensure_ascii=False) for u in unknown[:5])
        verb = "is not a node id" if len(unknown) == 1 else "are not node ids"
        problems.append(_problem("form-unknown-tag", f"'{LABELS[fid]}': {shown} {verb} of taxonomy.yaml "
                                                     f"(allowed: {', '.join(allowed)})"))
    return tags


def parse_body(body: str, taxonomy: Taxonomy) -> tuple[Suggestion | None, list[Problem]]:
    """The form's values, or ``None`` and the problems (each names the field to fix)."""
    if len(body) > MAX_BODY_CHARS:
        return None, [_problem("form-too-large", f"the issue body has {len(body):,} characters; a filled-in form "
                                                 f"has far fewer (at most {MAX_BODY_CHARS:,} are read)")]
    raw, problems = split_sections(body)
    if not raw:
        return None, [_problem("form-not-filled", "no field of the Suggest a paper form was found: open the issue "
                                                  "with the form (headings like '### Summary')")]
    out = Suggestion()
    ident = raw.get("identifier")
    bib = raw.get("bibtex")
    if not _empty(ident) and not _empty(bib):
        problems.append(_problem("form-two-sources", f"give either '{LABELS['identifier']}' or "
                                                     f"'{LABELS['bibtex']}', not both"))
    elif not _empty(ident):
        assert ident is not None
        if len(ident) > MAX_IDENTIFIER_CHARS or "\n" in ident.strip():
            problems.append(_problem("form-bad-identifier", f"'{LABELS['identifier']}' must be one arXiv id or "
                                                            "DOI on one line, e.g. 2305.05665"))
        elif _printable("identifier", ident, problems):
            try:
                out.identifier = normalise_identifier(ident)
            except UsageError as exc:
                problems.append(_problem("form-bad-identifier", f"'{LABELS['identifier']}': {exc}"))
    elif not _empty(bib):
        assert bib is not None
        text = _unfenced(bib)
        if len(text) > MAX_BIBTEX_CHARS:
            problems.append(_problem("form-too-large", f"'{LABELS['bibtex']}' has {len(text):,} characters; "
                                                       "paste one entry"))
        elif _printable("bibtex", text, problems):
            out.bibtex = text + "\n"
    else:
        problems.append(_problem("form-missing-source", f"fill in '{LABELS['identifier']}' (e.g. 2305.05665 or "
                                                        f"10.1109/CVPR52729.2023.01457) or '{LABELS['bibtex']}'"))
    for fid in FACETS:
        out.tags[fid] = _tags(fid, raw.get(fid, ""), taxonomy, problems)
    short = raw.get("short_name")
    if not _empty(short):
        assert short is not None
        short = short.strip()
        if "\n" in short or len(short) > MAX_SHORT_NAME_CHARS:
            problems.append(_problem("form-bad-short-name", f"'{LABELS['short_name']}' must be one name of at most "
                                                            f"{MAX_SHORT_NAME_CHARS} characters, e.g. CLIP"))
        elif _printable("short_name", short, problems):
            out.short_name = short
    summary = raw.get("summary")
    if _empty(summary):
        problems.append(_problem("form-missing-summary", f"fill in '{LABELS['summary']}': one to three sentences "
                                                         "in your own words (never the abstract)"))
    else:
        assert summary is not None
        text = " ".join(summary.split())
        if len(text) > MAX_SUMMARY_CHARS:
            problems.append(_problem("form-too-large", f"'{LABELS['summary']}' has {len(text):,} characters; "
                                                       f"one to three sentences fit in {MAX_SUMMARY_CHARS:,}"))
        elif _printable("summary", text, problems):
            out.summary = text
    return (None, problems) if problems else (out, [])


def _summary_lines(summary: str) -> list[str]:
    wrapped = textwrap.wrap(summary, 112, break_long_words=False, break_on_hyphens=False)
    return ["summary: >-", *(f"  {line}" for line in wrapped)]


def fill_record(text: str, suggestion: Suggestion) -> str:
    """The text ``add`` wrote, with the form's tags, short name and summary in, and its help comments out."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.lstrip().startswith("#"):
            continue
        head, sep, _comment = line.partition("  # ")
        if sep and '"' not in head and "'" not in head:
            line = head.rstrip()
        key = line.split(":", 1)[0]
        if line.startswith("  ") and key.strip() in suggestion.tags and line.rstrip().endswith(": []"):
            tags = suggestion.tags[key.strip()]
            line = f"{key}: [{', '.join(tags)}]"
        elif line.startswith("summary:"):
            out += _summary_lines(suggestion.summary)
            continue
        out.append(line)
        if line.startswith("title:") and suggestion.short_name:
            out += ["short_name:", f"  - {scalar(suggestion.short_name)}"]
    return "\n".join(out)


def _fence(text: str) -> str:
    """``text`` in a code fence longer than any run of backticks inside it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text.rstrip()}\n{ticks}"


def comment_text(problems: Sequence[Problem], record_text: str | None = None) -> str:
    """The issue comment listing what to fix (file and line for record problems, the field for form ones)."""
    lines = ["The suggested paper could not be turned into a record yet. Edit the issue to fix these problems "
             "(the workflow runs again on every edit):", "", _fence("\n".join(p.as_text() for p in problems))]
    if record_text is not None:
        lines += ["", "<details><summary>The record as it was made</summary>", "", _fence(record_text), "",
                  "</details>"]
    lines += ["", "The fields and the allowed tag ids are explained in CONTRIBUTING.md (\"Suggesting a paper "
              "through the issue form\")."]
    return "\n".join(lines) + "\n"


def pr_body_text(created: Created, issue: int | None, notes: Sequence[Problem]) -> str:
    """The pull request's description: which issue it closes, where the record came from, facts to check."""
    source = created.source.replace("`", "'")  # in a code span: a BibTeX key mentions or links nobody
    lines = [f"Closes #{issue}." if issue else "From the Suggest a paper form.", "",
             f"`{created.path}` was made by `site-builder add` from `{source}` and filled in with the tags, short "
             "name and summary of the issue form; `site-builder validate --strict` passed on it.",
             "", "A curator checks the facts and the tags against the paper before merging."]
    if notes:
        lines += ["", "Facts to check:", "", _fence("\n".join(p.as_text() for p in notes))]
    return "\n".join(lines) + "\n"


def run(project: Project, body: str, *, issue: int | None = None,
        resolver: Callable[[], Resolver] | None = None, today: dt.date | None = None) -> Outcome:
    """Parse the body, add the record, fill it in, validate it; the record is removed again if it fails."""
    taxonomy, tax_problems = load_taxonomy(project.taxonomy)
    if taxonomy is None:
        return Outcome(None, tax_problems, comment=comment_text(tax_problems))
    suggestion, problems = parse_body(body, taxonomy)
    if suggestion is None:
        return Outcome(None, problems, comment=comment_text(problems))
    with tempfile.TemporaryDirectory(prefix="issue-form-") as tmp:
        try:
            if suggestion.bibtex is not None:
                drafts, bib_problems = parse_bibtex(suggestion.bibtex, "BibTeX entry")
                if len(drafts) != 1 or any(p.severity == "error" for p in bib_problems):
                    found = bib_problems or [_problem("form-bibtex-entries", f"'{LABELS['bibtex']}' holds "
                                                                             f"{len(drafts)} entries; paste one")]
                    return Outcome(None, found, comment=comment_text(found))
                source = Path(tmp) / "entry.bib"
                source.write_text(suggestion.bibtex, encoding="utf-8")
                result = add_records(project, bibtex=source, today=today)
            else:
                result = add_records(project, identifier=suggestion.identifier, resolver=resolver or default_resolver,
                                     today=today)
        except SiteBuilderError as exc:
            found = [*exc.problems] or [_problem("add-failed", str(exc))]
            return Outcome(None, found, comment=comment_text(found))
    if suggestion.bibtex is not None:  # the temporary file's name means nothing to the reader of the comment
        pasted = project.rel(source)
        result.problems = [replace(p, path="BibTeX entry") if p.path == pasted else p for p in result.problems]
    errors = [p for p in result.problems if p.severity == "error"]
    notes = [p for p in result.problems if p.severity != "error"]
    if errors or len(result.created) != 1:
        found = errors or [_problem("add-failed", "no record was made")]
        return Outcome(None, found, comment=comment_text(found))
    created = result.created[0]
    path = project.root / created.path
    text = fill_record(path.read_text(encoding="utf-8"), suggestion)
    path.write_text(text, encoding="utf-8")
    checked = validate(project, [path], strict=True)
    if checked.problems:
        path.unlink()
        return Outcome(Created(created.path, text, created.source), checked.problems,
                       comment=comment_text(checked.problems, text))
    record = Created(created.path, text, created.source)
    return Outcome(record, notes, pr_body=pr_body_text(record, issue, notes))


def _event(path: Path) -> tuple[str, int | None]:
    """(issue body, issue number) from a GitHub event payload file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    issue = data.get("issue") if isinstance(data, dict) else None
    if not isinstance(issue, dict):
        raise UsageError(f"{path}: not an issue event")
    body = issue.get("body")
    number = issue.get("number")
    return (body if isinstance(body, str) else "",
            number if isinstance(number, int) and not isinstance(number, bool) else None)


def write_outputs(outcome: Outcome, out: Path, github_output: str | None) -> None:
    """``out/papers/<id>.yaml`` + ``out/pr-body.md``, or ``out/comment.md``; and the step's outputs."""
    out.mkdir(parents=True, exist_ok=True)
    if outcome.ready:
        assert outcome.record is not None
        target = out / outcome.record.path
        target.parent.mkdir(parents=True)
        target.write_text(outcome.record.text, encoding="utf-8")
        (out / "pr-body.md").write_text(outcome.pr_body, encoding="utf-8")
    else:
        (out / "comment.md").write_text(outcome.comment, encoding="utf-8")
    if github_output:
        with open(github_output, "a", encoding="utf-8") as fh:
            fh.write(f"status={'ready' if outcome.ready else 'problems'}\n")
            fh.write(f"record={outcome.record.path if outcome.ready and outcome.record else ''}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m site_builder.tools.issue_form (--event FILE | --body FILE) --out DIR [--root DIR]``.

    Exit status 0 when a record is ready, 1 when there are problems (``DIR/comment.md``), 2 on a usage error.
    """
    parser = argparse.ArgumentParser(prog="python -m site_builder.tools.issue_form", description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--event", type=Path, help="the GitHub event payload (issues event), e.g. $GITHUB_EVENT_PATH")
    source.add_argument("--body", type=Path, help="a file holding the issue body (for trying the form locally)")
    parser.add_argument("--issue", type=int, default=None, help="the issue number (with --body)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the record and the texts")
    parser.add_argument("--root", type=Path, default=None, help="knowledge-base root (default: found from here)")
    args = parser.parse_args(argv)
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        print(f"error: {args.out}: give a new or empty folder for the results", file=sys.stderr)
        return 2
    try:
        if args.event is not None:
            body, issue = _event(args.event)
        else:
            body, issue = args.body.read_text(encoding="utf-8", errors="replace"), args.issue
        from site_builder.kb.dates import today

        outcome = run(open_project(args.root), body, issue=issue, today=today())
    except (SiteBuilderError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_outputs(outcome, args.out, os.environ.get("GITHUB_OUTPUT"))
    for problem in outcome.problems:
        print(problem.as_text())
    print(f"ready: {outcome.record.path}" if outcome.ready and outcome.record else "not ready: see comment.md")
    return 0 if outcome.ready else 1


if __name__ == "__main__":
    sys.exit(main())

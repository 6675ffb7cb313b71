"""Print problems as text, one JSON document, or GitHub workflow annotations."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Literal

from site_builder.kb.problems import Problem

Format = Literal["text", "json", "github"]
FORMATS: tuple[Format, ...] = ("text", "json", "github")


def default_format() -> Format:
    """``github`` under GitHub Actions (annotations on the diff), else ``text``."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def counts(problems: Sequence[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for p in problems if p.severity == "error")
    return errors, len(problems) - errors


def plural(n: int, word: str) -> str:
    """``1 error`` / ``2 errors``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(problems: Sequence[Problem], checked: str) -> str:
    """The closing line of a text report."""
    errors, warnings = counts(problems)
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} ({checked})"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(problem: Problem) -> str:
    """One ``::error file=...,line=...,col=...,title=CODE::message`` workflow command."""
    props = [f"file={_escape_property(problem.path)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
        if problem.col is not None:
            props.append(f"col={problem.col}")
    props.append(f"title={_escape_property(problem.code)}")
    return f"::{problem.severity} {','.join(props)}::{_escape_data(problem.message)}"


def render(problems: Sequence[Problem], fmt: Format, checked: str) -> str:
    """The whole report in ``fmt`` (ends with a newline)."""
    if fmt == "json":
        errors, warnings = counts(problems)
        doc = {"version": 1, "ok": errors == 0, "errors": errors, "warnings": warnings, "checked": checked,
               "problems": [p.as_dict() for p in problems]}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "github":
        lines = [github_line(p) for p in problems]
        lines.append(summary_line(problems, checked))
        return "\n".join(lines) + "\n"
    return "\n".join([*(p.as_text() for p in problems), summary_line(problems, checked)]) + "\n"

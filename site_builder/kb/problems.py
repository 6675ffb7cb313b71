"""Problems are data: every check returns :class:`Problem` records instead of raising."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about one place in one file.

    ``path`` is relative to the knowledge-base root (POSIX separators); ``line`` and ``col`` are 1-based and
    ``None`` when the problem concerns the whole file. ``related`` names other files the problem involves, so that
    a run restricted to some files still reports a clash with a file outside the selection.
    """

    path: str
    line: int | None
    col: int | None
    severity: Severity
    code: str
    message: str
    related: tuple[str, ...] = field(default=(), compare=False)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, then position, then code, so that reports are stable."""
        return (self.path, self.line or 0, self.col or 0, self.code, self.message)

    def location(self) -> str:
        """``path:line:col`` with the parts that are known."""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def as_text(self) -> str:
        """The one-line form ``path:line:col: severity [code] message``."""
        return f"{self.location()}: {self.severity} [{self.code}] {self.message}"

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

    def promoted(self) -> Problem:
        """The same problem as an error (what ``--strict`` does to warnings)."""
        if self.severity == "error":
            return self
        return Problem(self.path, self.line, self.col, "error", self.code, self.message, self.related)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Deduplicated problems in report order."""
    return sorted(set(problems), key=Problem.sort_key)


def has_errors(problems: Iterable[Problem]) -> bool:
    """True when any problem is an error."""
    return any(p.severity == "error" for p in problems)


class SiteBuilderError(Exception):
    """Base of every error the project raises on purpose; the CLI turns it into a message and exit status 1."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = sorted_problems(problems)


class UsageError(SiteBuilderError):
    """The command line was wrong (exit status 2)."""

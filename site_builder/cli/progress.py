"""A progress bar with counts for long commands, on stderr: redrawn in place on a terminal, sparse lines otherwise."""

from __future__ import annotations

from typing import Protocol, TextIO


class Counts(Protocol):
    """What the bar reads from a command's running statistics."""

    @property
    def done(self) -> int:
        """Items handled so far."""

    todo: int
    fetched: int
    not_found: int
    failed: int


class _Line:
    """One progress line on ``stream``: redrawn in place on a terminal, a line every tenth of the way otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._shown = -1
        self._drawn = False

    def draw(self, text: str, done: int, total: int) -> None:
        """Show ``text`` for ``done`` of ``total`` items."""
        if self.tty:
            self.stream.write(f"\r\x1b[2K{text}")
            self._drawn = True
        else:
            step = 10 * done // max(total, 1)
            if step == self._shown and done != total:
                return
            self._shown = step
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the redrawn line so that what follows starts on a fresh one."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


class ProgressBar(_Line):
    """Call it with the current counts and the item just finished; :meth:`close` ends the line."""

    def __init__(self, stream: TextIO, label: str = "enrich", width: int = 24) -> None:
        super().__init__(stream)
        self.label, self.width = label, width

    def line(self, counts: Counts, current: str) -> str:
        """``enrich [#######.................] 40/150 fetched 38, not found 1, failed 1 (clip)``."""
        total = max(counts.todo, 1)
        filled = self.width * counts.done // total
        return (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {counts.done}/{counts.todo} "
                f"fetched {counts.fetched}, not found {counts.not_found}, failed {counts.failed} ({current})")

    def __call__(self, counts: Counts, current: str) -> None:
        """Show progress after ``current``: every item on a terminal, every tenth of the way in a log."""
        self.draw(self.line(counts, current), counts.done, counts.todo)


def shows_progress(stream: TextIO, verbosity: int) -> bool:
    """Progress is for people watching: on a terminal by default, in logs only with ``-v``, never with ``-q``."""
    return verbosity >= 2 or (verbosity == 1 and stream.isatty())


class Counter(_Line):
    """``check-links 12/340 (github.com/...)``: redrawn in place on a terminal, a line every tenth of the way in a
    log (``-v``). Call it with the count done so far; :meth:`close` ends the line."""

    def __init__(self, stream: TextIO, label: str, total: int) -> None:
        super().__init__(stream)
        self.label, self.total = label, total

    def __call__(self, done: int, current: str = "") -> None:
        """Show that ``done`` of the items are finished, ``current`` the last one."""
        self.draw(f"{self.label} {done}/{self.total}" + (f" ({current[:60]})" if current else ""), done, self.total)

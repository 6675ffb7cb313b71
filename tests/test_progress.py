"""The progress bar: redrawn in place on a terminal, a line per tenth of the way in a log."""

from __future__ import annotations

import io

from site_builder.citations.enrich import EnrichStats
from site_builder.cli.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(stream: io.StringIO, total: int) -> None:
    bar = ProgressBar(stream, width=10)
    stats = EnrichStats(selected=total, todo=total)
    for i in range(total):
        if i == 2:
            stats.failed += 1
        else:
            stats.fetched += 1
        bar(stats, f"r{i}")
    bar.close()


def test_terminal_redraws_one_line() -> None:
    stream = Terminal()
    run(stream, 4)
    frames = stream.getvalue().split("\r\x1b[2K")
    assert frames[1:] == [
        "enrich [##........] 1/4 fetched 1, not found 0, failed 0 (r0)",
        "enrich [#####.....] 2/4 fetched 2, not found 0, failed 0 (r1)",
        "enrich [#######...] 3/4 fetched 2, not found 0, failed 1 (r2)",
        "enrich [##########] 4/4 fetched 3, not found 0, failed 1 (r3)\n",
    ]


def test_log_gets_a_line_per_tenth() -> None:
    stream = io.StringIO()
    run(stream, 25)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[0] == "enrich [..........] 1/25 fetched 1, not found 0, failed 0 (r0)"
    assert lines[-1] == "enrich [##########] 25/25 fetched 24, not found 0, failed 1 (r24)"

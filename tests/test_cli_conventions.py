"""Conventions every command keeps: -q/-v, its own usage on a bad option, option values checked at parse time,
progress only where someone watches, and serve refusing a busy address before building anything."""

from __future__ import annotations

import io
import socket

import pytest

from site_builder.cli.commands import HANDLERS
from site_builder.cli.parser import build_parser
from site_builder.cli.progress import Counter, shows_progress
from tests.conftest import KbFactory, paper_yaml, run_cli

REQUIRED = {"export": ["--format", "bib"]}
TIMEOUT = "argument --timeout: expected more than 0 and at most 600 seconds"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("command", sorted(HANDLERS))
@pytest.mark.parametrize(("flag", "verbosity"), [("-q", 0), ("--quiet", 0), ("-v", 2), ("--verbose", 2), (None, 1)])
def test_every_command_takes_quiet_and_verbose(command: str, flag: str | None, verbosity: int) -> None:
    args = build_parser().parse_args([command, *REQUIRED.get(command, []), *([flag] if flag else [])])
    assert args.verbosity == verbosity


def test_quiet_and_verbose_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, "validate", "-q", "-v")
    assert exc.value.code == 2
    assert "argument -v/--verbose: not allowed with argument -q/--quiet" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    (["check-links", "--timeout", "inf"], f"{TIMEOUT}, not 'inf'"),
    (["check-links", "--timeout", "nan"], f"{TIMEOUT}, not 'nan'"),
    (["check-links", "--timeout", "-1"], f"{TIMEOUT}, not '-1'"),
    (["check-links", "--timeout", "soon"], "argument --timeout: 'soon' is not a number"),
    (["check-links", "--concurrency", "65"],
     "argument --concurrency: expected more than 0 and at most 64 links, not '65'"),
    (["serve", "--dev-addr", "127.0.0.1:99999"],
     "argument --dev-addr: expected HOST:PORT with a port from 1 to 65535, not '127.0.0.1:99999'"),
    (["serve", "--dev-addr", "8000"],
     "argument --dev-addr: expected HOST:PORT with a port from 1 to 65535, not '8000'"),
    (["serve", "--dev-addr", "localhost:0"],
     "argument --dev-addr: expected HOST:PORT with a port from 1 to 65535, not 'localhost:0'"),
], ids=["inf", "nan", "negative", "word", "too-many", "port-too-big", "no-host", "port-zero"])
def test_option_values_are_checked_when_parsed(capsys: pytest.CaptureFixture[str], args: list[str],
                                               message: str) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, *args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: site-builder {args[0]} ")
    assert err.endswith(f"site-builder {args[0]}: error: {message}\n")


@pytest.mark.parametrize("command", ["validate", "build", "add"])
def test_a_bad_option_shows_the_usage_of_its_command(capsys: pytest.CaptureFixture[str], command: str) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, command, "--bogus")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: site-builder {command} [-h] [-q | -v] [--root DIR]")
    assert err.endswith(f"site-builder {command}: error: unrecognized arguments: --bogus\n")


def test_serve_refuses_a_busy_address_before_building(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/clip.yaml": paper_yaml()})
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, out, err = run_cli(capsys, "serve", "--root", str(root), "--dev-addr", f"127.0.0.1:{port}")
    assert (code, out) == (1, "")
    assert err == (f"site-builder: cannot serve on 127.0.0.1:{port}: address already in use; stop what uses it or "
                   "choose another address with --dev-addr HOST:PORT\n")
    assert not (root / "docs" / "papers").exists()  # nothing was generated


@pytest.mark.parametrize(("tty", "verbosity", "shown"), [
    (True, 1, True), (False, 1, False), (False, 2, True), (True, 0, False), (False, 0, False)])
def test_progress_shows_on_a_terminal_or_with_verbose(tty: bool, verbosity: int, shown: bool) -> None:
    assert shows_progress(Terminal() if tty else io.StringIO(), verbosity) is shown


def test_counter_redraws_on_a_terminal_and_ends_its_line() -> None:
    stream = Terminal()
    counter = Counter(stream, "check-links", 3)
    counter(1, "https://example.org/a")
    counter(3, "https://example.org/c")
    counter.close()
    assert stream.getvalue() == ("\r\x1b[2Kcheck-links 1/3 (https://example.org/a)"
                                 "\r\x1b[2Kcheck-links 3/3 (https://example.org/c)\n")


def test_add_of_several_entries_counts_them_with_verbose(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                         fixed_today: None) -> None:
    root = kb()
    bib = root / "refs.bib"
    bib.write_text("@misc{a, title={Audio Grounding From Speech}, author={Doe, Jane}, year=2020}\n"
                   "@misc{b, title={Tactile Grounding From Touch}, author={Roe, Rita}, year=2021}\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "add", "-v", "--root", str(root), "--bibtex", str(bib))
    assert (code, err) == (0, "add 1/2 (entry 'a')\nadd 2/2 (entry 'b')\n")
    for made in (root / "papers").iterdir():
        made.unlink()
    code, _, err = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(bib))
    assert (code, err) == (0, "")  # not a terminal, no -v: nothing on stderr


def test_quiet_drops_notes(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/clip.yaml": paper_yaml(), "papers/bad.yaml": "id: bad\n"})
    code, _, err = run_cli(capsys, "stats", "--root", str(root))
    assert (code, err) == (0, "note: 1 record file has problems and is not counted; run validate\n")
    code, _, err = run_cli(capsys, "stats", "-q", "--root", str(root))
    assert (code, err) == (0, "")

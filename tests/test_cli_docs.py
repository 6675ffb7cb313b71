"""docs/cli.md documents every command and every option of ``site_builder.cli.parser.build_parser()``."""

from __future__ import annotations

import argparse
import re

import pytest

from site_builder.cli.parser import build_parser
from tests.conftest import REPO

DOC = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _section(command: str) -> str:
    match = re.search(rf"^## `site-builder {re.escape(command)}`\n(.*?)(?=^## |\Z)", DOC, re.S | re.M)
    assert match, f"docs/cli.md has no section '## `site-builder {command}`'"
    return match.group(1)


def _names(action: argparse.Action) -> list[str]:
    if action.option_strings:
        return [s for s in action.option_strings if s.startswith("--")] or list(action.option_strings)
    metavar = action.metavar if isinstance(action.metavar, str) else action.dest
    return metavar.split("|")  # alternatives such as ARXIV:<id>|DOI:<doi> are documented one by one


COMMANDS = _subparsers(build_parser())


def test_every_command_has_a_section() -> None:
    documented = re.findall(r"^## `site-builder ([a-z-]+)`", DOC, re.M)
    assert sorted(documented) == sorted(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_of_a_command_is_documented_in_its_section(command: str) -> None:
    section = _section(command)
    missing = [name for action in COMMANDS[command]._actions if not isinstance(action, argparse._HelpAction)
               for name in _names(action) if f"`{name}" not in section]
    assert missing == [], f"undocumented in the {command} section of docs/cli.md"


def test_every_format_choice_is_documented() -> None:
    for command, sub in COMMANDS.items():
        for action in sub._actions:
            if action.option_strings == ["--format"] and action.choices:
                for choice in action.choices:
                    assert f"`{choice}`" in _section(command), (command, choice)


def test_global_options_are_documented() -> None:
    parser = build_parser()
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            for name in action.option_strings:
                assert f"`{name}`" in DOC.split("## ")[0], name

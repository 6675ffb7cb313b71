"""The build and serve commands: documented options, watcher behaviour, exit codes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from site_builder.build.serve import input_signature, watch
from site_builder.cli.commands import main
from site_builder.cli.parser import build_parser
from site_builder.kb.project import Project
from tests.conftest import REPO, make_site_project


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"site-builder {name}" in readme, name


@pytest.mark.parametrize("command", ["build", "serve"])
def test_help_explains_every_option(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--root", "--dev-addr") if command == "serve" else \
            ("--root", "--strict", "--format", "--pages-only"):
        assert option in out


def test_build_outside_a_knowledge_base_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--root", str(tmp_path)]) == 2
    expected = f"site-builder: error: {tmp_path} is not a knowledge base: it has no taxonomy.yaml\n"
    assert capsys.readouterr().err == expected


def test_build_without_mkdocs_yml_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site_project(tmp_path / "kb")
    (root / "mkdocs.yml").unlink()
    assert main(["build", "--root", str(root)]) == 1
    assert f"mkdocs.yml not found in {root}" in capsys.readouterr().err
    assert not (root / "docs" / "papers").exists()


def test_warnings_are_printed_and_strict_stops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site_project(tmp_path / "kb")
    record = root / "papers" / "charlie.yaml"
    text = record.read_text().replace("summary: Predicts whether", "summary: Short.\nnotes: Predicts whether")
    record.write_text(text)
    assert main(["build", "--root", str(root), "--pages-only"]) == 0
    out = capsys.readouterr().out
    assert ("papers/charlie.yaml:12:10: warning [summary-length] summary has 1 words; "
            "write 10 to 80 (one to three sentences)") in out.splitlines()
    assert main(["build", "--root", str(root), "--pages-only", "--strict"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "build stopped: fix the errors above; nothing was written"


def test_watcher_regenerates_after_a_record_changes(tmp_path: Path) -> None:
    project = Project(make_site_project(tmp_path / "kb"))
    assert main(["build", "--root", str(project.root), "--pages-only"]) == 0
    messages: list[str] = []
    stop = threading.Event()
    before = input_signature(project)
    thread = threading.Thread(target=watch, args=(project, messages.append, stop, 0.05, before), daemon=True)
    thread.start()
    try:
        record = project.papers / "echo.yaml"
        record.write_text(record.read_text().replace("Echo Robust Audio-Text Embeddings", "Echo Renamed"))
        assert input_signature(project) != before
        page = project.docs / "papers" / "echo" / "index.md"
        deadline = time.monotonic() + 30
        while ">Echo Renamed</h1>" not in page.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ">Echo Renamed</h1>" in page.read_text()
        assert messages[0] == "records changed: regenerating pages"
    finally:
        stop.set()
        thread.join(timeout=10)


def test_json_format_keeps_stdout_one_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    root = make_site_project(tmp_path / "kb")
    assert main(["build", "--root", str(root), "--pages-only", "--format", "json"]) == 0
    captured = capsys.readouterr()
    problems = json.loads(captured.out)["problems"]
    assert [(p["path"], p["severity"], p["code"]) for p in problems] == [
        ("data/cited-by-survey.yaml", "warning", "markup-in-text")] + [("papers/xss.yaml", "warning",
                                                                         "markup-in-text")] * 3
    # 88: the pages and data files of the tiny site, with Explore's summaries, the curation to-do page and the
    # 37 files of exact short names for the site search
    assert captured.err.splitlines()[-1].startswith("6 papers, 1 dataset: 88 files generated (88 written")

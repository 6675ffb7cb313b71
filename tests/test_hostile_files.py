"""Hostile files, round 2: links, loops, pipes and devices where records or snapshot files belong, damaged snapshot
files, control characters however they are spelled, huge BibTeX input, file modes, user files in generated
folders.

Every case runs the real command line in a subprocess under an address-space limit (:data:`MEMORY`; a control
run proves a normal command fits in it) and a generous time limit, on a copy of the golden knowledge base with
the site configuration, and asserts the exit code, the message with the path (and line where known), that no
traceback was printed and that no curated file (papers/, datasets/, taxonomy.yaml, data/) changed, inside the
copy or in the folder outside it that the links lead to.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from site_builder.safe.files import write_atomic
from tests.conftest import REPO, make_site_project, paper_yaml
from tests.s2collection import collection
from tests.s2fake import FakeS2, running

MIB = 1024 * 1024
#: The address space every command gets: a normal run fits (see the control test), an unbounded read does not.
MEMORY = 1536 * MIB
TIMEOUT = 120
CURATED = ("papers", "datasets", "taxonomy.yaml", "data")
SNAP = "data/semantic-scholar"


@dataclass
class Run:
    code: int
    out: str


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _digest(path: Path) -> Iterator[tuple[str, str]]:
    """(path, fingerprint) of ``path`` and everything under it, without following links or opening pipes."""
    if not os.path.lexists(path):
        return
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        yield str(path), "link:" + os.readlink(path)
    elif stat.S_ISDIR(info.st_mode):
        yield str(path), "dir"
        for child in sorted(path.iterdir()):
            yield from _digest(child)
    elif stat.S_ISREG(info.st_mode):
        yield str(path), hashlib.sha256(path.read_bytes()).hexdigest()
    else:
        yield str(path), f"special:{stat.S_IFMT(info.st_mode)}"


class Kb:
    """A copy of the golden knowledge base (``root``) and a folder outside it (``outside``)."""

    def __init__(self, tmp: Path, root: Path | None = None) -> None:
        self.root = root if root is not None else make_site_project(tmp / "kb")
        self.outside = tmp / "outside"
        self.outside.mkdir()
        self.cache = tmp / "cache"
        self.before: dict[str, str] = {}

    def write(self, rel: str, data: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    def link(self, rel: str, target: str | Path) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)
        return path

    def curated(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for name in CURATED:
            found.update(_digest(self.root / name))
        found.update(_digest(self.outside))
        return found

    def run(self, *args: str, umask: int | None = None) -> Run:
        """The command under the memory limit; the curated files are fingerprinted before it runs."""
        self.before = self.curated()
        env = {**os.environ, "PYTHONPATH": str(REPO), "SITE_BUILDER_CACHE": str(self.cache), "NO_COLOR": "1"}

        def setup() -> None:
            _limit()
            if umask is not None:
                os.umask(umask)

        done = subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=self.root, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=setup, check=False,
                              stdin=subprocess.DEVNULL)
        return Run(done.returncode, done.stdout + done.stderr)

    def unchanged(self) -> bool:
        return self.curated() == self.before


@pytest.fixture
def kb(tmp_path: Path) -> Kb:
    return Kb(tmp_path)


def expect(kb: Kb, run: Run, code: int, *needles: str) -> None:
    """Exit ``code``, every needle in the output, no traceback, nothing curated changed."""
    assert run.code == code, run.out
    for needle in needles:
        assert needle in run.out, run.out
    assert "Traceback" not in run.out and "internal error" not in run.out.lower(), run.out
    assert kb.unchanged()


def test_control_a_normal_run_fits_in_the_memory_limit(kb: Kb) -> None:
    expect(kb, kb.run("validate"), 0)
    expect(kb, kb.run("build", "--pages-only"), 0)
    expect(kb, kb.run("export", "--format", "graphml"), 0)


def test_control_the_memory_limit_is_real(kb: Kb) -> None:
    code = f"x = bytearray({2 * MEMORY})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=_limit,
                          timeout=TIMEOUT, check=False)
    assert done.returncode != 0 and "MemoryError" in done.stderr


# -- records, datasets, taxonomy, the cited-by list ----------------------------------------------------------------
def _outside_record(kb: Kb, pid: str = "leak") -> Path:
    target = kb.outside / f"{pid}.yaml"
    target.write_text(paper_yaml(pid), encoding="utf-8")
    return target


def test_record_linked_outside_is_refused(kb: Kb) -> None:
    kb.link("papers/leak.yaml", _outside_record(kb))
    expect(kb, kb.run("validate"), 1, "papers/leak.yaml: error [unsafe-path]", "outside the checkout")


def test_record_linked_outside_by_a_relative_link_is_refused(kb: Kb) -> None:
    _outside_record(kb)
    kb.link("papers/leak.yaml", "../../outside/leak.yaml")
    expect(kb, kb.run("validate"), 1, "papers/leak.yaml: error [unsafe-path]")


def test_record_linked_outside_is_not_published(kb: Kb) -> None:
    kb.link("papers/leak.yaml", _outside_record(kb))
    run = kb.run("build", "--pages-only")
    expect(kb, run, 1, "papers/leak.yaml: error [unsafe-path]")
    assert not (kb.root / "docs" / "papers" / "leak").exists()


def test_record_linked_outside_is_not_exported(kb: Kb) -> None:
    kb.link("papers/leak.yaml", _outside_record(kb))
    expect(kb, kb.run("export", "--format", "csv", "--output", "out.csv"), 1, "papers/leak.yaml", "[unsafe-path]")
    assert not (kb.root / "out.csv").exists()


def test_dataset_linked_outside_is_refused(kb: Kb) -> None:
    target = kb.outside / "pairs.yaml"
    target.write_bytes((kb.root / "datasets" / "pairs.yaml").read_bytes())
    (kb.root / "datasets" / "pairs.yaml").unlink()
    kb.link("datasets/pairs.yaml", target)
    expect(kb, kb.run("validate"), 1, "datasets/pairs.yaml: error [unsafe-path]")


def test_records_folder_linked_outside_refuses_every_record(kb: Kb) -> None:
    folder = kb.outside / "papers"
    folder.mkdir()
    _outside_record(kb, "one").rename(folder / "one.yaml")
    kb.link("papers/more", folder)  # a sub-folder link: not a record folder, listed as a stray entry
    os.symlink(folder / "one.yaml", kb.root / "papers" / "one.yaml")
    expect(kb, kb.run("validate"), 1, "papers/one.yaml: error [unsafe-path]")


def test_symlink_loop_is_a_problem_with_the_others(kb: Kb) -> None:
    kb.link("papers/loop.yaml", "loop.yaml")
    kb.write("papers/bad.yaml", paper_yaml("bad", kind="methd"))
    expect(kb, kb.run("validate"), 1, "papers/loop.yaml: error [unsafe-path]", "symlink loop",
           "papers/bad.yaml:", "[bad-value]")


def test_two_links_pointing_at_each_other(kb: Kb) -> None:
    kb.link("papers/a.yaml", "b.yaml")
    kb.link("papers/b.yaml", "a.yaml")
    expect(kb, kb.run("validate"), 1, "papers/a.yaml: error [unsafe-path]", "papers/b.yaml: error [unsafe-path]")


def test_fifo_record_does_not_hang(kb: Kb) -> None:
    os.mkfifo(kb.root / "papers" / "pipe.yaml")
    expect(kb, kb.run("validate"), 1, "papers/pipe.yaml: error [unsafe-path]", "FIFO")


def test_device_through_a_link_is_refused(kb: Kb) -> None:
    kb.link("papers/zero.yaml", "/dev/zero")
    expect(kb, kb.run("validate"), 1, "papers/zero.yaml: error [unsafe-path]")


def test_link_to_a_link_to_a_device_is_refused(kb: Kb) -> None:
    # The chain is resolved to its end: both links name the device, outside the checkout.
    kb.link("papers/inner.yaml", "/dev/null")
    kb.link("papers/outer.yaml", "inner.yaml")
    expect(kb, kb.run("validate"), 1, "papers/inner.yaml: error [unsafe-path]", "papers/outer.yaml: error")


def test_folder_where_a_record_belongs(kb: Kb) -> None:
    (kb.root / "papers" / "folder.yaml").mkdir()
    expect(kb, kb.run("validate"), 1, "papers/folder.yaml: error [unsafe-path]", "a folder, not a file")


def test_link_inside_the_checkout_is_read(kb: Kb) -> None:
    kb.write("drafts/zulu.yaml", paper_yaml("zulu"))
    kb.link("papers/zulu.yaml", "../drafts/zulu.yaml")
    run = kb.run("validate")
    assert "[unsafe-path]" not in run.out and "Traceback" not in run.out, run.out
    assert kb.unchanged()


def test_taxonomy_linked_outside(kb: Kb) -> None:
    target = kb.outside / "taxonomy.yaml"
    target.write_bytes((kb.root / "taxonomy.yaml").read_bytes())
    (kb.root / "taxonomy.yaml").unlink()
    kb.link("taxonomy.yaml", target)
    expect(kb, kb.run("validate"), 1, "taxonomy.yaml: error [unsafe-path]")


def test_taxonomy_is_a_fifo(kb: Kb) -> None:
    (kb.root / "taxonomy.yaml").unlink()
    os.mkfifo(kb.root / "taxonomy.yaml")
    expect(kb, kb.run("validate", "--root", "."), 1, "taxonomy.yaml: error [unsafe-path]")


def test_cited_by_list_linked_to_a_device(kb: Kb) -> None:
    (kb.root / "data" / "cited-by-survey.yaml").unlink()
    kb.link("data/cited-by-survey.yaml", "/dev/zero")
    expect(kb, kb.run("validate"), 1, "data/cited-by-survey.yaml: error [unsafe-path]")


def test_site_configuration_linked_to_a_device(kb: Kb) -> None:
    (kb.root / "mkdocs.yml").unlink()
    kb.link("mkdocs.yml", "/dev/zero")
    expect(kb, kb.run("build", "--pages-only"), 1, "mkdocs.yml: error [unsafe-path]")


# -- snapshot files -------------------------------------------------------------------------------------------------
def _snapshot(kb: Kb, pid: str = "alpha") -> dict[str, object]:
    data: dict[str, object] = json.loads((kb.root / SNAP / f"{pid}.json").read_text(encoding="utf-8"))
    return data


def _deep(depth: int) -> str:
    return '{"schema": 1, "id": "alpha", "paper": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("command", [("build", "--pages-only"), ("export", "--format", "graphml"),
                                     ("export", "--format", "json")])
def test_snapshot_nested_200000_deep(kb: Kb, command: tuple[str, ...]) -> None:
    kb.write(f"{SNAP}/alpha.json", _deep(200_000))
    expect(kb, kb.run(*command), 1, f"{SNAP}/alpha.json", "[snapshot-bad-json]", "nested deeper")


@pytest.mark.parametrize("command", [("build", "--pages-only"), ("export", "--format", "json")])
def test_snapshot_with_a_5000_digit_number(kb: Kb, command: tuple[str, ...]) -> None:
    doc = json.dumps(_snapshot(kb)).replace('"schema": 1', '"schema": 1, "big": ' + "9" * 5000)
    kb.write(f"{SNAP}/alpha.json", doc)
    expect(kb, kb.run(*command), 1, f"{SNAP}/alpha.json", "[snapshot-bad-json]", "more than 40 digits")


def test_snapshot_citation_count_with_a_huge_number(kb: Kb) -> None:
    doc = _snapshot(kb)
    text = json.dumps(doc).replace('"citationCount": ', '"citationCount": ' + "1" * 4400 + ", \"x\": ", 1)
    kb.write(f"{SNAP}/alpha.json", text)
    expect(kb, kb.run("build", "--pages-only"), 1, f"{SNAP}/alpha.json", "[snapshot-bad-json]")


@pytest.mark.parametrize(("field", "value"), [("externalIds", ["ArXiv"]), ("authors", 3), ("title", 7),
                                              ("year", "soon"), ("citationCount", {"n": 1})])
def test_snapshot_paper_field_of_the_wrong_type(kb: Kb, field: str, value: object) -> None:
    doc = _snapshot(kb)
    paper = doc["paper"]
    assert isinstance(paper, dict)
    paper[field] = value
    kb.write(f"{SNAP}/alpha.json", json.dumps(doc))
    expect(kb, kb.run("build", "--pages-only"), 1, f"{SNAP}/alpha.json", f"paper.{field}")


def test_snapshot_top_level_list(kb: Kb) -> None:
    kb.write(f"{SNAP}/alpha.json", "[1, 2, 3]")
    expect(kb, kb.run("export", "--format", "graphml"), 1, f"{SNAP}/alpha.json", "[not-a-mapping]")


def test_snapshot_of_another_record(kb: Kb) -> None:
    doc = _snapshot(kb, "bravo")
    kb.write(f"{SNAP}/alpha.json", json.dumps(doc))
    expect(kb, kb.run("build", "--pages-only"), 1, f"{SNAP}/alpha.json", "[snapshot-invalid]",
           "record 'bravo', not of 'alpha'")


def test_snapshot_not_utf8(kb: Kb) -> None:
    kb.write(f"{SNAP}/alpha.json", b'{"title": "\xff"}')
    expect(kb, kb.run("build", "--pages-only"), 1, f"{SNAP}/alpha.json", "[snapshot-unreadable]", "UTF-8")


def test_snapshot_with_nan(kb: Kb) -> None:
    kb.write(f"{SNAP}/alpha.json", json.dumps(_snapshot(kb)).replace('"schema": 1', '"schema": NaN'))
    expect(kb, kb.run("build", "--pages-only"), 1, f"{SNAP}/alpha.json", "[snapshot-bad-json]")


def test_snapshot_linked_outside(kb: Kb) -> None:
    target = kb.outside / "alpha.json"
    target.write_bytes((kb.root / SNAP / "alpha.json").read_bytes())
    (kb.root / SNAP / "alpha.json").unlink()
    kb.link(f"{SNAP}/alpha.json", target)
    expect(kb, kb.run("build", "--pages-only"), 1, f"{SNAP}/alpha.json: error [unsafe-path]")


def test_snapshot_linked_to_a_device(kb: Kb) -> None:
    (kb.root / SNAP / "alpha.json").unlink()
    kb.link(f"{SNAP}/alpha.json", "/dev/zero")
    expect(kb, kb.run("export", "--format", "json"), 1, f"{SNAP}/alpha.json: error [unsafe-path]")


def test_snapshot_fifo(kb: Kb) -> None:
    (kb.root / SNAP / "alpha.json").unlink()
    os.mkfifo(kb.root / SNAP / "alpha.json")
    expect(kb, kb.run("build", "--pages-only"), 1, f"{SNAP}/alpha.json: error [unsafe-path]", "FIFO")


def test_snapshot_loop(kb: Kb) -> None:
    (kb.root / SNAP / "alpha.json").unlink()
    kb.link(f"{SNAP}/alpha.json", "alpha.json")
    expect(kb, kb.run("build", "--pages-only"), 1, f"{SNAP}/alpha.json: error [unsafe-path]")


def test_snapshot_folder(kb: Kb) -> None:
    (kb.root / SNAP / "alpha.json").unlink()
    (kb.root / SNAP / "alpha.json").mkdir()
    expect(kb, kb.run("build", "--pages-only"), 1, f"{SNAP}/alpha.json: error [unsafe-path]")


def test_damaged_citation_cache_is_rebuilt(kb: Kb) -> None:
    expect(kb, kb.run("build", "--pages-only"), 0)
    caches = list(kb.cache.rglob("citations.json"))
    assert caches
    caches[0].write_text("[" * 200_000, encoding="utf-8")
    expect(kb, kb.run("build", "--pages-only"), 0)


def test_damaged_record_cache_is_rebuilt(kb: Kb) -> None:
    expect(kb, kb.run("validate"), 0)
    shards = list((kb.cache / "records").glob("*.json"))
    assert shards
    for shard in shards:
        shard.write_text('{"a": ' + "[" * 200_000, encoding="utf-8")
    expect(kb, kb.run("validate"), 0)


# -- text that reaches output -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("spelling", "char"), [(r"\x0b", "000B"), (r"\e", "001B"), (r"\0", "0000"),
                                                (r"\x7f", "007F"), (r"\u0085", "0085"), (r"\u2028", "2028"),
                                                (r"\r", "000D")])
def test_escaped_control_character_is_refused(kb: Kb, spelling: str, char: str) -> None:
    kb.write("papers/ctl.yaml", paper_yaml("ctl", title=f'"Bad {spelling} title"'))
    expect(kb, kb.run("validate"), 1, "papers/ctl.yaml:2:8: error [yaml-control-character]", f"U+{char}")


def test_raw_and_escaped_control_characters_get_the_same_message(kb: Kb) -> None:
    kb.write("papers/esc.yaml", paper_yaml("esc", title='"Bad \\x0b title"'))
    kb.write("papers/raw.yaml", paper_yaml("raw", title="Bad \x0b title").encode("utf-8"))
    run = kb.run("validate")
    expect(kb, run, 1, "papers/esc.yaml:2:", "papers/raw.yaml:2:")
    messages = {line.split("] ", 1)[1] for line in run.out.splitlines() if "[yaml-control-character]" in line}
    assert len(messages) == 1, run.out


def test_feed_and_graphml_parse_after_hostile_text(kb: Kb) -> None:
    kb.write("papers/amp.yaml", paper_yaml("amp", title='"A <b> & \\"c\\" ]]> \U0001F600 title"',
                                           summary='"Tabs\\tand <script>alert(1)</script> & more."'))
    doc = _snapshot(kb)
    paper = doc["paper"]
    assert isinstance(paper, dict)
    paper["title"] = "S2 title with \u000b vertical tab and \ufffe"
    kb.write(f"{SNAP}/alpha.json", json.dumps(doc))
    expect(kb, kb.run("build", "--pages-only"), 0)
    feed = ET.parse(kb.root / "docs" / "downloads" / "feed.xml").getroot()
    assert any("<b> &" in (e.text or "") for e in feed.iter())
    expect(kb, kb.run("export", "--format", "graphml", "--output", "graph.graphml"), 0)
    ET.parse(kb.root / "graph.graphml")
    for graph in (kb.root / "docs").rglob("*.graphml"):
        ET.parse(graph)


# -- messages in the user's terms -------------------------------------------------------------------------------------
def test_timestamp_in_added(kb: Kb) -> None:
    kb.write("papers/ts.yaml", paper_yaml("ts", added="2026-11-28 10:00:00"))
    run = kb.run("validate")
    expect(kb, run, 1, "papers/ts.yaml:", "a date, not a date and time (2026-11-28 10:00:00)")
    assert "datetime.datetime" not in run.out


def test_long_list_is_not_an_alias_bomb(kb: Kb) -> None:
    kb.write("papers/long.yaml", paper_yaml("long", authors="[" + ", ".join(["A B"] * 60_000) + "]"))
    run = kb.run("validate")
    expect(kb, run, 1, "papers/long.yaml:3:", "[yaml-too-many-values]", "more than 50,000 values")
    assert "alias" not in run.out


def test_alias_bomb_is_still_an_alias_bomb(kb: Kb) -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]" for i in range(6)]
    kb.write("papers/bomb.yaml", "\n".join(rows) + "\n")
    expect(kb, kb.run("validate"), 1, "papers/bomb.yaml:", "[yaml-alias-bomb]")


# -- BibTeX input ----------------------------------------------------------------------------------------------------
def test_add_bibtex_dev_zero_stops_at_the_cap(kb: Kb) -> None:
    expect(kb, kb.run("add", "--bibtex", "/dev/zero"), 1, "/dev/zero", "[file-too-large]")


def test_add_bibtex_link_to_a_device_stops_at_the_cap(kb: Kb) -> None:
    kb.link("zero.bib", "/dev/zero")
    expect(kb, kb.run("add", "--bibtex", "zero.bib"), 1, "zero.bib", "[file-too-large]")


def test_add_bibtex_folder(kb: Kb) -> None:
    (kb.root / "refs.bib").mkdir()
    expect(kb, kb.run("add", "--bibtex", "refs.bib"), 1, "refs.bib", "[unsafe-path]", "a folder")


def test_add_bibtex_huge_field_is_refused_with_its_line(kb: Kb) -> None:
    body = "caf\\'e " * 640_000  # 4.5 MB of words, each with a LaTeX accent
    kb.write("big.bib", "@article{small, title={Fine}, author={A B}, year={2020}}\n\n"
                        "@article{big, title={" + body + "}, author={A B}, year={2020}}\n")
    expect(kb, kb.run("add", "--bibtex", "big.bib", "--dry-run"), 1, "big.bib:3:", "[bibtex-field-too-long]",
           "field title of entry 'big'")


def test_add_bibtex_field_made_huge_by_string_joins(kb: Kb) -> None:
    joins = " # ".join(["s"] * 40)
    kb.write("joins.bib", "@string{s = {" + "\\'e" * 20_000 + "}}\n"
                          "@article{joined, title={T}, abstract = " + joins + ", author={A B}, year={2020}}\n")
    expect(kb, kb.run("add", "--bibtex", "joins.bib", "--dry-run"), 1, "joins.bib:2:", "[bibtex-field-too-long]")


# -- file modes under umask 022 ---------------------------------------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_record_gets_the_umask_mode(kb: Kb) -> None:
    kb.write("new.bib", "@article{zulu2020, title={Zulu Representations Learned}, author={Ada Lovelace}, "
                        "year={2020}, journal={ICML}}\n")
    run = kb.run("add", "--bibtex", "new.bib", umask=0o022)
    created = sorted(set((kb.root / "papers").glob("*.yaml")) - {Path(p) for p in kb.before})
    assert created, run.out
    assert all(_mode(p) == 0o644 for p in created), run.out


def test_export_gets_the_umask_mode(kb: Kb) -> None:
    expect(kb, kb.run("export", "--format", "csv", "--output", "out.csv", umask=0o022), 0)
    assert _mode(kb.root / "out.csv") == 0o644


def test_export_under_a_strict_umask(kb: Kb) -> None:
    expect(kb, kb.run("export", "--format", "bib", "--output", "out.bib", umask=0o077), 0)
    assert _mode(kb.root / "out.bib") == 0o600


def test_cache_and_generated_files_get_the_umask_mode(kb: Kb) -> None:
    expect(kb, kb.run("build", "--pages-only", umask=0o022), 0)
    files = [p for p in kb.cache.rglob("*") if p.is_file()]
    files += list((kb.root / "docs" / "papers").rglob("*.md"))
    assert files and {_mode(p) for p in files} == {0o644}


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_atomic_writes_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    # Snapshot files (enrich) and caches are written by write_atomic: checked here for every umask.
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "alpha.json", "{}\n")
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "alpha.json") == mode


# -- the write stage never deletes what it did not generate -----------------------------------------------------------
def test_user_file_in_a_generated_folder_is_left_alone(kb: Kb) -> None:
    expect(kb, kb.run("build", "--pages-only"), 0)
    mine = kb.root / "docs" / "papers" / "my-notes.md"
    mine.write_text("mine\n", encoding="utf-8")
    nested = kb.root / "docs" / "topics" / "extra" / "keep.txt"
    nested.parent.mkdir(parents=True)
    nested.write_text("keep\n", encoding="utf-8")
    run = kb.run("build", "--pages-only")
    expect(kb, run, 0, "docs/papers/my-notes.md", "docs/topics/extra/keep.txt", "[not-generated]")
    assert mine.read_text(encoding="utf-8") == "mine\n" and nested.exists()


def test_stale_generated_page_is_still_removed(kb: Kb) -> None:
    kb.write("papers/zulu.yaml", paper_yaml("zulu"))
    expect(kb, kb.run("build", "--pages-only"), 0)
    assert (kb.root / "docs" / "papers" / "zulu" / "index.md").exists()
    (kb.root / "papers" / "zulu.yaml").unlink()
    run = kb.run("build", "--pages-only")
    assert run.code == 0 and "Traceback" not in run.out, run.out
    assert not (kb.root / "docs" / "papers" / "zulu").exists()
    assert "[not-generated]" not in run.out


def test_user_file_survives_a_damaged_manifest(kb: Kb) -> None:
    expect(kb, kb.run("build", "--pages-only"), 0)
    (kb.root / "docs" / "papers" / ".site-builder-generated").write_bytes(b"\xff\x00" * 10)
    mine = kb.root / "docs" / "papers" / "mine.md"
    mine.write_text("mine\n", encoding="utf-8")
    expect(kb, kb.run("build", "--pages-only"), 0, "docs/papers/mine.md")
    assert mine.exists()


def test_manifest_linked_outside_is_not_read(kb: Kb) -> None:
    expect(kb, kb.run("build", "--pages-only"), 0)
    manifest = kb.root / "docs" / "papers" / ".site-builder-generated"
    outside = kb.outside / "manifest"
    outside.write_text("papers/mine.md\n", encoding="utf-8")
    manifest.unlink()
    os.symlink(outside, manifest)
    mine = kb.root / "docs" / "papers" / "mine.md"
    mine.write_text("mine\n", encoding="utf-8")
    run = kb.run("build", "--pages-only")
    assert mine.exists() and "Traceback" not in run.out, run.out
    assert outside.read_text(encoding="utf-8") == "papers/mine.md\n"



# -- enrich reads stored snapshot files through the same layer ---------------------------------------------------
@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeS2]:
    for fake in running():
        monkeypatch.setenv("S2_API_URL", fake.url)
        monkeypatch.setenv("S2_MIN_INTERVAL", "0")
        monkeypatch.setenv("S2_MAX_TRIES", "2")
        monkeypatch.setenv("SITE_BUILDER_TODAY", "2026-11-28")
        monkeypatch.delenv("S2_API_KEY", raising=False)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        yield fake


def _enriched(fake: FakeS2, tmp_path: Path) -> Kb:
    root = tmp_path / "ekb"
    for folder in ("papers", "datasets"):
        (root / folder).mkdir(parents=True)
    shutil.copy(REPO / "taxonomy.yaml", root / "taxonomy.yaml")
    for name, text in collection(fake, 3).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    kb = Kb(tmp_path, root)
    kb.outside = kb.root.parent / "outside-enrich"
    kb.outside.mkdir()
    run = kb.run("enrich")
    assert run.code == 0, run.out
    return kb


@pytest.mark.parametrize("damage", ["deep", "digits", "wrong-type", "other-record", "link-outside", "device"])
def test_enrich_refetches_a_damaged_snapshot_file(fake: FakeS2, tmp_path: Path, damage: str) -> None:
    env = _enriched(fake, tmp_path)
    path = env.root / SNAP / "paper-001.json"
    good = json.loads(path.read_text(encoding="utf-8"))
    path.unlink()
    if damage == "deep":
        path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    elif damage == "digits":
        path.write_text('{"schema": ' + "1" * 5000 + "}", encoding="utf-8")
    elif damage == "wrong-type":
        path.write_text(json.dumps({**good, "paper": {**good["paper"], "externalIds": ["x"]}}), encoding="utf-8")
    elif damage == "other-record":
        path.write_text(json.dumps({**good, "id": "paper-002"}), encoding="utf-8")
    elif damage == "link-outside":
        (env.outside / "x.json").write_text(json.dumps(good), encoding="utf-8")
        os.symlink(env.outside / "x.json", path)
    else:
        os.symlink("/dev/zero", path)
    before = {k: v for k, v in env.curated().items() if SNAP not in k}
    run = env.run("enrich", umask=0o022)
    assert run.code == 0 and "Traceback" not in run.out, run.out
    assert "1 fetched" in run.out, run.out
    assert {k: v for k, v in env.curated().items() if SNAP not in k} == before  # records and outside untouched
    assert not path.is_symlink() and json.loads(path.read_text(encoding="utf-8"))["id"] == "paper-001"
    assert _mode(path) == 0o644  # the snapshot file gets the umask's mode

"""``site-builder enrich`` against the fake Semantic Scholar API: requests sent, snapshot files, resumption."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder.citations.snapshot import load_snapshot, record_key
from site_builder.cli.commands import main
from site_builder.kb.project import Project
from tests.conftest import KbFactory
from tests.s2collection import SURVEY, collection, record
from tests.s2fake import FakeS2, edge, paper_id, running, s2_paper

TODAY = "2026-11-28"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeS2]:
    for fake in running():
        monkeypatch.setenv("S2_API_URL", fake.url)
        monkeypatch.setenv("S2_MIN_INTERVAL", "0")
        monkeypatch.setenv("S2_MAX_TRIES", "2")
        monkeypatch.setenv("SITE_BUILDER_TODAY", TODAY)
        monkeypatch.delenv("S2_API_KEY", raising=False)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        yield fake


def enrich(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["enrich", "--root", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_150_records_cost_one_batch_and_a_page_each_then_nothing(fake: FakeS2, kb: KbFactory,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 150))
    code, out, err = enrich(capsys, root, "-v")  # -v: progress even though stderr is not a terminal
    assert (code, out) == (0, "0 errors, 0 warnings (150 records: 150 fetched, 0 not found, 0 failed, 0 unchanged, "
                              "0 deferred; 152 requests)\n")
    batches = fake.requests_to("/paper/batch")
    assert len(batches) == math.ceil(150 / 500)
    assert batches[0].body == {"ids": [f"ARXIV:2101.{i:05d}" for i in [*range(1, 150), 0]]}  # in record id order
    refs = fake.requests_to("/references")
    assert len(refs) == 150 and len({r.path for r in refs}) == 150
    assert [r.path for r in fake.requests_to("/citations")] == [f"/paper/{paper_id(SURVEY)}/citations"]
    assert len(fake.log) == 152
    assert err.splitlines()[-1] == ("enrich [########################] 150/150 fetched 150, not found 0, failed 0 "
                                    "(ssml-survey)")
    assert len(err.splitlines()) == 11  # one line per tenth of the way when stderr is not a terminal (with -v)
    first = tree(root)
    assert len([k for k in first if k.startswith("data/semantic-scholar/")]) == 150

    code, out, err = enrich(capsys, root)
    assert (code, out, err) == (0, "0 errors, 0 warnings (150 records: 0 fetched, 0 not found, 0 failed, "
                                   "150 unchanged, 0 deferred; 0 requests)\n", "")
    assert len(fake.log) == 152
    assert tree(root) == first


def test_snapshot_file_format(fake: FakeS2, kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 3))
    assert enrich(capsys, root)[0] == 0
    text = (root / "data/semantic-scholar/paper-002.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    ref = {"externalIds": {"ArXiv": "2101.00001", "CorpusId": 100001}, "intents": ["background"],
           "isInfluential": True, "paperId": paper_id("paper-001"), "title": "Synthetic Paper paper-001", "year": 2021}
    assert doc["references"][0] == ref
    assert [r["title"] for r in doc["references"]] == ["Synthetic Paper paper-001", "Synthetic Paper ssml-survey",
                                                       "Outside Paper 2"]  # the unresolved entry is skipped
    paper = load_snapshot(Project(root)).records["paper-002"]
    assert (doc["schema"], doc["id"], doc["fetched"], doc["resolved_by"], doc["status"]) == \
        (1, "paper-002", TODAY, "ARXIV:2101.00002", "ok")
    assert doc["record_key"] == paper.record_key
    assert doc["paper"]["citationCount"] == 20 and doc["paper"]["paperId"] == paper_id("paper-002")
    assert "citations" not in doc
    survey = json.loads((root / "data/semantic-scholar/ssml-survey.json").read_text(encoding="utf-8"))
    assert [c["title"] for c in survey["citations"]] == ["Synthetic Paper paper-001", "Synthetic Paper paper-002"]


def test_fallbacks_doi_then_title_then_not_found(fake: FakeS2, kb: KbFactory,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    fake.add(s2_paper("by-doi", 1, title="Found By Its DOI", doi="10.1000/xyz"))
    fake.add(s2_paper("by-title", 2, title="Found By Its Title Alone", year=2020))
    root = kb({
        "papers/by-doi.yaml": record("by-doi", "Found By Its DOI", arxiv="2201.00001", doi="10.1000/XYZ"),
        "papers/by-title.yaml": record("by-title", "Found by its title alone", year=2020),
        "papers/wrong-year.yaml": record("wrong-year", "Found By Its Title Alone", year=2019),
        "papers/nowhere.yaml": record("nowhere", "A Paper Nobody Indexed", arxiv="2201.00009"),
    })
    code, out, _ = enrich(capsys, root)
    assert (code, out) == (0, (
        "papers/nowhere.yaml: warning [s2-not-found] Semantic Scholar knows no paper by ARXIV:2201.00009, nor by "
        "this title and year; stored as not found\n"
        "papers/wrong-year.yaml: warning [s2-not-found] Semantic Scholar knows no paper by this title and year (the "
        "record has no arXiv id or DOI); stored as not found\n"
        "0 errors, 2 warnings (4 records: 2 fetched, 2 not found, 0 failed, 0 unchanged, 0 deferred; 7 requests)\n"))
    assert [r.body["ids"] for r in fake.requests_to("/paper/batch")] == [["ARXIV:2201.00001", "ARXIV:2201.00009"],
                                                                        ["DOI:10.1000/XYZ"]]
    assert [r.query["query"] for r in fake.requests_to("/search/match")] == [
        "Found by its title alone", "A Paper Nobody Indexed", "Found By Its Title Alone"]
    snap = load_snapshot(Project(root))
    assert {k: (r.status, r.resolved_by) for k, r in snap.records.items()} == {
        "by-doi": ("ok", "DOI:10.1000/XYZ"), "by-title": ("ok", "title-match"),
        "nowhere": ("not-found", None), "wrong-year": ("not-found", None)}
    assert snap.problems == []
    assert enrich(capsys, root)[1].endswith("(4 records: 0 fetched, 0 not found, 0 failed, 4 unchanged, "
                                            "0 deferred; 0 requests)\n")


def test_changed_record_is_fetched_again_and_only_it(fake: FakeS2, kb: KbFactory,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 5))
    enrich(capsys, root)
    fake.log.clear()
    path = root / "papers/paper-003.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('arxiv: "2101.00003"', 'arxiv: "2101.00004"'),
                    encoding="utf-8")
    code, out, _ = enrich(capsys, root)
    assert code == 0
    assert "(5 records: 1 fetched, 0 not found, 0 failed, 4 unchanged, 0 deferred; 2 requests)" in out
    assert "papers/paper-003.yaml: warning [s2-same-paper] resolves to the same Semantic Scholar paper as " \
           "papers/paper-004.yaml (a duplicate record?)" in out
    assert [r.body for r in fake.requests_to("/paper/batch")] == [{"ids": ["ARXIV:2101.00004"]}]


def test_refresh_only_and_limit(fake: FakeS2, kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 6))
    code, out, _ = enrich(capsys, root, "--limit", "2")
    assert code == 0 and "(6 records: 2 fetched, 0 not found, 0 failed, 0 unchanged, 4 deferred; 3 requests)" in out
    assert sorted(p.stem for p in (root / "data/semantic-scholar").iterdir()) == ["paper-001", "paper-002"]
    code, out, _ = enrich(capsys, root, "--only", "paper-005,paper-001")
    assert "(2 records: 1 fetched, 0 not found, 0 failed, 1 unchanged, 0 deferred; 2 requests)" in out
    code, out, _ = enrich(capsys, root, "--only", "paper-001", "--refresh")
    assert "(1 record: 1 fetched, 0 not found, 0 failed, 0 unchanged, 0 deferred; 2 requests)" in out
    code, out, _ = enrich(capsys, root)
    assert "(6 records: 3 fetched, 0 not found, 0 failed, 3 unchanged, 0 deferred; 5 requests)" in out


def test_unknown_only_id_is_a_usage_error(fake: FakeS2, kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 2))
    assert enrich(capsys, root, "--only", "paper-001,nope,zz") == \
        (2, "", "site-builder: error: --only names no paper record: nope, zz\n")
    assert fake.log == []


def test_a_failing_record_is_reported_and_the_run_goes_on(fake: FakeS2, kb: KbFactory,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 4))
    bad = paper_id("paper-002")
    fake.fail("status", f"/paper/{bad}/references", 500, retry_after="0", times=2)
    code, out, _ = enrich(capsys, root)
    assert (code, out) == (1, (
        f"papers/paper-002.yaml: error [s2-fetch-failed] GET /paper/{bad}/references: HTTP 500 'Internal Server "
        "Error' (gave up after 2 tries); nothing stored for this record\n"
        "1 error, 0 warnings (4 records: 3 fetched, 0 not found, 1 failed, 0 unchanged, 0 deferred; 7 requests)\n"))
    assert not (root / "data/semantic-scholar/paper-002.json").exists()
    fake.log.clear()
    code, out, _ = enrich(capsys, root)
    assert (code, out) == (0, "0 errors, 0 warnings (4 records: 1 fetched, 0 not found, 0 failed, 3 unchanged, "
                              "0 deferred; 2 requests)\n")
    assert [r.path for r in fake.requests_to("/references")] == [f"/paper/{bad}/references"]


def test_rate_limiting_stops_the_run_and_keeps_what_was_stored(fake: FakeS2, kb: KbFactory,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 4))
    fake.fail("status", f"/paper/{paper_id('paper-002')}/", 429, retry_after="0", times=2)
    code, out, _ = enrich(capsys, root)
    assert code == 1
    assert out.splitlines()[0] == (
        f"papers/paper-002.yaml: error [s2-rate-limited] GET /paper/{paper_id('paper-002')}/references: HTTP 429 "
        "'Too Many Requests. Please wait and try again or apply for a key for higher rate limits.' (gave up after "
        "2 tries); stopped here, 3 records left for the next run (set S2_API_KEY for a higher limit)")
    assert out.splitlines()[1].endswith("(4 records: 1 fetched, 0 not found, 0 failed, 0 unchanged, 3 deferred; "
                                        "4 requests)")
    assert [p.name for p in (root / "data/semantic-scholar").iterdir()] == ["paper-001.json"]


def test_curated_files_are_never_written(fake: FakeS2, kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 5))
    before = tree(root)
    enrich(capsys, root, "--refresh")
    after = tree(root)
    machine = ("data/semantic-scholar/", ".cache/")  # the snapshot and the private record cache
    assert {k: v for k, v in after.items() if not k.startswith(machine)} == before


def test_key_is_sent_but_never_printed(fake: FakeS2, kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    key = "key-that-must-not-leak-77"
    monkeypatch.setenv("S2_API_KEY", key)
    root = kb(collection(fake, 3))
    fake.fail("status", f"/paper/{paper_id('paper-001')}/", 500, retry_after="0", times=2)
    code, out, err = enrich(capsys, root)
    assert code == 1 and "s2-fetch-failed" in out
    assert key not in out + err
    assert {r.headers.get("x-api-key") for r in fake.log} == {key}


def test_warm_snapshot_needs_no_configuration(fake: FakeS2, kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb(collection(fake, 3))
    enrich(capsys, root)
    monkeypatch.setenv("S2_API_URL", "ftp://nowhere")
    assert enrich(capsys, root)[0] == 0
    assert enrich(capsys, root, "--refresh")[2] == \
        "site-builder: error: S2_API_URL must be an http(s) URL, not 'ftp://nowhere'\n"
    monkeypatch.setenv("S2_API_URL", fake.url)
    monkeypatch.setenv("SITE_BUILDER_TODAY", "28.11.2026")
    assert enrich(capsys, root, "--refresh")[::2] == \
        (2, "site-builder: error: SITE_BUILDER_TODAY must be a date YYYY-MM-DD, not '28.11.2026'\n")


def test_wrong_id_gives_a_title_mismatch_warning(fake: FakeS2, kb: KbFactory,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    fake.add(s2_paper("other", 1, title="Deep Residual Learning for Image Recognition", arxiv="1512.03385"))
    root = kb({"papers/clip.yaml": record("clip", "Learning Transferable Visual Models", arxiv="1512.03385")})
    code, out, _ = enrich(capsys, root)
    assert (code, out.splitlines()[0]) == (0, (
        "papers/clip.yaml:10:10: warning [s2-title-mismatch] ARXIV:1512.03385 is titled 'Deep Residual Learning for "
        "Image Recognition' on Semantic Scholar; check the id"))


def test_damaged_and_stray_snapshot_files(fake: FakeS2, kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 3))
    enrich(capsys, root)
    folder = root / "data/semantic-scholar"
    good = (folder / "paper-001.json").read_bytes()
    (folder / "paper-001.json").write_bytes(good[:40])
    (folder / ".paper-002.json.abc123.tmp").write_text("{", encoding="utf-8")
    (folder / "gone.json").write_bytes(good.replace(b'"paper-001"', b'"gone"'))
    code, out, _ = enrich(capsys, root)
    assert (code, out) == (0, (
        "data/semantic-scholar/gone.json: warning [snapshot-orphan] no paper record 'gone' any more; delete this "
        "file or restore the record\n"
        "0 errors, 1 warning (3 records: 1 fetched, 0 not found, 0 failed, 2 unchanged, 0 deferred; 2 requests)\n"))
    assert (folder / "paper-001.json").read_bytes() == good
    assert not (folder / ".paper-002.json.abc123.tmp").exists()


def test_record_key_follows_identifying_fields(kb: KbFactory) -> None:
    from site_builder.kb.records import load_knowledge_base

    root = kb({"papers/a.yaml": record("a", "Title A", arxiv="2101.00001"),
               "papers/b.yaml": record("b", "Title A", arxiv="2101.00001"),
               "papers/c.yaml": record("c", "Title A", arxiv="2101.00001", year=2020)})
    kb_, _ = load_knowledge_base(Project(root))
    assert kb_ is not None
    keys = {pid: record_key(p) for pid, p in kb_.papers.items()}
    assert keys["a"] == keys["b"] != keys["c"]
    assert len(keys["a"]) == 16


def test_citations_of_unknown_survey_are_not_fetched(fake: FakeS2, kb: KbFactory,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    fake.add(s2_paper("other", 1, arxiv="2101.00001"), references=[edge("citedPaper", s2_paper("x", 2))])
    root = kb({"papers/ssml-survey.yaml": record(SURVEY, "Self-Supervised Multimodal Learning", arxiv="2304.01008")})
    code, out, _ = enrich(capsys, root)
    assert code == 0 and "1 not found" in out
    assert fake.requests_to("/citations") == []


def test_a_broken_record_is_reported_and_the_others_are_enriched(fake: FakeS2, kb: KbFactory,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    files = collection(fake, 3)
    files["papers/paper-002.yaml"] = files["papers/paper-002.yaml"].replace("year: 2021", "year: twenty")
    root = kb(files)
    code, out, _ = enrich(capsys, root)
    assert (code, out) == (1, (
        "papers/paper-002.yaml:6:7: error [wrong-type] year: expected a whole number, got text 'twenty'\n"
        "1 error, 0 warnings (2 records: 2 fetched, 0 not found, 0 failed, 0 unchanged, 0 deferred; 4 requests)\n"))
    assert sorted(p.name for p in (root / "data/semantic-scholar").iterdir()) == ["paper-001.json", "ssml-survey.json"]


def test_wrong_typed_fields_fail_their_record_and_the_run_goes_on(fake: FakeS2, kb: KbFactory,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 6))
    for name, wrong in (("paper-002", {"authors": 42}), ("paper-003", {"year": "2021"}),
                        ("paper-004", {"citationCount": {"n": 1}})):
        pid = paper_id(name)
        fake.papers[pid] = {**fake.papers[pid], **wrong}  # a copy: the references that list it stay correct
    bad_ref = {**s2_paper("odd", 77), "externalIds": ["ArXiv", "2101.99999"]}
    fake.references[paper_id("paper-005")].append(edge("citedPaper", bad_ref))
    code, out, err = enrich(capsys, root)
    assert code == 1 and "Traceback" not in err
    assert out.splitlines() == [
        "papers/paper-002.yaml: error [s2-fetch-failed] POST /paper/batch: ARXIV:2101.00002: the entry: authors is a "
        "whole number, expected a list; nothing stored for this record",
        "papers/paper-003.yaml: error [s2-fetch-failed] POST /paper/batch: ARXIV:2101.00003: the entry: year is a "
        "string, expected a whole number; nothing stored for this record",
        "papers/paper-004.yaml: error [s2-fetch-failed] POST /paper/batch: ARXIV:2101.00004: the entry: "
        "citationCount is an object, expected a whole number; nothing stored for this record",
        f"papers/paper-005.yaml: error [s2-fetch-failed] GET /paper/{paper_id('paper-005')}/references: item 4: "
        "citedPaper.externalIds is a list, expected an object; nothing stored for this record",
        "4 errors, 0 warnings (6 records: 2 fetched, 0 not found, 4 failed, 0 unchanged, 0 deferred; 5 requests)"]
    assert sorted(p.name for p in (root / "data/semantic-scholar").iterdir()) == ["paper-001.json",
                                                                                  "ssml-survey.json"]


def test_a_lone_surrogate_in_a_title_is_stored_replaced(fake: FakeS2, kb: KbFactory,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = kb(collection(fake, 3))
    fake.papers[paper_id("paper-001")]["title"] = "Synthetic Paper paper-001 \ud800"  # sent as the escape \ud800
    code, out, err = enrich(capsys, root)
    assert code == 0 and "Traceback" not in err, out + err
    text = (root / "data/semantic-scholar/paper-001.json").read_text(encoding="utf-8")
    assert json.loads(text)["paper"]["title"] == "Synthetic Paper paper-001 \ufffd"
    assert load_snapshot(Project(root)).problems == []

"""``add --bibtex``: real-world style entries become exact records; malformed ones are reported by line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from site_builder.tools.add.render import SUMMARY_TODO
from tests.conftest import REPO, KbFactory, run_cli

BIB = REPO / "tests" / "data" / "realworld.bib"
EMPTY_TAGS = {f: [] for f in ("objective", "architecture", "alignment", "application", "modality", "challenge")}


def record(rid: str, title: str, authors: list[str], year: int | None, venue: str | None,
           ids: dict[str, str] | None = None, paper: str | None = None) -> dict[str, Any]:
    links: dict[str, Any] = {"paper": paper} if paper else {}
    links["code"] = []
    return {"id": rid, "title": title, "authors": authors, "year": year, "venue": venue, "kind": "method",
            "ids": ids or {}, "links": links, "tags": EMPTY_TAGS, "datasets": [], "summary": SUMMARY_TODO,
            "added": dt.date(2026, 12, 1)}


EXPECTED = [
    record("girdhar2023-imagebind", "ImageBind: One Embedding Space To Bind Them All",
           ["Rohit Girdhar", "Alaaeldin El-Nouby", "Zhuang Liu", "Mannat Singh", "Kalyan Vasudev Alwala",
            "Armand Joulin", "Ishan Misra"], 2023, "CVPR 2023", {"arxiv": "2305.05665"},
           "https://arxiv.org/abs/2305.05665"),
    record("muller2021-lingual", "Cross-Lingual Speech Grounding in Danish Broadcasts",
           ["Jörg Müller", "María García", "Søren Østergaard"], 2021, "TACL 2021", {"doi": "10.1162/tacl_a_00399"},
           "https://doi.org/10.1162/tacl_a_00399"),
    record("kowalski-tagging", "Audio Tagging with Weak Labels from Video Subtitles", ["Kaj Kowalski"], None, None),
    record("2022-temporal", "Temporal Cycle Consistency for Egocentric Video", [], 2022, "ECCV 2022"),
    record("akbari2021-vatt",
           "VATT: Transformers for Multimodal Self-Supervised Learning from Raw Video, Audio and Text",
           ["Hassan Akbari", "Liangzhe Yuan", "Rui Qian", "Wei-Hong Chuang", "Shih-Fu Chang", "Yin Cui", "Boqing Gong"],
           2021, "NeurIPS 2021"),
    record("baevski2022-data2vec",
           "data2vec: A General Framework for Self-supervised Learning in Speech, Vision and Language",
           ["Alexei Baevski", "Wei-Ning Hsu", "Qiantong Xu", "Arun Babu", "Jiatao Gu", "Michael Auli"], 2022,
           "ICML 2022"),
    record("bachmann2022-multimae", "MultiMAE: Multi-modal Multi-task Masked Autoencoders",
           ["Roman Bachmann", "David Mizrahi", "Andrei Atanov", "Amir Zamir"], 2022, "ECCV 2022",
           {"doi": "10.1007/978-3-031-19836-6_20"}, "https://doi.org/10.1007/978-3-031-19836-6_20"),
    record("li2023-unmasked", "Unmasked Teacher: Towards Training-Efficient Video Foundation Models",
           ["Kunchang Li", "Yali Wang", "Yizhuo Li", "Yi Wang", "Yinan He", "Limin Wang", "Yu Qiao"], 2023,
           "ICCV 2023"),
    record("vandenoord2018-contrastive", "Representation Learning with Contrastive Predictive Coding",
           ["Aäron van den Oord", "Yazhe Li", "Oriol Vinyals"], 2018, "arXiv", {"arxiv": "1807.03748"},
           "https://arxiv.org/abs/1807.03748"),
    record("smith2019-grounded", "Grounded Word Learning from Child-View Egocentric Recordings",
           ["John Smith Jr.", "Jane Doe"], 2019, "Annual Meeting of the Cognitive Science Society 2019"),
    record("hu2023-multispectral", "Multispectral Contrastive Pretraining for Crop Yield Estimation",
           ["Wei Hu", "Lei Zhang"], 2023, "Journal of Agricultural Informatics 2023",
           {"doi": "10.17700/JAI.2023.14.2.700"}, "https://doi.org/10.17700/JAI.2023.14.2.700"),
    record("zong2024-survey", "Self-Supervised Multimodal Learning: A Survey",
           ["Yongshuo Zong", "Oisin Mac Aodha", "Timothy Hospedales"], 2024, "IEEE TPAMI 2024",
           {"doi": "10.1109/TPAMI.2024.3429301"}, "https://doi.org/10.1109/TPAMI.2024.3429301"),
    record("ng2022-alpha", "Learning with $\\alpha$-Divergences for Audio–Visual Correspondence",
           ["Andrew Y. Ng", "Michael I. Jordan"], 2022, "AAAI 2022"),
    record("lecun2020-energy", "Energy-Based Views of Cross-Modal Prediction", ["Yann LeCun", "Geoffrey E. Hinton"],
           2020, "ICLR 2020", None, "https://openreview.net/forum?id=abc123XYZ"),
    record("openai2023-gpt", "GPT-4 Technical Report", ["OpenAI"], 2023, "arXiv", {"arxiv": "2303.08774"},
           "https://arxiv.org/abs/2303.08774"),
    record("zhang2022-prompting", "Prompting Frozen Encoders for Sound Event Detection", ["Lei Zhang", "Yu Chen"],
           2022, "ICASSP 2022"),
    record("zhang2022-tactile", "Prompting Tactile Encoders with Visual Context", ["Lei Zhang", "Hao Wang"], 2022,
           "CoRL 2022"),
    record("schonberg2022-schones", "Schönes Wetter: Self-Supervised Weather Recognition from Webcams and Audio",
           ["Arnold Schönberg", "Jan Łukasiewicz", "Peña Niño"], 2022, "CVPR Workshops 2022"),
]

REPORT = """\
created papers/girdhar2023-imagebind.yaml (from entry 'girdhar2023imagebind')
created papers/muller2021-lingual.yaml (from entry 'muller2021grounding')
created papers/kowalski-tagging.yaml (from entry 'noyear')
created papers/2022-temporal.yaml (from entry 'noauthor')
created papers/akbari2021-vatt.yaml (from entry 'akbari2021vatt')
created papers/baevski2022-data2vec.yaml (from entry 'baevski2022data2vec')
created papers/bachmann2022-multimae.yaml (from entry 'bachmann2022multimae')
created papers/li2023-unmasked.yaml (from entry 'wang2023iccv')
created papers/vandenoord2018-contrastive.yaml (from entry 'oord2018cpc')
created papers/smith2019-grounded.yaml (from entry 'smith2019jr')
created papers/hu2023-multispectral.yaml (from entry 'hu2023obscure')
created papers/zong2024-survey.yaml (from entry 'zong2024survey')
created papers/ng2022-alpha.yaml (from entry 'math2022')
created papers/lecun2020-energy.yaml (from entry 'lecun2020plain')
created papers/openai2023-gpt.yaml (from entry 'openai2023gpt4')
created papers/zhang2022-prompting.yaml (from entry 'zhang2022a')
created papers/zhang2022-tactile.yaml (from entry 'zhang2022b')
created papers/schonberg2022-schones.yaml (from entry 'schoenberg2022')
refs.bib:26: error [truncated-authors] entry 'radford2021learning': the author list is cut short ('and others', \
as Google Scholar exports long lists); write every author, from the paper or DBLP; it was not added
refs.bib:49: error [bibtex-syntax] cannot read '@article{broken2020,': Unexpected block start: `@inproceedings`. \
Was still looking for field-value closing `}`; the other entries were imported
refs.bib:43: error [missing-title] entry 'notitle' has no title; it was not added
papers/zong2024-survey.yaml: warning [check-fact] the title suggests a survey or review: set kind accordingly
refs.bib:152: error [duplicate-paper] entry 'duplicate-of-imagebind' is also entry 'girdhar2023imagebind' of this \
file (line 4, same title); nothing written
18 records created, 4 refused or unreadable
next: fill in the tags and the summary, then run `site-builder validate --changed`
"""




def test_realworld_bibtex_becomes_exact_records(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                fixed_today: None) -> None:
    root = kb()
    shutil.copy(BIB, root / "refs.bib")
    code, out, _ = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(root / "refs.bib"))
    assert out == REPORT
    assert code == 1  # some entries were refused
    written = sorted(p.stem for p in (root / "papers").glob("*.yaml"))
    assert written == sorted(r["id"] for r in EXPECTED)
    for expected in EXPECTED:
        got = yaml.safe_load((root / "papers" / f"{expected['id']}.yaml").read_text(encoding="utf-8"))
        assert got == expected, expected["id"]


def test_scaffold_comments_list_allowed_values_and_notes(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                          fixed_today: None) -> None:
    root = kb()
    shutil.copy(BIB, root / "refs.bib")
    run_cli(capsys, "add", "--root", str(root), "--bibtex", str(root / "refs.bib"))
    text = (root / "papers" / "zong2024-survey.yaml").read_text(encoding="utf-8")
    assert "\n# the title suggests a survey or review: set kind accordingly\n" in text
    assert ("  # objective (required): instance-discrimination (contrastive, matching), clustering, "
            "masked-prediction\n  #   (auto-encoding, auto-regressive)\n  objective: []\n") in text
    assert "  # challenge (optional): resources, robustness, fairness\n  challenge: []\n" in text
    assert text.startswith("# Scaffolded by `site-builder add` from refs.bib line 120 (entry 'zong2024survey').")


def test_dry_run_prints_records_and_writes_nothing(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                   fixed_today: None) -> None:
    root = kb()
    bib = root / "one.bib"
    bib.write_text(BIB.read_text(encoding="utf-8").split("@article{muller2021grounding")[0], encoding="utf-8")
    code, out, _ = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(bib), "--dry-run")
    assert code == 0
    assert out.startswith("# would create papers/girdhar2023-imagebind.yaml (from entry 'girdhar2023imagebind')\n"
                          "# Scaffolded by")
    assert out.endswith("1 record would be created, 0 refused or unreadable\n")
    assert list((root / "papers").iterdir()) == []


def test_undecodable_bibtex_is_reported_with_its_line(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb()
    bib = root / "latin1.bib"
    bib.write_bytes(b"@article{a,\n  title = {Caf\xe9},\n}\n")
    code, out, _ = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(bib))
    assert code == 1
    assert out.splitlines()[0] == "latin1.bib:2: error [encoding] byte 0xe9 is not valid UTF-8; save the file as UTF-8"


def test_missing_bibtex_file_is_a_usage_error(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb()
    code, out, err = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(root / "nope.bib"))
    assert (code, out) == (2, "")
    assert err == f"site-builder: error: {root / 'nope.bib'}: no such file\n"


@pytest.mark.parametrize("args", [[], ["ARXIV:2305.05665", "--bibtex", "x.bib"]], ids=["none", "both"])
def test_exactly_one_source(kb: KbFactory, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    root = kb()
    code, _, err = run_cli(capsys, "add", "--root", str(root), *args)
    assert code == 2
    assert err == "site-builder: error: give exactly one source: ARXIV:<id>, DOI:<doi> or --bibtex FILE\n"


def test_bibtex_import_needs_no_network(kb: KbFactory, capsys: pytest.CaptureFixture[str], fixed_today: None,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb()
    bib = root / "one.bib"
    bib.write_text("@misc{k, title={Offline Entry for Audio Grounding}, author={Doe, Jane}, year={2020}}\n",
                   encoding="utf-8")

    def no_client() -> None:
        raise AssertionError("BibTeX import must not build a Semantic Scholar client")

    monkeypatch.setattr("site_builder.tools.add.online.default_resolver", no_client)
    code, out, _ = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(bib))
    assert code == 0 and out.startswith("created papers/doe2020-offline.yaml")
    assert Path(root / "papers" / "doe2020-offline.yaml").is_file()

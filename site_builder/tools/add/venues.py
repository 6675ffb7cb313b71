"""Short canonical venue names (``CVPR 2022``, ``NeurIPS 2021``, ``arXiv``) from the long forms sources use."""

from __future__ import annotations

import re

#: (pattern on the lower-cased long name, short name). Order matters: the first match wins, so the more
#: specific forms (TACL, Findings, workshops) come before the names they contain.
_VENUES: tuple[tuple[str, str], ...] = (
    (r"transactions of the association for computational linguistics|\btacl\b", "TACL"),
    (r"\bfindings\b.*\b(acl|association for computational linguistics)\b", "Findings of ACL"),
    (r"\bfindings\b.*\b(emnlp|empirical methods)\b", "Findings of EMNLP"),
    (r"(computer vision and pattern recognition|\bcvpr\b).*workshop|workshop.*(\bcvpr\b)", "CVPR Workshops"),
    (r"computer vision and pattern recognition|\bcvpr\b", "CVPR"),
    (r"(international conference on computer vision|\biccv\b).*workshop|workshop.*\biccv\b", "ICCV Workshops"),
    (r"international conference on computer vision|\biccv\b", "ICCV"),
    (r"european conference on computer vision|\beccv\b", "ECCV"),
    (r"neural information processing systems|\bneurips\b|\bnips\b", "NeurIPS"),
    (r"international conference on machine learning|\bicml\b", "ICML"),
    (r"international conference on learning representations|\biclr\b", "ICLR"),
    (r"empirical methods in natural language processing|\bemnlp\b", "EMNLP"),
    (r"north american chapter of the association for computational linguistics|\bnaacl\b", "NAACL"),
    (r"annual meeting of the association for computational linguistics|^acl\b|\(acl\)", "ACL"),
    (r"\baaai\b", "AAAI"),
    (r"\bijcai\b|international joint conference on artificial intelligence", "IJCAI"),
    (r"acm (international conference on )?multimedia|\bacm mm\b", "ACM MM"),
    (r"pattern analysis and machine intelligence|\btpami\b", "IEEE TPAMI"),
    (r"international journal of computer vision|\bijcv\b", "IJCV"),
    (r"transactions on machine learning research|\btmlr\b", "TMLR"),
    (r"conference on robot learning|\bcorl\b", "CoRL"),
    (r"international conference on robotics and automation|\bicra\b", "ICRA"),
    (r"acoustics, speech,? and signal processing|\bicassp\b", "ICASSP"),
    (r"\binterspeech\b", "Interspeech"),
    (r"british machine vision conference|\bbmvc\b", "BMVC"),
    (r"winter conference on applications of computer vision|\bwacv\b", "WACV"),
    (r"transactions on image processing", "IEEE TIP"),
    (r"transactions on multimedia", "IEEE TMM"),
    (r"transactions on geoscience and remote sensing", "IEEE TGRS"),
)
_ARXIV = re.compile(r"\barxiv\b|\bcorr\b", re.IGNORECASE)
_PROCEEDINGS = re.compile(r"^(in\s+)?(proceedings\s+of\s+(the\s+)?)", re.IGNORECASE)
_TRAILING_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\s*$")
_ORDINAL_YEAR = re.compile(r"^\s*(\d{4}|\d+(st|nd|rd|th))\s+", re.IGNORECASE)


def is_arxiv_venue(name: str) -> bool:
    """True for the names preprints carry (``arXiv preprint arXiv:...``, ``CoRR``, ``ArXiv``)."""
    return bool(_ARXIV.search(name))


def canonical_venue(name: str | None) -> str | None:
    """The short name of a venue the table knows (``CVPR``, ``NeurIPS``, ``arXiv``), else ``None``."""
    text = " ".join((name or "").split())
    if not text:
        return None
    if is_arxiv_venue(text):
        return "arXiv"
    lowered = text.lower()
    return next((short for pattern, short in _VENUES if re.search(pattern, lowered)), None)


def short_venue(name: str | None, year: int | None) -> str | None:
    """The canonical short venue with its year, ``arXiv`` for preprints, or ``None`` when ``name`` is empty.

    Known venues are shortened (``Advances in Neural Information Processing Systems`` -> ``NeurIPS 2021``);
    other names are kept, without a leading "Proceedings of the", with the year appended unless they end in one.
    """
    text = " ".join((name or "").split())
    if not text:
        return None
    short = canonical_venue(text)
    if short == "arXiv":
        return short
    if short is None:
        short = _ORDINAL_YEAR.sub("", _PROCEEDINGS.sub("", text)).strip()
    if year is not None and not _TRAILING_YEAR.search(short):
        short = f"{short} {year}"
    return short

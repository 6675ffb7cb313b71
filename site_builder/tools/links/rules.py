"""How each kind of host is checked: pacing, URL to probe, and what an answer means.

The one rule everywhere: only 404 and 410 make a link *dead*. Rate limits (429), server errors (5xx), timeouts,
refusals (401/403) and anything else unclear make it *unknown*, never dead, because a false alarm would send a
curator to "fix" a good link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

State = Literal["alive", "dead", "unknown"]
DEAD_STATUS = frozenset({404, 410})
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: HEAD answers that mean "ask again with GET" (servers that do not implement or allow HEAD).
HEAD_FALLBACK = frozenset({400, 403, 405, 501})


@dataclass(frozen=True)
class Answer:
    """The final HTTP answer to a probe (after redirects)."""

    status: int
    url: str
    redirected: bool
    headers: Mapping[str, str]
    body_hint: str = ""


@dataclass(frozen=True)
class Verdict:
    """What an answer means for the link."""

    state: State
    detail: str


def generic_verdict(answer: Answer) -> Verdict:
    """The rule for any host: 2xx/3xx alive, 404/410 dead, everything else unknown."""
    if answer.status < 400:
        moved = f" (redirects to {answer.url})" if answer.redirected else ""
        return Verdict("alive", f"HTTP {answer.status}{moved}")
    if answer.status in DEAD_STATUS:
        return Verdict("dead", f"HTTP {answer.status}")
    if answer.status == 429:
        return Verdict("unknown", "HTTP 429: rate limited, try again later")
    if answer.status >= 500:
        return Verdict("unknown", f"HTTP {answer.status}: server error, try again later")
    if answer.status in (401, 403):
        return Verdict("unknown", f"HTTP {answer.status}: access refused to the checker; check by hand")
    return Verdict("unknown", f"HTTP {answer.status}")


def github_verdict(answer: Answer) -> Verdict:
    """GitHub: a renamed or transferred repository redirects (alive); 404 is gone; 403/429 is its rate limit."""
    rate_limited = answer.headers.get("x-ratelimit-remaining") == "0" or "rate limit" in answer.body_hint.lower()
    if answer.status == 429 or (answer.status == 403 and rate_limited):
        return Verdict("unknown", f"HTTP {answer.status}: GitHub rate limit, try again later")
    if answer.status < 400 and answer.redirected:
        return Verdict("alive", f"HTTP {answer.status} (repository moved to {answer.url}; update the link)")
    return generic_verdict(answer)


_ARXIV_PDF = re.compile(r"^/pdf/(.+?)(?:\.pdf)?/?$")


def arxiv_target(url: str) -> str:
    """arXiv PDFs are checked through their (much lighter) abstract page."""
    parts = urlsplit(url)
    match = _ARXIV_PDF.match(parts.path)
    return f"{parts.scheme}://{parts.netloc}/abs/{match.group(1)}" if match else url


def arxiv_verdict(answer: Answer) -> Verdict:
    """arXiv: 404 is an id that does not exist; 403 is its robot protection, not a dead paper."""
    if answer.status == 403:
        return Verdict("unknown", "HTTP 403: arXiv refused the checker (robot protection); check by hand")
    return generic_verdict(answer)


@dataclass(frozen=True)
class Rule:
    """How to check the links of one kind of host."""

    name: str
    interval: float
    verdict: Callable[[Answer], Verdict]
    target: Callable[[str], str] = lambda url: url


GENERIC = Rule("generic", 0.5, generic_verdict)
GITHUB = Rule("github", 1.0, github_verdict)
#: arXiv asks automated clients for no more than one request every three seconds.
ARXIV = Rule("arxiv", 3.0, arxiv_verdict, arxiv_target)

DEFAULT_RULES: dict[str, Rule] = {
    "github.com": GITHUB, "www.github.com": GITHUB,
    "arxiv.org": ARXIV, "www.arxiv.org": ARXIV, "export.arxiv.org": ARXIV,
}


def host_of(url: str) -> str:
    """The lower-cased host (with port, if any) a URL points at."""
    return urlsplit(url).netloc.lower()


def rule_for(url: str, rules: Mapping[str, Rule]) -> Rule:
    """The rule of the URL's host name (port ignored), or the generic rule."""
    return rules.get(urlsplit(url).hostname or "", GENERIC)

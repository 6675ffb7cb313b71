"""Probe one URL: HEAD (GET when HEAD is refused or says 404), follow redirects, retry what may pass."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from site_builder.safe.retry_after import retry_after
from site_builder.tools.links.pacing import Pacer
from site_builder.tools.links.rules import HEAD_FALLBACK, RETRY_STATUS, Answer, Rule, Verdict, host_of

USER_AGENT = "ssml-site-builder-linkcheck/0.1 (+https://github.com/ssml-kb/ssml-knowledge-base)"
MAX_REDIRECTS = 10


@dataclass(frozen=True)
class ProbeSettings:
    """Knobs of one run; ``sleep`` is injectable so that tests never wait for real."""

    timeout: float = 15.0
    retries: int = 2
    backoff: float = 2.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep


def _request(session: requests.Session, method: str, url: str, timeout: float) -> Answer:
    resp = session.request(method, url, allow_redirects=True, timeout=(timeout, timeout), stream=True)
    try:
        hint = ""
        if resp.status_code in (403, 429) and method == "GET":
            hint = next(resp.iter_content(2048, decode_unicode=False), b"").decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in resp.headers.items()}
        return Answer(resp.status_code, resp.url, bool(resp.history), headers, hint)
    finally:
        resp.close()


def _once(session: requests.Session, url: str, settings: ProbeSettings) -> Answer:
    answer = _request(session, "HEAD", url, settings.timeout)
    if answer.status in HEAD_FALLBACK or answer.status in (404, 410):
        # Some servers refuse or mishandle HEAD; GET decides (and confirms a 404 before calling a link dead).
        answer = _request(session, "GET", url, settings.timeout)
    return answer


def probe(session: requests.Session, url: str, rule: Rule, pacer: Pacer, settings: ProbeSettings) -> Verdict:
    """The verdict on ``url`` under ``rule``, after at most ``settings.retries`` retries."""
    target = rule.target(url)
    host = host_of(target)
    verdict = Verdict("unknown", "not checked")
    for attempt in range(settings.retries + 1):
        pacer.wait(host, rule.interval)
        wait: float | None = None
        try:
            answer = _once(session, target, settings)
        except requests.TooManyRedirects:
            return Verdict("unknown", f"more than {MAX_REDIRECTS} redirects (a loop?)")
        except requests.Timeout:
            verdict = Verdict("unknown", f"timed out after {settings.timeout:g} s")
        except requests.ConnectionError as exc:
            verdict = Verdict("unknown", f"connection failed ({type(exc).__name__})")
        except requests.RequestException as exc:
            return Verdict("unknown", f"request failed ({type(exc).__name__})")
        else:
            verdict = rule.verdict(answer)
            if answer.status not in RETRY_STATUS or verdict.state != "unknown":
                return verdict
            wait = retry_after(answer.headers.get("retry-after"))
            if wait is not None and wait > settings.max_wait:
                return Verdict("unknown", f"{verdict.detail} (Retry-After {wait:.0f} s)")
        if attempt < settings.retries:
            delay = wait if wait is not None else settings.backoff * 2 ** attempt
            pacer.hold(host, delay)
    return verdict

"""Probe one URL: HEAD (GET when HEAD is refused or says 404), follow redirects, retry what may pass."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from site_builder.safe import http as safehttp
from site_builder.tools.links.pacing import Pacer
from site_builder.tools.links.rules import HEAD_FALLBACK, RETRY_STATUS, Answer, Rule, Verdict, host_of

USER_AGENT = "ssml-site-builder-linkcheck/0.1 (+https://github.com/ssml-kb/ssml-knowledge-base)"
MAX_REDIRECTS = 10
#: Of a 403/429 answer to GET only this much body is read (to tell a rate limit from a refusal).
HINT_BYTES = 2048
#: Without an explicit deadline, one probe request (all hops) may take this many timeouts.
DEADLINE_TIMEOUTS = 2


@dataclass(frozen=True)
class ProbeSettings:
    """Knobs of one run; ``sleep`` is injectable so that tests never wait for real.

    ``timeout`` bounds each wait for bytes; ``deadline`` (default twice ``timeout``) a whole request, redirects
    and a dripped status line included.
    """

    timeout: float = 15.0
    retries: int = 2
    backoff: float = 2.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    deadline: float | None = None

    @property
    def limits(self) -> safehttp.Limits:
        """The HTTP layer's bounds for one probe request."""
        total = self.deadline if self.deadline is not None else DEADLINE_TIMEOUTS * self.timeout
        return safehttp.Limits(read_timeout=self.timeout, deadline=total, max_redirects=MAX_REDIRECTS,
                               max_body=HINT_BYTES * 64, max_decoded=HINT_BYTES)


def _request(session: requests.Session, method: str, url: str, settings: ProbeSettings) -> Answer:
    """Status and headers of the final answer; no body is read but the start of a GET's 403/429 (the hint)."""
    with safehttp.open_url(session, method, url, settings.limits) as reply:
        hint = ""
        if reply.status in (403, 429) and method == "GET":
            try:
                hint = reply.read(HINT_BYTES, partial=True).decode("utf-8", "replace")
            except safehttp.HttpError:
                hint = ""
        return Answer(reply.status, reply.url, reply.redirected, dict(reply.headers), hint)


def _once(session: requests.Session, url: str, settings: ProbeSettings) -> Answer:
    answer = _request(session, "HEAD", url, settings)
    if answer.status in HEAD_FALLBACK or answer.status in (404, 410):
        # Some servers refuse or mishandle HEAD; GET decides (and confirms a 404 before calling a link dead).
        answer = _request(session, "GET", url, settings)
    return answer


def _failed(exc: safehttp.HttpError, settings: ProbeSettings) -> Verdict:
    if isinstance(exc, safehttp.RequestTimeout):
        if exc.deadline_hit:
            return Verdict("unknown", f"no complete answer within the {settings.limits.deadline:g} s deadline")
        return Verdict("unknown", f"timed out after {settings.timeout:g} s")
    if isinstance(exc, safehttp.ConnectFailed):
        return Verdict("unknown", f"connection failed ({exc.kind})")
    return Verdict("unknown", str(exc))


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
        except (safehttp.RedirectError, safehttp.TooLarge, safehttp.ProtocolError) as exc:
            return Verdict("unknown", str(exc))  # the same answer next time: no retry
        except safehttp.HttpError as exc:
            verdict = _failed(exc, settings)
        else:
            verdict = rule.verdict(answer)
            if answer.status not in RETRY_STATUS or verdict.state != "unknown":
                return verdict
            wait = safehttp.retry_after(answer.headers.get("retry-after"))
            if wait is not None and wait > settings.max_wait:
                return Verdict("unknown", f"{verdict.detail} (Retry-After {wait:.0f} s)")
        if attempt < settings.retries:
            delay = wait if wait is not None else settings.backoff * 2 ** attempt
            pacer.hold(host, delay)
    return verdict

"""The ``check-links`` stage: load records, probe each distinct URL once with bounded concurrency, gather results."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from site_builder.kb.problems import SiteBuilderError
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.safe import http as safehttp
from site_builder.tools.links.collect import LinkRef, collect_links
from site_builder.tools.links.pacing import Pacer
from site_builder.tools.links.probe import MAX_REDIRECTS, USER_AGENT, ProbeSettings, probe
from site_builder.tools.links.rules import DEFAULT_RULES, Rule, State, Verdict, rule_for


@dataclass(frozen=True)
class LinkResult:
    """The verdict on one URL and every place it is written."""

    url: str
    state: State
    detail: str
    refs: tuple[LinkRef, ...]


@dataclass
class LinkReport:
    """Every URL checked, in a stable order (by first file and line), and the records that could not be read."""

    results: list[LinkResult] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def count(self, state: State) -> int:
        """How many URLs are in ``state``."""
        return sum(1 for r in self.results if r.state == state)

    @property
    def dead(self) -> bool:
        """True when at least one link is dead (the command's exit status 1)."""
        return self.count("dead") > 0


def new_session() -> requests.Session:
    """A session with the checker's user agent whose requests go through the safe HTTP layer's transport.

    Redirects are followed by :func:`site_builder.safe.http.open_url` (at most ``MAX_REDIRECTS``), not by it.
    """
    session = safehttp.new_session(USER_AGENT)
    session.max_redirects = MAX_REDIRECTS
    return session


def check_urls(urls: Mapping[str, list[LinkRef]], *, concurrency: int = 8, settings: ProbeSettings | None = None,
               rules: Mapping[str, Rule] | None = None,
               session_factory: Callable[[], requests.Session] = new_session,
               progress: Callable[[int, str], None] | None = None) -> list[LinkResult]:
    """Probe each URL once (``concurrency`` at a time, paced per host); results in the order of ``urls``.

    ``progress`` is called with the number of URLs finished and the last one (from one thread at a time)."""
    settings = settings or ProbeSettings()
    finished = [0]
    lock = threading.Lock()
    table = DEFAULT_RULES if rules is None else rules
    pacer = Pacer(sleep=settings.sleep)
    local = threading.local()

    def one(url: str) -> LinkResult:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = session_factory()
        try:
            verdict = probe(session, url, rule_for(url, table), pacer, settings)
        except Exception as exc:
            verdict = Verdict("unknown", f"not checked: the checker failed on it ({type(exc).__name__})")
        if progress is not None:
            with lock:
                finished[0] += 1
                progress(finished[0], url)
        return LinkResult(url, verdict.state, verdict.detail, tuple(urls[url]))

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="check-links") as pool:
        return list(pool.map(one, list(urls)))


def check_links(project: Project, *, concurrency: int = 8, settings: ProbeSettings | None = None,
                rules: Mapping[str, Rule] | None = None,
                session_factory: Callable[[], requests.Session] = new_session,
                progress: Callable[[int, int, str], None] | None = None) -> LinkReport:
    """Check every paper, code, project and dataset link of the knowledge base. Reads records, never writes.

    ``progress`` is called with (links finished, links in all, the last one)."""
    kb, problems = load_knowledge_base(project)
    if kb is None:
        raise SiteBuilderError("taxonomy.yaml is unusable; run `site-builder validate`", problems)
    urls = collect_links(kb)
    ordered = dict(sorted(urls.items(), key=lambda kv: (kv[1][0].path, kv[1][0].line or 0, kv[0])))
    total = len(ordered)
    results = check_urls(ordered, concurrency=concurrency, settings=settings, rules=rules,
                         session_factory=session_factory,
                         progress=(lambda done, url: progress(done, total, url)) if progress is not None else None)
    return LinkReport(results, sorted(kb.broken))

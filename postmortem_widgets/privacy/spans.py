"""Internal details a customer must not see: emails, IPs, internal hosts and URLs, ticket IDs, secrets.

The detectors are shared with :mod:`.redact`. Where two overlap (an email on an internal domain, a token in
a URL) the more serious kind wins: secret, email, URL, host, IP, ticket.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    pass

SECRET, EMAIL, URL, HOST, IP, TICKET = "secret", "email", "url", "host", "ip", "ticket"
#: Overlap priority, most serious first (people's names, found elsewhere, come last).
KINDS: tuple[str, ...] = (SECRET, EMAIL, URL, HOST, IP, TICKET, "name")

_SECRET_RE = re.compile(
    r"""(?x)
    \b(?:sk|rk|pk)[-_](?:live[-_]|test[-_]|proj[-_])?[A-Za-z0-9_-]{16,}   # OpenAI / Stripe style keys
    | \b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b                       # AWS access key IDs
    | \bgh[pousr]_[A-Za-z0-9]{30,}\b | \bgithub_pat_[A-Za-z0-9_]{40,}     # GitHub tokens
    | \bglpat-[A-Za-z0-9_-]{20,}                                         # GitLab
    | \bxox[abposr]-[A-Za-z0-9-]{10,}                                    # Slack
    | \bAIza[0-9A-Za-z_-]{35}                                            # Google API keys
    | \beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}    # JWTs
    | \b[Bb]earer\s+[A-Za-z0-9._~+/-]{16,}=*
    | -----BEGIN[A-Z ]*PRIVATE\ KEY-----
    | \b(?i:api[_-]?key|secret(?:[_-]key)?|access[_-]?token|auth[_-]?token|token|password|passwd|pwd)
      \s*[:=]\s*["']?(?![a-z]+\b)[^\s"',;]{6,}                         # a value, not a word ("token: failed")
    """
)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b")
_URL_RE = re.compile(
    r"\b(?:https?|ftp|ssh|wss?|git|jdbc:\w+|postgres(?:ql)?|mysql|redis|mongodb)://[^\s<>\"'`)\]]+"
)
_HOST_RE = re.compile(
    r"(?<![\w@.-])(?:localhost(?::\d+)?\b|(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{1,62}"
    r"(?::\d{2,5})?(?![\w-]))"
)
_IPV4_RE = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?:/\d{1,2})?(?::\d{2,5})?(?![\w.]*\d)"
)
_IPV6_RE = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:/\d{1,3})?(?![\w:])")
#: Prefixes of KEY-123 forms that are standards and names, not tickets.
_NOT_TICKETS = frozenset((
    "SEV", "CVE", "CWE", "ISO", "IEC", "UTF", "SHA", "MD", "TLS", "SSL", "HTTP", "HTTPS", "RFC", "IPV",
    "COVID", "AES", "RSA", "PCI", "SOC", "GDPR", "WCAG", "ECMA", "ES", "X", "P", "Q", "H", "F", "SLA",
    "API", "V", "MP", "CO", "GPT", "LTE", "USB", "PS", "WPA"
))  # fmt: skip
#: "Incident #19009" and "issue #1094" are usually public (a status page, a public tracker): not tickets.
_TICKET_RE = re.compile(
    r"(?<![\w/-])(?P<key>[A-Z][A-Z0-9]{1,9})-(?P<num>\d{1,7})(?![\w-])"
    r"|\b(?i:ticket|case|bug|change request|cr)\s*#\s?\d{2,}\b"
)
#: Top-level domains and suffixes that never resolve on the public internet, or name private infrastructure.
INTERNAL_TLDS = frozenset((
    "internal", "local", "corp", "lan", "intranet", "localdomain", "home", "private", "priv", "int", "test",
    "invalid", "localhost", "svc", "cluster"
))  # fmt: skip
INTERNAL_SUFFIXES: tuple[str, ...] = (
    ".compute.amazonaws.com", ".rds.amazonaws.com", ".elb.amazonaws.com", ".cache.amazonaws.com",
    ".ec2.internal", ".cluster.local", ".svc.cluster.local", ".database.windows.net", ".home.arpa",
    ".consul", ".vault",
)  # fmt: skip
#: Host labels that name internal tooling.
INTERNAL_LABELS = frozenset((
    "internal", "intranet", "corp", "vpn", "jenkins", "grafana", "kibana", "prometheus", "alertmanager",
    "jira", "confluence", "wiki", "gitlab", "sentry", "admin", "staging", "stage", "stg", "ci", "bastion",
    "jump", "k8s", "kube"
))  # fmt: skip
#: An internal service or machine name without a domain: "redis-cache-prod-02", "payments-db-primary",
#: "cache-01" (an environment or instance marker after a name; cloud regions like "us-east-1" are public).
_SERVICE_RE = re.compile(
    r"(?:[a-z][a-z0-9]*-)+(?:prod|production|staging|stg|internal|primary|replica|master)(?:-\d+[a-z]?)?"
    r"|(?:[a-z][a-z0-9]*-){2,}\d{2,}[a-z]?"
    r"|(?:db|cache|web|app|api|worker|node|redis|pg|mysql|kafka|es|k8s|srv|host|lb|mq)-\d+[a-z]?"
)
#: A hyphenated lower-case word, the only place a service name can be (found first: one cheap pass).
_HYPHENATED_RE = re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w@-])")
_REGION_RE = re.compile(
    r"^(?:non-)?(?:us|eu|ap|sa|ca|me|af|il|mx|cn|uk)(?:-gov)?-(?:north|south|east|west|central|northeast"
    r"|southeast|northwest|southwest)+-\d+[a-z]?$"
)
#: A host label that names one machine ("db1", "web-03", "pg-primary"): under any domain, an internal host.
_MACHINE_LABEL = re.compile(
    r"^(?:db|pg|sql|mysql|redis|cache|web|app|api|worker|node|srv|server|host|lb|proxy|k8s|kube|mq|kafka"
    r"|es|mongo|etcd|vm|box|bastion)-?\d+[a-z]?$|^(?:[\w-]+-)?(?:primary|replica|master|standby)-?\d*$"
)
_ROLE_ADDRESSES = frozenset((
    "support", "help", "status", "security", "privacy", "noreply", "no-reply", "hello", "info", "contact",
    "sales", "billing", "success"
))  # fmt: skip


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    text: str
    #: Why it counts (for messages): "private IP range", "internal domain .internal", ...
    why: str = ""


def internal_host(host: str) -> str:
    """Why ``host`` (a name or address) is internal, or "" when it looks public."""
    host = host.lower().rstrip(".").split(":")[0]
    if not host:
        return ""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return "a private IP address" if not address.is_global else "an IP address"
    if host == "localhost":
        return "localhost"
    labels = host.split(".")
    if len(labels) < 2:
        return "a bare host name"
    if labels[-1] in INTERNAL_TLDS:
        return f"an internal domain (.{labels[-1]})"
    for suffix in INTERNAL_SUFFIXES:
        if host.endswith(suffix):
            return f"a private cloud endpoint ({suffix[1:]})"
    label = _internal_label(labels)
    return f"an internal host ({label})" if label else ""


def _internal_label(labels: list[str]) -> str:
    """The label that makes a public-looking name internal, or "".

    A registrable domain's own name ("gitlab.com", "sentry.io") is public, whatever tool it is named after;
    only the labels in front of it (subdomains) can name internal machinery ("db1.cluster.gitlab.com").
    """
    for label in labels[:-2]:
        if label in INTERNAL_LABELS or _MACHINE_LABEL.match(label):
            return label
    for label in labels[:-1]:
        if any(
            label.startswith(f"{w}-") or label.endswith(f"-{w}")
            for w in ("internal", "corp", "intranet", "prod", "staging")
        ):
            return label
    return ""


def _ticket(match: re.Match[str]) -> bool:
    key = match.group("key")
    return key is None or (
        key not in _NOT_TICKETS and not key.isdigit() and not re.fullmatch(r"[A-Z]\d+", key)
    )


def find_secrets(text: str) -> list[Span]:
    """Everything in ``text`` shaped like a secret: API keys, tokens, private keys, ``password=...``.

    The model drafter scrubs these from the stream; the reviewer reports them.

    >>> [s.text for s in find_secrets("use Bearer abcdefghijklmnop1234 now")]
    ['Bearer abcdefghijklmnop1234']
    """
    return [
        Span(m.start(), m.end(), SECRET, m.group(), "looks like a secret or API key")
        for m in _SECRET_RE.finditer(text)
    ]


def find_spans(text: str, *, keep: Iterable[str] = (), public: Iterable[str] = ()) -> list[Span]:
    """Every internal detail in ``text``, overlaps resolved by :data:`KINDS` priority, in text order.

    ``public`` lists domains known to be public (the product's own, "gitlab.com"): they and the URLs on them
    are not internal, though a machine under them ("db1.cluster.gitlab.com") still is.
    """
    kept = {k.lower() for k in keep}
    domains = frozenset(d.lower().rstrip(".") for d in public)
    spans = [
        *find_secrets(text),
        *(Span(m.start(), m.end(), EMAIL, m.group()) for m in _EMAIL_RE.finditer(text)),
        *_url_spans(text, domains),
        *_host_spans(text, domains),
        *(
            Span(m.start(), m.end(), HOST, m.group(), "an internal service name")
            for m in _HYPHENATED_RE.finditer(text)
            if _SERVICE_RE.fullmatch(m.group()) and not _REGION_RE.match(m.group())
        ),
        *_ip_spans(text),
        *(Span(m.start(), m.end(), TICKET, m.group()) for m in _TICKET_RE.finditer(text) if _ticket(m)),
    ]
    return resolve_overlaps([s for s in spans if s.text.lower() not in kept])


def _url_spans(text: str, public: frozenset[str] = frozenset()) -> Iterator[Span]:
    for m in _URL_RE.finditer(text):
        url = m.group().rstrip(".,;:!?")
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        scheme = url.split(":", 1)[0].lower()
        if scheme in ("http", "https") and host.lower().removeprefix("www.") in public:
            continue
        why = internal_host(host) if host and scheme in ("http", "https") else "a connection string"
        if why:
            yield Span(m.start(), m.start() + len(url), URL, url, why)


def _host_spans(text: str, public: frozenset[str] = frozenset()) -> Iterator[Span]:
    for m in _HOST_RE.finditer(text):
        if m.group().lower() in public:
            continue
        why = internal_host(m.group())
        if why and why != "a bare host name" and m.group().lower() != "localhost":
            yield Span(m.start(), m.end(), HOST, m.group(), why)


def _ip_spans(text: str) -> Iterator[Span]:
    for regex in (_IPV4_RE, _IPV6_RE):
        for m in regex.finditer(text):
            bare = m.group().split("/")[0]
            if regex is _IPV4_RE:
                bare = bare.split(":")[0]
            elif len(bare) < 3 or not any(c.isalnum() for c in bare):
                continue
            try:
                address = ipaddress.ip_address(bare)
            except ValueError:
                continue
            why = "a private IP address" if not address.is_global else "an IP address"
            yield Span(m.start(), m.end(), IP, m.group(), why)


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the most serious of overlapping spans (then the longest), in text order."""
    rank = {k: i for i, k in enumerate(KINDS)}
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (rank.get(s.kind, len(KINDS)), -(s.end - s.start), s.start)):
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def is_role_address(email: str) -> bool:
    return email.split("@", 1)[0].lower() in _ROLE_ADDRESSES

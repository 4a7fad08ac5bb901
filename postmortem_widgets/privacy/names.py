"""People's names: who they are (responders, chat users, on-call agents, a roster) and where they appear.

A customer-facing postmortem names no individual (the seed's fifth tip), and a prompt sent to a model
should not carry them either. Full names match in any case; a single first or last name matches only
when capitalised as a name (or as the lower-case chat handle it came from), and common words that are
also names ("Will", "May", "Mark") only as part of a full name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import RosterError
from ..timeline.merge import Timeline

#: Timeline sources whose actors are people (chat users, paging agents).
PEOPLE_SOURCES: frozenset[str] = frozenset({"slack", "pagerduty", "opsgenie"})

#: Actors that are tools, not people (paging integrations post as these).
_TOOLS = frozenset((
    "datadog", "prometheus", "alertmanager", "grafana", "cloudwatch", "pagerduty", "opsgenie", "sentry",
    "statuspage", "zendesk", "slackbot", "jira", "github", "gitlab", "jenkins", "splunk", "nagios",
    "zabbix", "pingdom", "newrelic", "new", "relic", "honeycomb", "lightstep", "uptime", "robot", "system",
    "automation", "api", "events", "integration", "monitor", "bot", "webhook", "escalation", "policy",
    "service", "rule", "scheduler"
))  # fmt: skip
_COMMON_WORDS = frozenset((
    "will", "may", "june", "april", "august", "mark", "bill", "rob", "sky", "grace", "hope", "joy", "faith",
    "summer", "autumn", "art", "chase", "dean", "drew", "gene", "glen", "iris", "ivy", "jack", "jay",
    "lane", "max", "miles", "pat", "ray", "rose", "sandy", "victor", "wade", "frank", "guy", "hunter",
    "page", "penny", "king", "read", "rich", "sunny", "crystal", "amber", "dawn", "earl", "florence",
    "forest", "bob", "sue", "don", "van", "mike", "ali", "ash", "basil", "carol", "cliff", "cole", "dale",
    "dash", "deb", "dot", "gray", "heath", "holly", "jade", "jean", "jewel", "job", "kay", "kit", "lee",
    "lou", "lily", "lyle", "mason", "mo", "ned", "olive", "pearl", "ping", "reed", "rex", "robin", "roman",
    "rusty", "sage", "scott", "skip", "sol", "stan", "storm", "sue", "ted", "tim", "todd", "tom", "trinity"
))  # fmt: skip
_PARTICLES = frozenset({"van", "von", "de", "der", "da", "di", "la", "le", "del", "bin", "al"})


def parse_roster(text: str) -> list[str]:
    """Names from a roster file: one a line, ``#`` comments and blank lines ignored.

    A line like ``Priya Patel <priya@example.com>`` or ``Priya Patel, SRE`` keeps the name before the
    address or comma.

    >>> parse_roster("# on-call\\nPriya Patel <priya@example.com>\\n\\nMarcus Chen, SRE\\n")
    ['Priya Patel', 'Marcus Chen']
    """
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        line = re.split(r"\s*(?:<|,|\t|\|)", line, maxsplit=1)[0].strip()
        if line:
            names.append(line)
    return names


def load_roster(path: str | Path) -> list[str]:
    """:func:`parse_roster` on a file; an unreadable file is a :class:`RosterError`."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RosterError(
            f"cannot read the roster: {exc.strerror or exc}",
            file=str(path),
            hint="pass a text file, one name a line",
        ) from None
    try:
        return parse_roster(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterError(
            "the roster is not UTF-8 text",
            file=str(path),
            line=line,
            hint="save it as UTF-8, one name a line",
        ) from None


def _is_person(name: str) -> bool:
    words = re.findall(r"[^\W\d_]+", name.lower())
    if not words or len(words) > 4 or any(c.isdigit() for c in name):
        return False
    return not any(w in _TOOLS for w in words) and name.lower() not in _TOOLS


def people_names(
    responders: Iterable[str] = (), timeline: Timeline | None = None, roster: Iterable[str] = ()
) -> list[str]:
    """Every person the draft must not name: responders, people in the timeline's chat and paging
    sources, and the roster. Tools that post as actors ("Datadog", "Events API") are left out."""
    names: list[str] = [n.strip() for n in [*roster, *responders] if n and n.strip()]
    if timeline is not None and len(timeline.events):
        events = timeline.events
        actors = events.loc[events["source"].isin(list(PEOPLE_SOURCES)), "actor"]
        names.extend(a.strip() for a in actors.drop_duplicates() if isinstance(a, str) and _is_person(a))
    seen: set[str] = set()
    unique = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            unique.append(name)
    return unique


@dataclass(frozen=True)
class NameHit:
    start: int
    end: int
    text: str
    #: The roster or timeline name it belongs to.
    name: str


class NameMatcher:
    """One compiled regex for every name and its parts.

    ``loose`` matches single first or last names in any case ("priya" in chat text): right for redaction,
    where a missed name leaks, too eager for review findings.
    """

    def __init__(self, names: Sequence[str], *, loose: bool = False) -> None:
        self.names = list(names)
        self.loose = loose
        full: dict[str, str] = {}
        exact: dict[str, str] = {}
        for name in self.names:
            clean = " ".join(name.replace("@", " ").split())
            if not clean:
                continue
            full[clean.lower()] = name
            tokens = [t for t in re.split(r"[\s._-]+", clean) if t]
            if len(tokens) > 1:
                full[" ".join(tokens).lower()] = name
            for token in tokens:
                low = token.lower()
                if len(token) < 3 or low in _COMMON_WORDS or low in _PARTICLES or low in _TOOLS:
                    continue
                exact.setdefault(token[0].upper() + token[1:], name)
                exact.setdefault(
                    token.upper() if token.isupper() else token[0].upper() + token[1:].lower(), name
                )
                if token.islower():
                    exact.setdefault(token, name)
        if loose:
            exact = {k.lower(): v for k, v in exact.items()}
        self._full = full
        self._exact = exact
        patterns = []
        if full:
            alternatives = "|".join(
                r"\s+".join(map(re.escape, k.split())) for k in sorted(full, key=len, reverse=True)
            )
            patterns.append(rf"(?i:@?(?P<full>{alternatives}))")
        if exact:
            alternatives = "|".join(map(re.escape, sorted(exact, key=len, reverse=True)))
            patterns.append(rf"(?i:@?(?P<part>{alternatives}))" if loose else rf"@?(?P<part>{alternatives})")
        self._re = re.compile(r"(?<![\w@.-])(?:" + "|".join(patterns) + r")(?![\w@-])") if patterns else None

    def finditer(self, text: str) -> list[NameHit]:
        if self._re is None:
            return []
        hits = []
        for m in self._re.finditer(text):
            groups = m.groupdict()
            if groups.get("full"):
                name = self._full.get(" ".join(groups["full"].lower().split()), groups["full"])
            else:
                name = self._exact[groups["part"].lower() if self.loose else groups["part"]]
            end = m.end()
            if text.startswith("'s", end) or text.startswith("’s", end):
                end += 2
            hits.append(NameHit(m.start(), end, text[m.start() : end], name))
        return hits

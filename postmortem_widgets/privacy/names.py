"""People's names: who they are (responders, chat users, on-call agents, a roster) and where they appear.

A customer-facing postmortem names no individual (the seed's fifth tip), and a prompt sent to a model
should not carry them either. Full names match in any case; a single first or last name matches only
when capitalised as a name (or as the lower-case chat handle it came from), and common words that are
also names ("Will", "May", "Mark") only as part of a full name.

Without a roster, :func:`find_people` still finds the shapes a person's mention takes: a role and a first
name ("Priya from our SRE team", "our engineer Sam", "Priya, our on-call engineer"), an honorific
("Dr. Lee") and an @handle. Team handles ("oncall-storage", "sre-team") are never people, and neither are
the product's and company's own words (``exclude``): "Tidewater Storage" is a product, whoever is on call
for storage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import RosterError
from ..timeline.merge import Timeline

#: Timeline sources whose actors are people (chat users, paging agents).
PEOPLE_SOURCES: frozenset[str] = frozenset({
    "slack", "teams", "mattermost", "pagerduty", "pagerduty_incident", "opsgenie", "opsgenie_csv", "jira",
    "incident_io", "firehydrant", "rootly", "sentry",
})  # fmt: skip

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


#: Words that make a handle a team's or a rota's, not a person's ("oncall-storage", "sre-team", "#ops").
_TEAM_WORDS = frozenset((
    "oncall", "on-call", "team", "teams", "sre", "sres", "ops", "devops", "support", "eng", "engineering",
    "infra", "infrastructure", "platform", "squad", "crew", "rota", "rotation", "group", "pager", "alerts",
    "incident", "incidents", "escalation", "escalations", "dba", "noc", "soc", "security", "helpdesk",
    "admins",
    "staff", "everyone", "channel", "primary", "secondary", "backup", "shift", "responders", "response"
))  # fmt: skip


def is_team_handle(name: str) -> bool:
    """Whether a responder entry is a team, rota or channel handle rather than a person.

    >>> is_team_handle("oncall-storage"), is_team_handle("@sre-team"), is_team_handle("Priya Patel")
    (True, True, False)
    """
    name = name.strip()
    if not name or name.startswith("#"):
        return bool(name)
    if " " in name:
        return False
    tokens = [t for t in re.split(r"[-_.@/]+", name.lower()) if t]
    return any(t in _TEAM_WORDS for t in tokens) or name.lower().replace("-", "") in _TEAM_WORDS


def _is_person(name: str) -> bool:
    words = re.findall(r"[^\W\d_]+", name.lower())
    if not words or len(words) > 4 or any(c.isdigit() for c in name) or is_team_handle(name):
        return False
    return not any(w in _TOOLS for w in words) and name.lower() not in _TOOLS


def people_names(
    responders: Iterable[str] = (), timeline: Timeline | None = None, roster: Iterable[str] = ()
) -> list[str]:
    """Every person the draft must not name: responders, people in the timeline's chat and paging
    sources, and the roster. Tools that post as actors ("Datadog", "Events API") and team handles
    ("oncall-storage") are left out."""
    names: list[str] = [
        n.strip() for n in [*roster, *responders] if n and n.strip() and not is_team_handle(n)
    ]
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

    def __init__(self, names: Sequence[str], *, loose: bool = False, exclude: Iterable[str] = ()) -> None:
        self.names = list(names)
        self.loose = loose
        excluded = {w.lower() for w in exclude}
        full: dict[str, str] = {}
        exact: dict[str, str] = {}
        for name in self.names:
            if is_team_handle(name):
                continue
            clean = " ".join(name.replace("@", " ").split())
            if not clean:
                continue
            full[clean.lower()] = name
            tokens = [t for t in re.split(r"[\s._-]+", clean) if t]
            if len(tokens) > 1:
                full[" ".join(tokens).lower()] = name
            for token in tokens:
                low = token.lower()
                if (
                    len(token) < 3
                    or low in _COMMON_WORDS
                    or low in _PARTICLES
                    or low in _TOOLS
                    or low in excluded
                ):
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


# --- people found by the shape of their mention ---------------------------------------------------------

_ROLE = (
    r"(?:(?:on-call|lead|senior|staff|principal|support|site reliability|database|network|platform|release"
    r"|infrastructure|security|backend|frontend)\s+)?"
    r"(?:engineer|developer|SRE|operator|administrator|admin|manager|teammate|colleague|technician|analyst"
    r"|architect|specialist|responder|incident commander|contractor|intern|team lead|tech lead)"
)
_FIRST = r"[A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?"
_NAME = rf"(?P<name>{_FIRST}(?:\s+(?:[A-Z][a-z]+|[A-Z]\.))?)"
_GROUP = (
    r"(?:team|squad|group|SRE|SREs|on-call rotation|rotation|engineering|support|operations|ops"
    r"|infrastructure|platform|database team|staff)"
)
#: (pattern, what replaces the whole mention in a redaction; "{role}" is the role phrase the mention holds).
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # "our engineer Sam", "the on-call engineer Priya Patel"
    (re.compile(rf"\b(?P<role>(?:[Oo]ur|[Aa]n?|[Tt]he|[Oo]ne of our)\s+{_ROLE})\s+{_NAME}\b"), "{role}"),
    # "Priya from our SRE team", "Sam on the platform team"
    (
        re.compile(
            rf"\b{_NAME}\s+(?P<role>(?:from|on|of|in)\s+(?:our|the)\s+(?:[\w-]+\s+){{0,3}}{_GROUP})\b"
        ),
        "an engineer {role}",
    ),
    # "Priya, our on-call engineer, ..." and "Priya (our SRE) ..."
    (
        re.compile(
            rf"\b{_NAME}(?:,\s+(?P<role>(?:our|an?|the)\s+(?:[\w-]+\s+){{0,2}}?{_ROLE}),"
            rf"|\s+\((?P<role2>(?:our|an?|the)\s+(?:[\w-]+\s+){{0,2}}?{_ROLE})\))"
        ),
        "{role}",
    ),
    # "Dr. Lee", "Ms Okafor"
    (re.compile(r"\b(?:Mr|Mrs|Ms|Mx|Dr|Prof)\.?\s+(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\b"), ""),
    # "@priya"
    (re.compile(r"(?<![\w.@/])@(?P<name>[A-Za-z][\w-]{1,38})\b(?!\.\w)"), ""),
)
#: Capitalised words that start a sentence or name a role, a group or a time, never a person's first name.
_NOT_NAMES = frozenset((
    "our", "the", "we", "when", "after", "before", "during", "while", "then", "once", "team", "teams",
    "engineers", "engineer", "customers", "customer", "users", "user", "members", "member", "someone",
    "everyone", "staff", "people", "folks", "support", "engineering", "operations", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may",
    "june", "july", "august", "september", "october", "november", "december", "today", "yesterday",
    "this", "that", "these", "those", "all", "each", "every", "one", "two", "three", "several", "many",
    "some", "another", "other", "both", "here", "there", "also", "finally", "later", "first", "next",
    "immediately", "within", "around", "about", "approximately", "incident", "root", "cause", "however",
    "meanwhile", "additionally", "then", "initially", "soon", "afterwards", "overnight", "instead", "now",
    "again", "still", "thus", "hence", "therefore", "consequently", "eventually", "ultimately",
))  # fmt: skip


@dataclass(frozen=True)
class PersonMention:
    """A person found by the shape of the mention: where the whole mention is, the name in it, and the
    words that replace the mention in a redaction (the role it names, or a neutral word)."""

    start: int
    end: int
    text: str
    name: str
    replacement: str
    #: "role" (a role and a name), "honorific" or "handle" (an @handle, maybe a public account).
    shape: str


def find_people(text: str, *, exclude: Iterable[str] = ()) -> list[PersonMention]:
    """People mentioned by role and first name, by honorific or by @handle, in text order.

    ``exclude`` lists words that are never a person's name (the product's and company's own words).

    >>> text = "Priya from our SRE team and our engineer Sam paged @lee."
    >>> [(p.name, p.replacement) for p in find_people(text)]
    [('Priya', 'an engineer from our SRE team'), ('Sam', 'our engineer'), ('lee', '')]
    """
    excluded = {w.lower() for w in exclude}
    found: list[PersonMention] = []
    for index, (pattern, template) in enumerate(_SHAPES):
        shape = ("role", "role", "role", "honorific", "handle")[index]
        for m in pattern.finditer(text):
            name = m.group("name")
            words = [w.lower() for w in re.findall(r"[^\W\d_]+", name)]
            if (
                not words
                or words[0] in _NOT_NAMES
                or words[0].endswith("ly")
                or any(w in excluded for w in words)
            ):
                continue
            if shape == "handle" and (is_team_handle(name) or name.lower() in _TOOLS):
                continue
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            groups = m.groupdict()
            role = groups.get("role") or groups.get("role2") or ""
            replacement = template.format(role=" ".join(role.split())) if template else ""
            found.append(PersonMention(m.start(), m.end(), m.group(), name, replacement, shape))
    return sorted(found, key=lambda p: p.start)

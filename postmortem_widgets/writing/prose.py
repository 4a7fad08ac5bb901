"""The author's fragments as customer sentences: capitals, full stops, articles, lists, counts.

A busy engineer writes "rolled back cache deployment; rebuilt cache layer from live database"; a customer
reads "We rolled back the cache deployment. We rebuilt the cache layer from the live database." The rules
are conservative and never change meaning: words are only added where a fragment plainly dropped them (a
subject before an action, "the" before a bare part of our system, both from ``templates/prose/words.tsv``);
names, numbers and times are kept exactly; a field the author wrote as full sentences keeps its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from ..sections import count_sentences, sentences
from ..timeline.humanize import human_duration
from .wordlists import words

_ITEM_SPLIT = re.compile(r";|\n")
_ITEM_PREFIX = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")

#: Past tenses that do not end in -ed ("rebuilt the cache", "shut down the job").
_IRREGULAR_PAST = frozenset(
    {"built", "rebuilt", "put", "set", "reset", "shut", "ran", "took", "made", "wrote", "rewrote", "sent"}
    | {"spent", "cut", "began", "brought", "found", "kept", "held", "led", "paid", "split", "spun"}
)
_NOT_PAST = frozenset({"need", "speed", "feed", "seed", "bed", "red", "shed"})
_NOT_GERUND = frozenset({"thing", "string", "ring", "king", "spring", "nothing", "something", "anything"})

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

#: Punctuation typed twice, or a comma before a full stop ("..", ",.", ",,"), and space before a mark.
_DOUBLED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s+([,.;:!?])(?=\s|$)"), r"\1"),
    (re.compile(r"(?<!\.)\.\.(?![.\d])"), "."),
    (re.compile(r"[,;:]+\s*\.(?![.\d])"), "."),
    (re.compile(r"([!?])\.(?![.\d])"), r"\1"),
    (re.compile(r",{2,}"), ","),
    (re.compile(r";{2,}"), ";"),
)
#: A capitalised word right after a comma: lowered when it is a common word (``lower`` in words.tsv).
_AFTER_COMMA = re.compile(r"(,\s+)([A-Z][a-z]*)\b")
#: Text that already ends a sentence (closing quotes and brackets after the mark).
_ENDS_SENTENCE = re.compile(r"(?:[.!?]|\.\.\.|…)[\"'”’)\]]*$")
#: Marks that cannot end a sentence and give way to its full stop.
_TRAILING = re.compile(r"[\s,;:—–-]+$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
#: Control, zero-width and bidi characters: event text a model or a reader gets never carries them.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` as one line: control and bidi characters gone, white space collapsed.

    >>> one_line("line one\\nline\\u202e two")
    'line one line two'
    """
    return " ".join(CONTROL.sub(" ", text).split())


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def tidy(text: str) -> str:
    """One paragraph with no doubled punctuation and no common word capitalised after a comma.

    >>> tidy("On April 15, 2024, Our service failed..")
    'On April 15, 2024, our service failed.'
    """
    text = " ".join(text.split())
    for pattern, repl in _DOUBLED:
        text = pattern.sub(repl, text)
    lower = words()["lower"]

    def fix(m: re.Match[str]) -> str:
        word = m.group(2)
        return m.group(1) + (word.lower() if word.lower() in lower else word)

    return _AFTER_COMMA.sub(fix, text)


def _capitalise(text: str) -> str:
    """The first letter in upper case when the first word is all lower-case letters: ``iOS``, ``x86`` and
    ``node.js`` are names and kept as written."""
    first = text.split(maxsplit=1)[0].rstrip(",.;:!?")
    if _WORD.fullmatch(first) is None or not first.islower():
        return text
    return text[0].upper() + text[1:]


def sentence(text: str) -> str:
    """Author's fragment as a sentence: one paragraph, tidied, capitalised, with a full stop.

    The words stay the author's: no list is split and no article added (see :func:`field_sentences`).
    A first word written in lower case is capitalised; one with capitals inside ("iOS", "eBay") is a
    name and kept.

    >>> sentence("no data was lost; customers saw delayed data")
    'No data was lost; customers saw delayed data.'
    """
    text = tidy(text)
    if not text:
        return ""
    text = _capitalise(text)
    return text if _ENDS_SENTENCE.search(text) else _TRAILING.sub("", text) + "."


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (the whole text when it has one)."""
    found = sentences(text)
    return found[0] if found else ""


def number_word(n: int) -> str:
    """``3`` -> ``three`` (digits above ten)."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def span(delta: timedelta | None) -> str | None:
    """A duration for "within ..." phrases: ``5 minutes``, or ``a minute`` for less."""
    if delta is None:
        return None
    return "a minute" if delta.total_seconds() < 90 else human_duration(delta)


def _first_word(text: str) -> str:
    parts = text.strip().split()
    return parts[0].lower().strip(",.;:") if parts else ""


def _is_past(word: str) -> bool:
    return word in _IRREGULAR_PAST or (word.endswith("ed") and word not in _NOT_PAST)


def _is_gerund(word: str) -> bool:
    return word.endswith("ing") and len(word) > 4 and word not in _NOT_GERUND


def starts_with_past_tense(text: str) -> bool:
    """Whether a fragment reads after "We ...": "rolled back the deployment" does, "a rollback" does not."""
    first = _first_word(text)
    return bool(first) and _is_past(first)


def is_sentence(text: str) -> bool:
    """Whether the author wrote a full sentence: a capital, a closing mark, and not a bare verb first.

    "No data was lost." is one; "Adding cache validation to the pipeline." and "rolled back" are not.
    """
    text = text.strip()
    first = _first_word(text)
    if not text or not text[0].isupper() or not _ENDS_SENTENCE.search(text):
        return False
    known = words()
    return not (_is_past(first) or _is_gerund(first) or first in known["undo"] | known["create"])


# --- articles ------------------------------------------------------------------------------------------


def _core(token: str) -> str:
    return token.strip("\"'“”‘’()[],.;:!?").lower()


def _bare(token: str) -> bool:
    """A word an article-less phrase may hold: lower case letters (a name or a number stops it)."""
    core = token.strip("\"'“”‘’,.;:!?")
    return bool(core) and core.isalpha() and core.islower() and core == token.rstrip(",.;:!?")


def _phrase_end(tokens: list[str], start: int) -> int:
    """Where the bare noun phrase starting at ``start`` ends (exclusive; ``start`` when there is none)."""
    known = words()
    end = start
    while (
        end < len(tokens)
        and end - start < 4
        and _bare(tokens[end])
        and _core(tokens[end]) not in known["stop"]
    ):
        end += 1
        if tokens[end - 1][-1] in ",.;:!?":
            break
    return end


def _takes_the(tokens: list[str], start: int, end: int, after_undo: bool) -> bool:
    """Whether ``tokens[start:end]`` is one bare singular phrase naming a thing of ours."""
    if end == start:
        return False
    known = words()
    head = _core(tokens[end - 1])
    verbs = known["undo"] | known["create"]
    for token in tokens[start : end - 1]:
        word = _core(token)
        if word in verbs or _is_past(word) or word.endswith("ly"):
            return False
    following = _core(tokens[end]) if end < len(tokens) and tokens[end - 1][-1] not in ",.;:!?" else ""
    if following and following not in known["stop"] and not _is_past(following):
        return False
    return head in known["part"] or (after_undo and head in known["event"])


def with_articles(text: str) -> str:
    """``the`` before a bare part of our system where a terse fragment dropped it.

    Only after a verb that acts on something that exists ("rolled back", "rebuilt") or a place
    preposition ("from", "to", "across"), only before a lower-case singular phrase ending in a word
    ``words.tsv`` lists, never after a verb that creates something new.

    >>> with_articles("rolled back cache deployment and rebuilt cache layer from live database")
    'rolled back the cache deployment and rebuilt the cache layer from the live database'
    """
    known = words()
    tokens = text.split(" ")
    out: list[str] = []
    added = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        out.append(token)
        i += 1
        word = _core(token)
        ends = bool(token) and token[-1] in ",.;:!?"
        undo = word in known["undo"]
        if undo and i < len(tokens) and _core(tokens[i]) in known["particle"] and not ends:
            out.append(tokens[i])
            ends = tokens[i][-1:] in tuple(",.;:!?")
            i += 1
        conjoined = word in {"and", "or"} and added
        added = False
        if ends or not (undo or word in known["place"] or conjoined):
            continue
        end = _phrase_end(tokens, i)
        if _takes_the(tokens, i, end, undo or conjoined):
            out.append("the")
            added = True
            out.extend(tokens[i:end])
            i = end
    return " ".join(out)


# --- fields as sentences ---------------------------------------------------------------------------------


def items(text: str) -> list[str]:
    """A field's parts: split on semicolons and lines, list markers and closing stops removed."""
    found = []
    for raw in _ITEM_SPLIT.split(text):
        item = tidy(_ITEM_PREFIX.sub("", raw)).strip()
        item = re.sub(r"(?<!\.)\.$", "", item).strip()
        if item:
            found.append(item)
    return found


def _without_we(text: str) -> str:
    return re.sub(r"^we\s+", "", text.strip(), flags=re.I)


def action_clause(text: str) -> str:
    """What we did, to follow "we": "rolled back the cache deployment" (no subject, no full stop).

    >>> action_clause("We rolled back cache deployment.")
    'rolled back the cache deployment'
    """
    clause = with_articles(_without_we(tidy(text))).rstrip(".").strip()
    first = _WORD.match(clause)
    if first is not None and first.group()[:1].isupper() and first.group()[1:].islower():
        clause = clause[0].lower() + clause[1:]
    return clause


def action_sentence(text: str, *, planned: bool = False) -> str:
    """One thing we did (or, ``planned``, are doing) as a sentence with its subject.

    "rebuilt cache layer" -> "We rebuilt the cache layer."; planned, "adding a check" -> "We're adding a
    check."; a full sentence, or a fragment that is not an action, keeps its words.
    """
    text = tidy(text)
    if is_sentence(text):
        return text
    first = _first_word(_without_we(text))
    has_we = _first_word(text) == "we"
    if _is_past(first):
        return sentence("We " + action_clause(text))
    if planned and _is_gerund(first):
        return sentence(("We " if has_we else "We're ") + action_clause(text))
    return sentence(with_articles(text) if has_we else text)


def sentences_of(text: str) -> list[str]:
    """A descriptive field as sentences: a full sentence as written, a ``;`` list one sentence a part.

    >>> sentences_of("no data was lost; customers saw delayed data")
    ['No data was lost.', 'Customers saw delayed data.']
    """
    text = text.strip()
    if not text:
        return []
    if is_sentence(" ".join(text.split())) and "\n" not in text:
        return [tidy(text)]
    return [sentence(item) for item in items(text)]


def actions_of(text: str, *, planned: bool = False) -> list[str]:
    """An action field (remediation; each prevention item) as sentences with their subject."""
    text = text.strip()
    if not text:
        return []
    if is_sentence(" ".join(text.split())) and "\n" not in text:
        return [tidy(text)]
    return [action_sentence(item, planned=planned) for item in items(text)]


@dataclass(frozen=True)
class PreventionItem:
    """One concrete change: an optional bold title (text before a colon) and its description."""

    title: str
    text: str
    #: Who owns it, when the incident file names them ("(owner: Priya Natarajan)"): for the internal
    #: version only, never in the customer's text.
    owner: str = ""


#: An owner written after an item: "(owner: Priya)", "[owner: @priya]", "- owner: Payments team".
_OWNER = re.compile(
    r"[ \t]*(?:[(\[][ \t]*owners?[ \t]*[:=][ \t]*([^)\]\n;]+?)[ \t]*[)\]]"
    r"|[-–—,][ \t]*owners?[ \t]*[:=][ \t]*([^;\n]+?)[ \t]*(?=[;\n]|$))",
    re.I,
)


def without_owners(text: str) -> str:
    """The prevention field with its owners taken out, for everything a customer reads (and its prompt).

    >>> without_owners("Page at once (owner: Priya); cache check - owner: SRE")
    'Page at once; cache check'
    """
    return _OWNER.sub("", text)


def prevention_parts(text: str) -> list[PreventionItem]:
    """The prevention field split on semicolons or lines, bullets, numbers and a ``Title:`` taken apart,
    each part's words as the author wrote them (what a sentence that names a change is built from).

    >>> prevention_parts("Cache checks: adding cache validation; alert on stale data")[1].text
    'alert on stale data'
    """
    found: list[PreventionItem] = []
    for item in items(text):
        owner = ""
        named = _OWNER.search(item)
        if named is not None:  # "(owner: Priya)": for the internal version, never the customer's text
            owner = (named.group(1) or named.group(2) or "").strip()
            item = (item[: named.start()] + item[named.end() :]).strip()
        if not item.strip().strip("."):
            continue
        title, sep, rest = item.partition(": ")
        if sep and len(title) <= 60 and rest.strip():
            found.append(PreventionItem(title=title.strip().strip("*_"), text=rest.strip(), owner=owner))
        else:
            found.append(PreventionItem(title="", text=item.strip(), owner=owner))
    return found


def prevention_items(text: str) -> list[PreventionItem]:
    """The prevention field's parts (:func:`prevention_parts`), each a sentence.

    >>> prevention_items("adding cache validation to deployment pipeline")[0].text
    "We're adding cache validation to the deployment pipeline."
    """
    return [
        PreventionItem(title=part.title, text=action_sentence(part.text, planned=True), owner=part.owner)
        for part in prevention_parts(text)
    ]


#: The fields whose words the draft quotes as sentences, and how: a description (a ``;``-list one sentence
#: a part), one statement (its parts joined by semicolons: "No data was lost; customers saw delayed data"
#: is one fact about the data, and the Summary has room for five sentences), or what we did.
DESCRIBED = ("customer_experience", "root_cause", "detection")
STATEMENTS = ("data_impact",)
ACTIONS = ("remediation",)


def field_sentences(name: str, text: str) -> list[str]:
    """The sentences a draft makes of one of the seed's fields (``[]`` for the fields it does not quote
    as sentences: names, dates, the scope inside the Summary's first sentence, the response timeline).

    >>> field_sentences("remediation", "rolled back cache deployment")
    ['We rolled back the cache deployment.']
    """
    if name in ACTIONS:
        return actions_of(text)
    if name == "prevention":
        return [f"{i.title}: {i.text}" if i.title else i.text for i in prevention_items(text)]
    if name in DESCRIBED:
        return sentences_of(text)
    if name in STATEMENTS:
        parts = items(text) if "\n" in text.strip() else [text]
        return [sentence("; ".join(parts))] if text.strip() else []
    return []


def field_text(name: str, text: str) -> str:
    """:func:`field_sentences` as one paragraph (what ``Facts.sentences`` holds)."""
    return " ".join(field_sentences(name, text))


__all__ = [
    "ACTIONS",
    "CONTROL",
    "DESCRIBED",
    "STATEMENTS",
    "PreventionItem",
    "action_clause",
    "action_sentence",
    "actions_of",
    "clip",
    "count_sentences",
    "field_sentences",
    "field_text",
    "first_sentence",
    "is_sentence",
    "items",
    "number_word",
    "one_line",
    "prevention_items",
    "prevention_parts",
    "sentence",
    "sentences_of",
    "span",
    "starts_with_past_tense",
    "tidy",
    "with_articles",
    "without_owners",
]

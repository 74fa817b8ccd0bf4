"""Learning across incidents: which postmortems are alike, and why.

Pure functions over the archive's incidents; nothing here knows MkDocs. The archive
works this out once per build (`Archive.build`) and carries it to worker processes.

Similar incidents. Each incident has signals: its failure modes, contributing-factor
layers, taxonomy ids, AI system name and model families (a model's name without its
provider prefix and version suffix), and the words of its text (title, summary,
contributing factors' descriptions and attribution: the Markdown body does not reach
the archive). Two incidents are compared only when they share a signal, found through
an inverted index (signal -> incidents, in the archive's order). A signal that many
incidents share (a common layer) offers only the incidents nearest in that order (a
window of `WINDOW`), and each incident has at most `MAX_CANDIDATES` candidates: the
number of pairs compared is at most `MAX_CANDIDATES` times the number of incidents,
however large the archive. The score of a pair, 0 to 1, is a weighted sum (`WEIGHTS`) of
the overlap of each kind of signal, plus `TEXT_WEIGHT` times the overlap of the two word
sets, divided by the highest sum possible; ties go to the smaller id. No hashing of
Python objects decides anything: the same archive gives the same result under any
PYTHONHASHSEED.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .archive import ActionItem, Incident

MOST_SIMILAR = 5  # per incident
MAX_CANDIDATES = 40  # incidents compared with each incident, at most
WINDOW = 16  # incidents a shared signal offers, nearest in the archive's order
RARE_WORDS = 8  # the rarest words of an incident's text that find candidates
MIN_SCORE = 0.12  # below it, what two incidents share is too little to show
TEXT_WEIGHT = 3.0
TEXT_REASON = 0.2  # the overlap of words from which "similar text" is a reason
# The weight of each kind of signal; what a pair shares of a kind counts as the overlap
# of the two sets of that kind (see `_overlap`), 0 to 1, times its weight.
WEIGHTS: dict[str, float] = {
    "failure_mode": 3.0,
    "taxonomy": 2.0,
    "system": 2.0,
    "model_family": 1.5,
    "layer": 1.5,
}
_MOST = sum(WEIGHTS.values()) + TEXT_WEIGHT  # the score is out of this, 0 to 1


@dataclass(frozen=True)
class Reason:
    """Something two incidents share: `kind` is a key of `WEIGHTS` or "text"; `value`
    the failure mode, layer, taxonomy id, system or model family ("" for text)."""

    kind: str
    value: str = ""


@dataclass(frozen=True)
class Similar:
    """An incident like another one, with its score and what they share."""

    id: str
    score: float
    reasons: tuple[Reason, ...]


_WORD_RE = re.compile(r"[^\W_]{3,}")
_STOP = frozenset(
    """the and for was were with that this from into not but are its has had have
    been than then they them their which when what who where while would could should
    also only any all can did does each more most other some such very our out over
    per via after before about because between during under upon one two new used
    use""".split()  # noqa: SIM905 (words read better as text)
)
_VERSION_TAIL_RE = re.compile(
    r"(?:[-_ @:](?:\d{4}-?\d{2}-?\d{2}|\d{3,4}|v?\d+(?:\.\d+)+|latest|preview))+$"
)


def model_family(name: str) -> str:
    """A model's name without provider (`openai/`) or version (`-2024-08-06`, `-0613`,
    `@latest`), case folded: `openai/gpt-4o-2024-08-06` -> `gpt-4o`."""
    short = name.rsplit("/", 1)[-1].strip().casefold()
    return _VERSION_TAIL_RE.sub("", short) or short


def words(incident: Incident) -> frozenset[str]:
    """The words of an incident's text that similarity compares: title, summary,
    contributing factors' descriptions, attribution; case folded, three letters or
    more, common English words left out."""
    text = " ".join(
        [incident.title, incident.summary, incident.attribution]
        + [factor.description for factor in incident.factors]
    )
    return frozenset(w for w in _WORD_RE.findall(text.casefold()) if w not in _STOP)


def signals(incident: Incident) -> list[Reason]:
    """The categorical signals of an incident, each once, in a fixed order."""
    found = [Reason("failure_mode", mode) for mode in incident.failure_modes if mode]
    found += [Reason("layer", layer) for layer in incident.layers if layer]
    found += [
        Reason("taxonomy", f"{scheme}:{value}")
        for scheme, values in sorted(incident.taxonomy.items())
        for value in values
    ]
    if incident.system.strip():
        found.append(Reason("system", " ".join(incident.system.casefold().split())))
    found += [Reason("model_family", model_family(m.name)) for m in incident.models]
    return list(dict.fromkeys(found))


_KINDS = tuple(WEIGHTS)


def similar_incidents(
    incidents: Sequence[Incident], most: int = MOST_SIMILAR
) -> tuple[dict[str, list[Similar]], int]:
    """Each incident's most similar others, the highest score first, then by id; and
    the number of pairs compared. Related incidents either way (named in `related`, or
    naming this one) are shown apart, so they are left out here."""
    linked: dict[str, set[str]] = defaultdict(set)
    for incident in incidents:
        for other_id in incident.related:
            linked[incident.id].add(other_id)
            linked[other_id].add(incident.id)
    own_signals = [signals(i) for i in incidents]
    # Per incident, the values of each kind of signal, as sets: what pairs compare.
    kinds = [
        tuple(frozenset(s.value for s in found if s.kind == kind) for kind in _KINDS)
        for found in own_signals
    ]
    own_words = [words(i) for i in incidents]
    postings: dict[str, list[int]] = defaultdict(list)
    for n, found in enumerate(own_signals):
        for signal in found:
            postings[f"{signal.kind}\0{signal.value}"].append(n)
    frequency: dict[str, int] = defaultdict(int)
    for found_words in own_words:
        for word in found_words:
            frequency[word] += 1
    # The rarest words (shared by at least one other incident) find text candidates.
    for n, found_words in enumerate(own_words):
        shared_words = [w for w in found_words if frequency[w] > 1]
        shared_words.sort(key=lambda w: (frequency[w], w))
        for word in shared_words[:RARE_WORDS]:
            postings["w\0" + word].append(n)
    keys_of: list[list[str]] = [[] for _ in incidents]
    for key, posting in postings.items():
        for n in posting:
            keys_of[n].append(key)
    compared = 0
    result: dict[str, list[Similar]] = {}
    for n, incident in enumerate(incidents):
        # Rare signals first: what few incidents share says the most.
        keys = sorted(keys_of[n], key=lambda k: (len(postings[k]), k))
        excluded = {incident.id, *linked.get(incident.id, ())}
        candidates: dict[int, None] = {}
        for key in keys:
            for other in _near(postings[key], n):
                if other != n and incidents[other].id not in excluded:
                    candidates.setdefault(other, None)
            if len(candidates) >= MAX_CANDIDATES:
                break
        scored: list[tuple[float, str, int]] = []
        mine, my_words = kinds[n], own_words[n]
        for other in list(candidates)[:MAX_CANDIDATES]:
            compared += 1
            score = _score(mine, kinds[other], my_words, own_words[other])
            if score >= MIN_SCORE:
                scored.append((-score, incidents[other].id, other))
        scored.sort()
        # One entry per id: a duplicated id (a broken archive) is shown once, and the
        # first incident of an id is the one the archive shows.
        kept: dict[str, Similar] = {}
        for negative, other_id, other in scored:
            if len(kept) == most:
                break
            if other_id not in kept:
                reasons = _reasons(own_signals[n], own_signals[other], my_words, own_words[other])
                kept[other_id] = Similar(other_id, round(-negative, 3), reasons)
        result.setdefault(incident.id, list(kept.values()))
    return result, compared


def _near(posting: list[int], n: int) -> list[int]:
    """The incidents of a posting nearest to `n` in the archive's order: `WINDOW` of
    them and `n`, those just before and those just after."""
    if len(posting) <= WINDOW:
        return posting
    at = bisect_left(posting, n)
    start = max(0, min(at - WINDOW // 2, len(posting) - WINDOW - 1))
    return posting[start : start + WINDOW + 1]


_WEIGHT_LIST = tuple(WEIGHTS.values())


def _score(
    mine: tuple[frozenset[str], ...],
    theirs: tuple[frozenset[str], ...],
    my_words: frozenset[str],
    their_words: frozenset[str],
) -> float:
    """How alike two incidents are, 0 to 1."""
    score = 0.0
    for weight, a, b in zip(_WEIGHT_LIST, mine, theirs, strict=True):
        if a and b:
            score += weight * _overlap(len(a & b), len(a), len(b))
    if my_words and their_words:
        score += TEXT_WEIGHT * _overlap(
            len(my_words & their_words), len(my_words), len(their_words)
        )
    return score / _MOST


def _reasons(
    mine: list[Reason], theirs: list[Reason], my_words: frozenset[str], their_words: frozenset[str]
) -> tuple[Reason, ...]:
    """What two incidents share, kind by kind in the order of `WEIGHTS`."""
    other = set(theirs)
    reasons = [
        signal for kind in _KINDS for signal in mine if signal.kind == kind and signal in other
    ]
    text = _overlap(len(my_words & their_words), len(my_words), len(their_words))
    if text >= TEXT_REASON:
        reasons.append(Reason("text"))
    return tuple(reasons)


def _overlap(shared: int, mine: int, theirs: int) -> float:
    """How much two sets share, 0 to 1: |A & B| / sqrt(|A| |B|) (the Ochiai
    coefficient), so that sharing one of two failure modes counts less than sharing
    the only one."""
    return shared / math.sqrt(mine * theirs) if shared else 0.0


# What readers see of each kind of reason, for one value and for several.
_REASON_TEXT: dict[str, tuple[str, str]] = {
    "failure_mode": ("same failure mode", "same failure modes"),
    "layer": ("same layer", "same layers"),
    "taxonomy": ("same taxonomy entry", "same taxonomy entries"),
    "system": ("same AI system", "same AI system"),
    "model_family": ("same model family", "same model families"),
    "text": ("similar text", "similar text"),
}
# The enum of the schema in force whose labels a kind's values take.
_REASON_ENUM = {"failure_mode": "failure_mode", "layer": "factor_layer"}


def reason_texts(reasons: Sequence[Reason], label: Callable[[str, str], str]) -> list[str]:
    """The reasons as readers see them, one a kind: `same failure mode: Hallucination`,
    `same layers: Model, Guardrail`, `same AI system`, `similar text`; `label(value,
    enum)` gives an enum value's label in the schema in force."""
    groups: dict[str, list[str]] = {}
    for reason in reasons:
        values = groups.setdefault(reason.kind, [])
        if reason.kind in _REASON_ENUM:
            values.append(label(reason.value, _REASON_ENUM[reason.kind]))
        elif reason.kind in ("taxonomy", "model_family"):
            values.append(
                reason.value.split(":", 1)[-1] if reason.kind == "taxonomy" else reason.value
            )
    texts = []
    for kind, values in groups.items():
        one, many = _REASON_TEXT.get(kind, (kind, kind))
        if not values:
            texts.append(one)
        else:
            texts.append(f"{one if len(values) == 1 else many}: {', '.join(values)}")
    return texts


# Recurrence: the same failure mode, in the same factor layer, of the same system (or,
# without a system, the same model family), in two or more incidents.

MONTHS = (6, 12)  # the windows of the fix-held statistics
_DAYS_IN = {6: 183, 12: 366}


def matching_categories(layer: str, addressed_by: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The action-item categories that address a layer: its namesake, then those the
    schema in force names for it (`SchemaInForce.addressed_by`)."""
    return (layer, *addressed_by.get(layer, ()))


@dataclass(frozen=True)
class Pattern:
    """Incidents, in time order, that share a failure mode and layer (one pair or more:
    those sharing the very same incidents are one pattern) of one system or model
    family (`subject`, as the first incident writes it; `by_model` when a family)."""

    subject: str
    by_model: bool
    pairs: tuple[tuple[str, str], ...]  # (failure mode, layer)
    incidents: tuple[Incident, ...]
    categories: tuple[str, ...]  # the action-item categories that address its layers

    @property
    def modes(self) -> tuple[str, ...]:
        """The failure modes of the pattern, each once, in order."""
        return tuple(dict.fromkeys(mode for mode, _ in self.pairs))

    @property
    def layers(self) -> tuple[str, ...]:
        """The layers of the pattern, each once, in order."""
        return tuple(dict.fromkeys(layer for _, layer in self.pairs))

    def items_of(self, incident: Incident) -> list[ActionItem]:
        """The incident's action items in the pattern's categories."""
        wanted = set(self.categories)
        return [item for item in incident.action_items if item.category in wanted]


@dataclass(frozen=True)
class NotHeld:
    """A later incident of a pattern after an earlier one whose action items in the
    pattern's categories are all finished: the earlier fix may not have held."""

    earlier: Incident
    later: Incident
    pattern: Pattern


def _subjects(incident: Incident) -> list[tuple[str, str, bool]]:
    """(key, as written, by model) of the system, or else of each model family."""
    system = " ".join(incident.system.split())
    if system:
        return [(system.casefold(), system, False)]
    families = dict.fromkeys(model_family(m.name) for m in incident.models)
    return [(family, family, True) for family in families if family]


def _when(incident: Incident) -> tuple[str, str]:
    return (incident.occurred, incident.id)


def recurring_patterns(
    incidents: Sequence[Incident], addressed_by: Mapping[str, Sequence[str]]
) -> list[Pattern]:
    """Every pattern seen in two incidents or more: the most incidents first, then by
    subject and first pair. Linear in the incidents' failure modes, layers and subjects.
    `addressed_by`: the categories that address each layer besides its namesake."""
    groups: dict[tuple[str, str, str], dict[str, Incident]] = defaultdict(dict)
    written: dict[str, tuple[str, bool]] = {}
    for incident in sorted(incidents, key=_when):
        for key, subject, by_model in _subjects(incident):
            written.setdefault(key, (subject, by_model))
            for mode in incident.failure_modes:
                for layer in incident.layers:
                    if mode and layer:
                        groups[key, mode, layer].setdefault(incident.id, incident)
    merged: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = {}
    members: dict[tuple[str, tuple[str, ...]], tuple[Incident, ...]] = {}
    for (key, mode, layer), found in groups.items():
        if len(found) < 2:
            continue
        ident = (key, tuple(found))
        merged.setdefault(ident, []).append((mode, layer))
        members[ident] = tuple(found.values())
    patterns = [
        Pattern(
            written[key][0],
            written[key][1],
            tuple(pairs),
            members[key, ids],
            tuple(
                dict.fromkeys(
                    category
                    for layer in dict.fromkeys(layer for _, layer in pairs)
                    for category in matching_categories(layer, addressed_by)
                )
            ),
        )
        for (key, ids), pairs in merged.items()
    ]
    patterns.sort(
        key=lambda p: (-len(p.incidents), p.subject.casefold(), p.pairs, p.incidents[0].id)
    )
    return patterns


def fixes_not_held(patterns: Sequence[Pattern]) -> list[NotHeld]:
    """Each incident of a pattern whose previous incident in it has action items in the
    pattern's categories, all finished, none due after the later incident occurred (a
    fix due later was not in place yet); once per (earlier, later), the first pattern
    that shows it. Only neighbours in time are compared: linear."""
    found: dict[tuple[str, str], NotHeld] = {}
    for pattern in patterns:
        for earlier, later in zip(pattern.incidents, pattern.incidents[1:], strict=False):
            items = pattern.items_of(earlier)
            if (
                items
                and all(item.finished for item in items)
                and not any(_due_after(item, later.occurred) for item in items)
            ):
                found.setdefault((earlier.id, later.id), NotHeld(earlier, later, pattern))
    return sorted(found.values(), key=lambda n: (_when(n.later), _when(n.earlier)))


def fix_held_statistics(
    patterns: Sequence[Pattern], categories: Sequence[str]
) -> list[tuple[str, int, list[int]]]:
    """Per action-item category: the finished items of incidents in a pattern whose
    categories include it, and how many of them were followed by the pattern's next
    incident within each of `MONTHS` (counted from the earlier incident's `occurred`,
    since items carry no date of completion). Categories in `categories`' order, then
    the others; only those with finished items."""
    finished: dict[str, dict[str, int]] = defaultdict(dict)  # category -> item key -> days
    for pattern in patterns:
        wanted = set(pattern.categories)
        for earlier, later in zip(pattern.incidents, pattern.incidents[1:], strict=False):
            days = _days_between(earlier.occurred, later.occurred)
            for item in earlier.action_items:
                if item.finished and item.category in wanted:
                    known = finished[item.category].get(item.key)
                    if days is not None and (known is None or days < known):
                        finished[item.category][item.key] = days
    # Every finished item of a category counts, followed or not.
    totals: dict[str, set[str]] = defaultdict(set)
    for pattern in patterns:
        wanted = set(pattern.categories)
        for incident in pattern.incidents:
            for item in incident.action_items:
                if item.finished and item.category in wanted:
                    totals[item.category].add(item.key)
    order = [c for c in categories if c in totals] + sorted(
        c for c in totals if c not in categories
    )
    return [
        (
            category,
            len(totals[category]),
            [
                sum(1 for days in finished[category].values() if days <= _DAYS_IN[months])
                for months in MONTHS
            ],
        )
        for category in order
    ]


def _due_after(item: ActionItem, day: str) -> bool:
    """Whether the item was due after `day` (both ISO dates or times; the day counts)."""
    days = _days_between(day, item.due) if item.due else None
    return days is not None and days > 0


def _days_between(first: str, last: str) -> int | None:
    try:
        start = dt.date.fromisoformat(first[:10])
        end = dt.date.fromisoformat(last[:10])
    except ValueError:
        return None
    return (end - start).days

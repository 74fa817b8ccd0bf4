"""The public AI-risk catalogs that `taxonomy` ids are checked against and named from.

Each catalog is a JSON file beside this module, a snapshot of the public catalog with its
`source` (where it comes from, its licence) and `version`; no other file repeats their
ids. To refresh one, replace its file and run the tests. Loaded once per process.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One entry of a catalog: a risk, or an ATLAS tactic, technique or mitigation."""

    id: str
    name: str
    kind: str  # "risk", "tactic", "technique", "sub-technique" or "mitigation"
    url: str
    parent: str = ""  # the technique of a sub-technique
    # What pages show: `AML.T0054 LLM Jailbreak`, `LLM01:2025 Prompt Injection`; a NIST
    # risk, whose id is its name in snake_case, by its name alone.
    label: str = ""
    # The ATLAS tactics a technique serves (a sub-technique: its technique's).
    tactics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """A catalog as the `taxonomy` key `scheme` uses it."""

    scheme: str  # the key under `taxonomy`: owasp_llm, mitre_atlas, nist_ai_600_1
    title: str
    version: str
    source: str
    entries: tuple[Entry, ...]  # in the catalog's order
    # The kinds of entry a postmortem may name (ATLAS: techniques and sub-techniques).
    named_kinds: tuple[str, ...]

    @cached_property
    def _by_id(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries}

    @cached_property
    def nameable(self) -> tuple[Entry, ...]:
        """The entries a postmortem's `taxonomy.<scheme>` may list, in catalog order."""
        return tuple(entry for entry in self.entries if entry.kind in self.named_kinds)

    @cached_property
    def _by_name(self) -> dict[str, Entry]:
        found: dict[str, Entry] = {}
        for entry in self.nameable:
            found.setdefault(_folded(entry.name), entry)
        return found

    def get(self, entry_id: object) -> Entry | None:
        """The entry a postmortem may name with `entry_id`, if any."""
        entry = self._by_id.get(entry_id) if isinstance(entry_id, str) else None
        return entry if entry is not None and entry.kind in self.named_kinds else None

    def entry(self, entry_id: str) -> Entry | None:
        """Any entry of the catalog, a tactic or mitigation too, by id."""
        return self._by_id.get(entry_id)

    def of_kind(self, kind: str) -> tuple[Entry, ...]:
        """The entries of one kind (ATLAS: "tactic", "mitigation"), in catalog order."""
        return tuple(entry for entry in self.entries if entry.kind == kind)

    def suggestion(self, value: object) -> Entry | None:
        """The entry `value` most likely means: one whose name it is (case aside, `_`
        for spaces), else the nearest id (difflib, as `did_you_mean`)."""
        if not isinstance(value, str):
            return None
        by_name = self._by_name.get(_folded(value))
        if by_name is not None:
            return by_name
        ids = sorted(entry.id for entry in self.nameable)
        upper = {entry_id.upper(): entry_id for entry_id in ids}
        if value.strip().upper() in upper:
            return self._by_id[upper[value.strip().upper()]]
        close = difflib.get_close_matches(value, ids, n=1, cutoff=0.6)
        return self._by_id[close[0]] if close else None

    def hint(self, value: object) -> str:
        """` (did you mean 'AML.T0054', LLM Jailbreak?)`, or an empty string."""
        entry = self.suggestion(value)
        if entry is None or entry.id == value:
            return ""
        return f" (did you mean {entry.id!r}, {entry.name}?)"


# The taxonomy keys whose ids come from a catalog; `aiid` numbers are open-ended.
_FILES = {
    "owasp_llm": (
        "owasp-llm-top10-2025.json",
        "OWASP Top 10 for LLM Applications",
        "https://genai.owasp.org/llm-top-10/",
    ),
    "mitre_atlas": (
        "mitre-atlas-5.6.0.json",
        "MITRE ATLAS",
        "https://atlas.mitre.org/{kind}/{id}",
    ),
    "nist_ai_600_1": (
        "nist-ai-600-1.json",
        "NIST AI 600-1",
        "https://doi.org/10.6028/NIST.AI.600-1",
    ),
}
_ATLAS_PARTS = (
    ("tactics", "tactic"),
    ("techniques", "technique"),
    ("mitigations", "mitigation"),
)


def schemes() -> tuple[str, ...]:
    """The taxonomy keys that have a catalog, in the order pages show them."""
    return tuple(_FILES)


@cache
def catalog(scheme: str) -> Catalog:
    """The catalog of a taxonomy key (`KeyError` for one without, such as `aiid`)."""
    file_name, title, url = _FILES[scheme]
    text = (resources.files(__package__) / file_name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    if scheme == "mitre_atlas":
        tactics_of = {item["id"]: tuple(item.get("tactics", ())) for item in data["techniques"]}
        entries = [
            Entry(
                item["id"],
                item["name"],
                "sub-technique" if item.get("subtechnique_of") else kind,
                url.format(kind=part, id=item["id"]),
                item.get("subtechnique_of", ""),
                f"{item['id']} {item['name']}",
                tactics_of.get(item.get("subtechnique_of", ""), ())
                or tuple(item.get("tactics", ())),
            )
            for part, kind in _ATLAS_PARTS
            for item in data[part]
        ]
        named: tuple[str, ...] = ("technique", "sub-technique")
    else:
        entries = [
            Entry(
                item["id"],
                item["name"],
                "risk",
                url,
                label=item["name"] if scheme == "nist_ai_600_1" else f"{item['id']} {item['name']}",
            )
            for item in data["entries"]
        ]
        named = ("risk",)
    return Catalog(scheme, title, str(data["version"]), str(data["source"]), tuple(entries), named)


def _folded(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()

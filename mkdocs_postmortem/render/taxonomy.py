"""What the archive's pages show of `taxonomy`: each id with its catalog name, a page
per catalog entry that postmortems name, and the coverage of every catalog.

Ids and names come from the packaged catalogs (`mkdocs_postmortem.catalogs`); the
front-matter only says which entries a postmortem names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..archive import ActionItem, Archive, Incident
from ..catalogs import Catalog, Entry, catalog, schemes
from .layout import Layout

# The action-item categories whose finished items count as a defence on the coverage
# page: a guardrail in place, an evaluation that tests for the entry. Values of the
# schema's `action_category` enum; one that an organisation's schema lacks is left out.
COVERAGE_CATEGORIES = ("guardrail", "evaluation")

AIID_URL = "https://incidentdatabase.ai/cite/{}/"


@dataclass(frozen=True)
class TaxonomyRef:
    """One taxonomy value of a postmortem as its page shows it."""

    scheme: str  # the catalog's title, e.g. "MITRE ATLAS"
    label: str  # `AML.T0054 LLM Jailbreak`; a value the catalog lacks as written
    url: str  # the public reference, or ""
    page: str = ""  # the archive's page of the entry (`src_uri`), or ""


def refs(incident: Incident, layout: Layout) -> list[TaxonomyRef]:
    """The postmortem's taxonomy values in the order of the catalogs, each with its name
    and pages; a value the catalog lacks (in a build that goes on) is shown as written,
    with no link."""
    found: list[TaxonomyRef] = []
    for scheme in schemes():
        known = catalog(scheme)
        for value in incident.taxonomy.get(scheme, []):
            entry = known.get(value)
            if entry is None:
                found.append(TaxonomyRef(known.title, str(value), ""))
            else:
                page = layout.taxonomy_entry(scheme, entry.id)
                found.append(TaxonomyRef(known.title, entry.label, entry.url, page))
    for value in incident.taxonomy.get("aiid", []):
        if isinstance(value, int) and not isinstance(value, bool):
            found.append(
                TaxonomyRef("AI Incident Database", f"AIID #{value}", AIID_URL.format(value))
            )
    return found


@dataclass
class Hit:
    """A catalog entry that postmortems name, and the defences their action items add."""

    entry: Entry
    page: str  # its page in the archive (`src_uri`)
    incidents: list[Incident] = field(default_factory=list)
    # Finished action items of those postmortems, by coverage category (see
    # `COVERAGE_CATEGORIES`); a category without any is absent.
    defences: dict[str, list[ActionItem]] = field(default_factory=dict)


@dataclass
class TacticCoverage:
    """An ATLAS tactic: how many of its techniques postmortems name, and which
    postmortems name one."""

    tactic: Entry
    techniques: int  # techniques and sub-techniques that serve it
    named: list[Entry]
    incidents: list[Incident]


@dataclass
class Coverage:
    """One catalog: the entries postmortems name, and those none does; for ATLAS, the
    same by tactic, and the mitigations the catalog lists."""

    catalog: Catalog
    hits: list[Hit]
    missed: list[Entry]
    tactics: list[TacticCoverage] = field(default_factory=list)
    mitigations: tuple[Entry, ...] = ()

    @property
    def scheme(self) -> str:
        return self.catalog.scheme


def coverage(archive: Archive, layout: Layout) -> list[Coverage]:
    """Every catalog, each entry with the postmortems that name it, in the catalog's
    order (ATLAS by id, so that a sub-technique follows its technique). One pass over
    the postmortems."""
    named: dict[tuple[str, str], list[Incident]] = {}
    for incident in archive.incidents:
        for scheme in schemes():
            known = catalog(scheme)
            seen: set[str] = set()
            for value in incident.taxonomy.get(scheme, []):
                entry = known.get(value)
                if entry is not None and entry.id not in seen:
                    seen.add(entry.id)
                    named.setdefault((scheme, entry.id), []).append(incident)
    categories = coverage_categories(archive)
    result = []
    for scheme in schemes():
        known = catalog(scheme)
        entries = list(known.nameable)
        if scheme == "mitre_atlas":
            entries.sort(key=lambda entry: entry.id)
        hits, missed = [], []
        for entry in entries:
            incidents = named.get((scheme, entry.id))
            if not incidents:
                missed.append(entry)
                continue
            defences = {
                category: items
                for category in categories
                if (items := list(_finished(incidents, category)))
            }
            hits.append(Hit(entry, layout.taxonomy_entry(scheme, entry.id), incidents, defences))
        result.append(Coverage(known, hits, missed))
    atlas = next((c for c in result if c.scheme == "mitre_atlas"), None)
    if atlas is not None:
        atlas.tactics = _by_tactic(atlas.catalog, atlas.hits, archive.incidents)
        atlas.mitigations = atlas.catalog.of_kind("mitigation")
    return result


def _by_tactic(atlas: Catalog, hits: list[Hit], order: list[Incident]) -> list[TacticCoverage]:
    """Each tactic in the catalog's order, with its named techniques and the
    postmortems that name them, each once, in the archive's order."""
    counts: dict[str, int] = {}
    for entry in atlas.nameable:
        for tactic_id in entry.tactics:
            counts[tactic_id] = counts.get(tactic_id, 0) + 1
    found = []
    for tactic in atlas.of_kind("tactic"):
        served = [hit for hit in hits if tactic.id in hit.entry.tactics]
        ids = {incident.id for hit in served for incident in hit.incidents}
        incidents = [incident for incident in order if incident.id in ids] if ids else []
        named = [hit.entry for hit in served]
        found.append(TacticCoverage(tactic, counts.get(tactic.id, 0), named, incidents))
    return found


def coverage_categories(archive: Archive) -> list[str]:
    """`COVERAGE_CATEGORIES` that the schema in force has."""
    return [category for category in COVERAGE_CATEGORIES if category in archive.categories]


def _finished(incidents: list[Incident], category: str) -> Iterator[ActionItem]:
    for incident in incidents:
        for item in incident.action_items:
            if item.category == category and item.finished:
                yield item

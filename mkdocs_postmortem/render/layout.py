"""Where each generated page of the archive lives, and safe slugs for its parts.

A slug is the text itself when it is already a plain lower-case ASCII name of at most
64 characters; any other text (`C++`, `C#`, `模型`, `../x`, an emoji, a 300-letter tag)
gets the start of what ASCII survives plus a short hash of the whole text, so that two
different texts never share a page and no name is too long for a file system.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

_PLAIN_RE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


# Most file systems allow 255 bytes a name; a slug stays far below, with room for the
# `.md`, `.html` or `index.html` that MkDocs adds.
_MOST = 64


def slug(text: str) -> str:
    if _PLAIN_RE.fullmatch(text):
        if len(text) <= _MOST:
            return text
        base = text[:48].rstrip("-_")
    else:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:48].strip("-")
    # "--" never occurs in a plain name, so a hashed slug cannot equal a plain one.
    return f"{base}--{_digest(text)}" if base else f"x--{_digest(text)}"


def page_slug(text: str) -> str:
    """A slug that can name a page beside an `index.md`."""
    name = slug(text)
    return f"index--{_digest(text)}" if name == "index" else name


def _plain(text: str) -> str:
    """`AML.T0051.000` as `aml-t0051-000`, `LLM01:2025` as `llm01-2025`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or text


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Layout:
    """The source paths (`src_uri`) of the generated pages below the archive folder."""

    folder: str

    # Generated pages live here; no file of the user's may.
    RESERVED_FOLDERS = (
        "action-items",
        "failure-modes",
        "models",
        "tags",
        "years",
        "taxonomy",
        "regulatory",
        "exports",
    )
    RESERVED_FILES = (
        "statistics.md",
        "patterns.md",
        "incidents.json",
        "incidents.schema.json",
        "action-items.csv",
        "feed.xml",
        "action-items.ics",
    )

    def is_reserved(self, src_uri: str) -> bool:
        """Whether a source path belongs to the generated pages."""
        if not src_uri.startswith(self.folder + "/"):
            return False
        rest = src_uri[len(self.folder) + 1 :]
        return rest in self.RESERVED_FILES or rest.split("/", 1)[0] in self.RESERVED_FOLDERS

    def _at(self, *parts: str) -> str:
        return "/".join((self.folder, *parts))

    @property
    def index(self) -> str:
        return self._at("index.md")

    @property
    def action_items(self) -> str:
        return self._at("action-items", "index.md")

    @property
    def owners(self) -> str:
        """The open action items by owner."""
        return self._at("action-items", "owners.md")

    def category(self, name: str) -> str:
        name_slug = page_slug(name)
        if name_slug == "owners":  # a category of an organisation's schema
            name_slug = f"owners--{_digest(name)}"
        return self._at("action-items", f"{name_slug}.md")

    @property
    def failure_modes(self) -> str:
        return self._at("failure-modes", "index.md")

    def failure_mode(self, name: str) -> str:
        return self._at("failure-modes", f"{page_slug(name)}.md")

    @property
    def models(self) -> str:
        return self._at("models", "index.md")

    def model(self, name: str) -> str:
        """One page per model name; its versions are listed on it."""
        return self._at("models", f"{page_slug(name)}.md")

    @property
    def tags(self) -> str:
        return self._at("tags", "index.md")

    def tag(self, name: str) -> str:
        return self._at("tags", f"{page_slug(name)}.md")

    @property
    def years(self) -> str:
        return self._at("years", "index.md")

    def year(self, year: str) -> str:
        return self._at("years", f"{page_slug(year)}.md")

    @property
    def taxonomy(self) -> str:
        """The coverage page: every entry of each catalog, and the postmortems that name
        it."""
        return self._at("taxonomy", "index.md")

    def taxonomy_entry(self, scheme: str, entry_id: str) -> str:
        """One page per catalog entry that postmortems name: `taxonomy/mitre-atlas/
        aml-t0051-000.md`. Only ids of the catalogs get one, so the slug is plain."""
        folder = page_slug(scheme.replace("_", "-"))
        return self._at("taxonomy", folder, f"{page_slug(_plain(entry_id))}.md")

    @property
    def statistics(self) -> str:
        return self._at("statistics.md")

    @property
    def patterns(self) -> str:
        """Recurring patterns: incidents that share failure mode, layer and system."""
        return self._at("patterns.md")

    @property
    def incidents_json(self) -> str:
        return self._at("incidents.json")

    @property
    def incidents_schema(self) -> str:
        """The JSON Schema of `incidents.json`, published beside it."""
        return self._at("incidents.schema.json")

    @property
    def action_items_csv(self) -> str:
        return self._at("action-items.csv")

    @property
    def regulatory(self) -> str:
        """Every serious incident under the EU AI Act, with its reporting clock."""
        return self._at("regulatory", "index.md")

    def art73_report(self, incident_id: str) -> str:
        """The printable Art. 73 report of one serious incident."""
        return self._at("regulatory", f"{incident_slug(incident_id)}.md")

    def art73_report_json(self, incident_id: str) -> str:
        return self._at("regulatory", f"{incident_slug(incident_id)}.json")

    def aiid_record(self, incident_id: str) -> str:
        """An AI Incident Database submission record of a published postmortem."""
        return self._at("exports", "aiid", f"{incident_slug(incident_id)}.json")

    def atlas_case_study(self, incident_id: str) -> str:
        """A MITRE ATLAS case study of a postmortem with ATLAS ids."""
        return self._at("exports", "atlas", f"{incident_slug(incident_id)}.json")

    @property
    def feed(self) -> str:
        """The Atom feed of published postmortems."""
        return self._at("feed.xml")

    @property
    def calendar(self) -> str:
        """The iCalendar file of open action items' due dates."""
        return self._at("action-items.ics")


def incident_slug(incident_id: str) -> str:
    """An id as a file name: `AIPM-2026-0042` as `aipm-2026-0042`; any other id as
    `slug` makes it."""
    if _UPPER_ID_RE.fullmatch(incident_id):
        return page_slug(incident_id.lower())
    return page_slug(incident_id)


# Upper-case letters, digits and `-`: the default id pattern's shape, lower-cased safely.
_UPPER_ID_RE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")

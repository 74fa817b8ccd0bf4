"""The whole check of an archive: read every file, apply every rule, sort the problems.

The MkDocs plugin and the CLI both call `check_archive`, so they report the same problems.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import pickle
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from . import collector
from .archive import Archive, Incident
from .diagnostics import RULES, Diagnostic, Severity, count
from .edition import (
    Removed,
    archive_still_shown,
    edition_problems,
    keep_for_archive,
    make_public,
    masked_message,
    withhold,
)
from .reader import Document, read
from .schema import ConfigurationError, SchemaInForce
from .validation.archive_rules import (
    archive_problems,
    cross_references,
    document_problems,
    fixes_not_held,
)
from .validation.language import LanguageRule
from .validation.leaks import LeakSettings, leak_findings
from .validation.review import ReviewSettings, review_problems
from .validation.schema_rules import schema_problems
from .workers import shared_map

SEVERITY_CHOICES = ("off", "info", "warning", "error")
# Rules whose severity can be changed: the checks of judgement, not of the format.
ADJUSTABLE = frozenset(
    {"PM014", "PM110", "PM207", "PM209", "PM213", "PM214", "PM501", "PM503", "PM504"}
) | {code for code in RULES if code.startswith(("PM3", "PM4"))}
# What an entry of `blameless_phrases` says when it leaves a part out.
PHRASE_DEFAULTS = {
    "name": "organisation phrase",
    "reason": "the organisation asks not to write this",
    "reframe": "describe the conditions instead",
}


@dataclass(frozen=True)
class Settings:
    """What a check needs besides the files."""

    schema: SchemaInForce
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).date())
    review: ReviewSettings = field(default_factory=ReviewSettings)
    severities: dict[str, str] = field(default_factory=dict)
    leaks: LeakSettings = field(default_factory=LeakSettings)
    # `public` builds the public edition: internal blocks and fields left out (`edition`).
    audience: str = "internal"

    @property
    def public(self) -> bool:
        return self.audience == "public"

    @classmethod
    def load(
        cls,
        schema_path: Path | None = None,
        id_pattern: str | None = None,
        today: str | dt.date | None = None,
        sections: Mapping[str, list[str]] | None = None,
        rules: Mapping[str, str] | None = None,
        phrases: Iterable[Mapping[str, str]] = (),
        leak_baseline: Path | None = None,
        phone_region: str | None = None,
        audience: str = "internal",
    ) -> Settings:
        """Settings from the plugin's options; raises `ConfigurationError`.

        `sections`, `rules` and `phrases` are taken as the options validated them
        (`config.PostmortemConfig`); only what needs the schema in force, the statuses
        of `sections`, is checked here.
        """
        schema = SchemaInForce.load(schema_path, id_pattern)
        day = parse_day(today) if today is not None else dt.datetime.now(dt.timezone.utc).date()
        review = ReviewSettings.of(
            schema,
            sections=_sections(sections, schema) if sections is not None else None,
            phrases=tuple(_phrase(entry) for entry in phrases),
        )
        try:
            leaks = LeakSettings.load(leak_baseline, phone_region)
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigurationError(
                f"leaks.baseline: cannot read {leak_baseline}: {error}; give a UTF-8 text "
                "file of safe values, one a line"
            ) from None
        schema.internal_fields()  # a bad `x-visibility` stops here, before any file is read
        return cls(schema, day, review, dict(rules or {}), leaks, audience)


def _sections(value: Mapping[str, list[str]], schema: SchemaInForce) -> dict[str, list[str]]:
    """`required_sections`, whose statuses must be those of the schema in force."""
    lifecycle = schema.lifecycle()
    for status in value:
        if status not in lifecycle:
            raise ConfigurationError(
                f"required_sections: {status!r} is not a status; use one of {', '.join(lifecycle)}"
            )
    return dict(value)


def phrase_regex(phrase: str) -> re.Pattern[str]:
    """An organisation's phrase as matched: whole words, any case. Raises `re.error`."""
    return re.compile(rf"\b(?:{phrase})\b", re.IGNORECASE)


def _phrase(entry: Mapping[str, str]) -> LanguageRule:
    """The rule of an entry of `blameless_phrases`, whose `phrase` the option checked."""
    parts = {**PHRASE_DEFAULTS, **entry}
    return LanguageRule(
        "PM450", parts["name"], phrase_regex(parts["phrase"]), parts["reason"], parts["reframe"]
    )


def _adjust(diagnostics: list[Diagnostic], severities: dict[str, str]) -> list[Diagnostic]:
    """Apply the configured severities: drop what is off, change the rest."""
    adjusted = []
    for diagnostic in diagnostics:
        wanted = severities.get(diagnostic.code)
        if wanted == "off":
            continue
        if wanted is not None:
            diagnostic = replace(diagnostic, severity=Severity(wanted))
        adjusted.append(diagnostic)
    return adjusted


def parse_day(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(f"today: {value!r} is not a date written YYYY-MM-DD") from None


@dataclass
class Report:
    """Documents as read and every problem found in them, in file and line order."""

    documents: list[Document]
    diagnostics: list[Diagnostic]
    archive: Archive  # the model of the postmortems, which the pages are made from
    # What the public edition left out; None for the internal edition.
    removed: Removed | None = None

    @property
    def errors(self) -> int:
        return count(self.diagnostics)[0]

    @property
    def warnings(self) -> int:
        return count(self.diagnostics)[1]

    @property
    def summary(self) -> str:
        """How many problems, in how many of the postmortems: the last line of every
        report, the same for the build and `validate` ("6 errors in 1 of 11
        postmortems"). Information is neither an error nor a warning; it is counted
        apart ("3 notes")."""
        total = len(self.documents)
        errors, warnings = count(self.diagnostics)
        notes = sum(d.severity is Severity.INFO for d in self.diagnostics)
        problems = [
            _counted(number, noun)
            for number, noun in ((errors, "error"), (warnings, "warning"))
            if number
        ]
        if problems:
            text = f"{' and '.join(problems)} in {self._where()}"
        else:
            text = f"no errors or warnings in {_counted(total, 'postmortem')}"
        return text + (f"; {_counted(notes, 'note')}" if notes else "")

    def _where(self) -> str:
        """`1 of 11 postmortems`, and the other files with problems (`mkdocs.yml`)."""
        paths = {d.path for d in self.diagnostics if d.severity is not Severity.INFO}
        postmortems = {document.path for document in self.documents}
        others = ", ".join(sorted(paths - postmortems))
        total = _counted(len(self.documents), "postmortem")
        if not others:
            return f"{len(paths):,} of {total}"
        if paths & postmortems:
            return f"{len(paths & postmortems):,} of {total} and {others}"
        return f"{others} ({total} checked)"

    def log(self, logger: logging.Logger | logging.LoggerAdapter[logging.Logger]) -> None:
        """Each problem at its level; information, and what the public edition left
        out, at INFO, which `mkdocs build --strict` does not count."""
        levels = {Severity.ERROR: logging.ERROR, Severity.WARNING: logging.WARNING}
        for diagnostic in self.diagnostics:
            logger.log(levels.get(diagnostic.severity, logging.INFO), str(diagnostic))
        if self.removed is not None:  # what the public edition left out
            logger.info(self.removed.summary())

    def fails(self, fail_on: str) -> bool:
        """Whether the problems fail the build or the command, as `fail_on` asks:
        `error`, `warning` (errors or warnings) or `never`. Information never fails."""
        if fail_on == "never":
            return False
        if fail_on == "warning":
            return self.errors + self.warnings > 0
        return self.errors > 0

    def by_path(self) -> dict[str, list[Diagnostic]]:
        """The diagnostics of each file that has any."""
        groups: dict[str, list[Diagnostic]] = {}
        for diagnostic in self.diagnostics:
            groups.setdefault(diagnostic.path, []).append(diagnostic)
        return groups


def _counted(number: int, noun: str) -> str:
    """`1 error`, `6 errors`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# A postmortem to check: its path as messages show it (relative to the project root),
# and its bytes, the error met reading it, or the path of the file to read them from,
# read in whichever process checks it, so that no file's bytes travel between them.
Source = tuple[str, "bytes | OSError | str"]
Checked = tuple[Document, list[Diagnostic], Removed | None]


class Checks:
    """Each postmortem's own check, kept from one build to the next (`mkdocs serve`), so
    that a rebuild checks again only the files whose content changed. The archive-wide
    rules always run on every file. Kept for the settings it was made with only."""

    def __init__(self) -> None:
        self._settings = b""
        self._by_path: dict[str, tuple[bytes, Checked]] = {}

    def split(
        self, sources: Sequence[Source], settings: Settings
    ) -> tuple[list[Source], list[Checked | None]]:
        """Each source with its content read, and its earlier check if that content is
        unchanged (else None)."""
        fingerprint = pickle.dumps(settings, protocol=pickle.HIGHEST_PROTOCOL)
        if fingerprint != self._settings:
            self._settings, self._by_path = fingerprint, {}
        read_sources: list[Source] = []
        kept: list[Checked | None] = []
        for path, raw in sources:
            content = _contents(raw)
            read_sources.append((path, content))
            earlier = self._by_path.get(path)
            if isinstance(content, bytes) and earlier is not None and earlier[0] == content:
                document, problems, removed = earlier[1]
                # The build changes its copy of the document.
                kept.append((copy.copy(document), problems, removed))
            else:
                kept.append(None)
        return read_sources, kept

    def keep(self, sources: Sequence[Source], checked: Sequence[Checked]) -> None:
        """Remember this build's checks (of `sources` as `split` read them), and forget
        files that are gone."""
        self._by_path = {
            path: (raw, (copy.copy(document), problems, removed))
            for (path, raw), (document, problems, removed) in zip(sources, checked, strict=True)
            if isinstance(raw, bytes)
        }


def check_archive(
    sources: Sequence[Source],
    settings: Settings,
    notices: Iterable[Diagnostic] = (),
    jobs: int = 1,
    earlier: Checks | None = None,
) -> Report:
    """Check every postmortem.

    `notices` are problems the adapter found about the files themselves (links that
    leave docs_dir). With `jobs` above 1, a large archive is checked by that many
    processes (see `workers`); the report is the same. With `earlier`, the checks of
    files unchanged since the last build are reused, and this build's are kept.
    """
    with collector.paused():
        if earlier is None:
            checked = shared_map(partial(_check_source, settings=settings), sources, jobs)
        else:
            read_sources, kept = earlier.split(sources, settings)
            changed = [s for s, found in zip(read_sources, kept, strict=True) if found is None]
            fresh = iter(shared_map(partial(_check_source, settings=settings), changed, jobs))
            checked = [found if found is not None else next(fresh) for found in kept]
            earlier.keep(read_sources, checked)
        return report_of(checked, settings, notices)


def report_of(
    checked: Iterable[Checked],
    settings: Settings,
    notices: Iterable[Diagnostic] = (),
    incident_of: Callable[[Document], Incident] | None = None,
) -> Report:
    """The report of documents checked one by one (`check_document`): their problems,
    the archive model and the rules across documents, the configured severities. The
    language server keeps each document's check, and its model (`incident_of`, see
    `Archive.build`), and calls this alone when one of them changes."""
    documents = []
    diagnostics: list[Diagnostic] = list(notices)
    removed = Removed() if settings.public else None
    public: list[tuple[Document, Removed]] = []
    for document, problems, left_out in checked:
        documents.append(document)
        diagnostics.extend(problems)
        if removed is not None and left_out is not None:
            removed.add(left_out)
            public.append((document, left_out))
    diagnostics.extend(archive_problems(documents, settings.schema))
    if settings.public:
        diagnostics.extend(archive_still_shown(public))
    hidden = settings.schema.internal_fields() if settings.public else ()
    archive = Archive.build(documents, settings.schema, settings.today, hidden, incident_of)
    diagnostics.extend(fixes_not_held(archive, documents))
    found = sorted(set(_adjust(diagnostics, settings.severities)))
    return Report(documents, found, archive, removed)


def _check_source(source: Source, *, settings: Settings) -> Checked:
    return check_document(*source, settings)


def check_document(path: str, raw: bytes | OSError | str, settings: Settings) -> Checked:
    """Read one postmortem and apply every rule that needs only it; the document is
    released once checked, so that memory stays flat as archives grow. For the public
    edition, the document becomes its public view (`edition.make_public`)."""
    document = read(path, _contents(raw))
    internal = settings.schema.internal_fields()
    leaks, withheld = leak_findings(
        document, settings.leaks, draft=_is_draft(document, settings.schema)
    )
    problems = [
        *document.problems,
        *schema_problems(document, settings.schema),
        *review_problems(document, settings.review),
        *document_problems(document, settings.schema, settings.today),
        *leaks,
        *edition_problems(document, internal, public=settings.public),
    ]
    if withheld:
        # Other rules quote the raw front-matter (an enum value, a key, a line of YAML):
        # their messages must not print what the leak checks mask, here or in any adapter.
        problems = [
            replace(
                found,
                message=masked_message(found.message, withheld),
                field=masked_message(found.field, withheld),
            )
            for found in problems
        ]
    kept = Removed()
    if settings.public:
        keep_for_archive(document, internal, kept)
    document.release(keep=cross_references(document))
    withhold(document, withheld)
    removed = None
    if settings.public:
        removed = make_public(document, internal)
        removed.internal, removed.scalars = kept.internal, kept.scalars
    return document, problems, removed


def _is_draft(document: Document, schema: SchemaInForce) -> bool:
    """A draft's leaks are warnings: it is not finished, nor reviewed yet."""
    status = document.data.get("status") if isinstance(document.data, dict) else None
    return isinstance(status, str) and status in schema.draft_statuses()


def _contents(raw: bytes | OSError | str) -> bytes | OSError:
    if not isinstance(raw, str):
        return raw
    try:
        with open(raw, "rb") as file:
            return file.read()
    except OSError as error:
        return error

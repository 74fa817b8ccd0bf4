"""The whole check of an archive: read every file, apply every rule, sort the problems.

The MkDocs plugin and the CLI both call `check_archive`, so they report the same problems.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from . import collector
from .diagnostics import RULES, Diagnostic, Severity, count
from .reader import Document, read
from .schema import ConfigurationError, SchemaInForce
from .validation.archive_rules import archive_problems, cross_references, document_problems
from .validation.language import LanguageRule
from .validation.review import ReviewSettings, review_problems
from .validation.schema_rules import schema_problems
from .workers import shared_map

SEVERITY_CHOICES = ("off", "info", "warning", "error")
# Rules whose severity can be changed: the checks of judgement, not of the format.
ADJUSTABLE = frozenset({"PM110", "PM207", "PM209", "PM213", "PM214", "PM501", "PM503", "PM504"}) | {
    code for code in RULES if code.startswith(("PM3", "PM4"))
}
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

    @classmethod
    def load(
        cls,
        schema_path: Path | None = None,
        id_pattern: str | None = None,
        today: str | dt.date | None = None,
        sections: Mapping[str, list[str]] | None = None,
        rules: Mapping[str, str] | None = None,
        phrases: Iterable[Mapping[str, str]] = (),
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
        return cls(schema, day, review, dict(rules or {}))


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

    @property
    def errors(self) -> int:
        return count(self.diagnostics)[0]

    @property
    def warnings(self) -> int:
        return count(self.diagnostics)[1]

    @property
    def summary(self) -> str:
        """How many problems, in how many postmortems: the last line of every report."""
        return (
            f"{self.errors} error(s), {self.warnings} warning(s) "
            f"in {len(self.documents)} postmortem(s)"
        )

    def log(self, logger: logging.Logger | logging.LoggerAdapter[logging.Logger]) -> None:
        """Each problem at its level; information at INFO, which `mkdocs build --strict`
        does not count."""
        levels = {Severity.ERROR: logging.ERROR, Severity.WARNING: logging.WARNING}
        for diagnostic in self.diagnostics:
            logger.log(levels.get(diagnostic.severity, logging.INFO), str(diagnostic))

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


# A postmortem to check: its path as messages show it (relative to the project root),
# and its bytes, the error met reading it, or the path of the file to read them from,
# read in whichever process checks it, so that no file's bytes travel between them.
Source = tuple[str, "bytes | OSError | str"]
Checked = tuple[Document, list[Diagnostic]]


def check_archive(
    sources: Sequence[Source],
    settings: Settings,
    notices: Iterable[Diagnostic] = (),
    jobs: int = 1,
) -> Report:
    """Check every postmortem.

    `notices` are problems the adapter found about the files themselves (links that
    leave docs_dir). With `jobs` above 1, a large archive is checked by that many
    processes (see `workers`); the report is the same.
    """
    documents = []
    diagnostics: list[Diagnostic] = list(notices)
    with collector.paused():
        checked = shared_map(partial(_check_source, settings=settings), sources, jobs)
        for document, problems in checked:
            documents.append(document)
            diagnostics.extend(problems)
    diagnostics.extend(archive_problems(documents, settings.schema))
    return Report(documents, sorted(set(_adjust(diagnostics, settings.severities))))


def _check_source(source: Source, *, settings: Settings) -> Checked:
    return check_document(*source, settings)


def check_document(path: str, raw: bytes | OSError | str, settings: Settings) -> Checked:
    """Read one postmortem and apply every rule that needs only it; the document is
    released once checked, so that memory stays flat as archives grow."""
    document = read(path, _contents(raw))
    problems = [
        *document.problems,
        *schema_problems(document, settings.schema),
        *review_problems(document, settings.review),
        *document_problems(document, settings.schema, settings.today),
    ]
    document.release(keep=cross_references(document))
    return document, problems


def _contents(raw: bytes | OSError | str) -> bytes | OSError:
    if not isinstance(raw, str):
        return raw
    try:
        with open(raw, "rb") as file:
            return file.read()
    except OSError as error:
        return error

"""The whole check of an archive: read every file, apply every rule, sort the problems.

The MkDocs plugin and the CLI both call `check_archive`, so they report the same problems.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from . import collector
from .diagnostics import RULES, Diagnostic, Severity, count
from .reader import Document, read
from .schema import ConfigurationError, SchemaInForce, check_pattern
from .validation.archive_rules import archive_problems, cross_references, document_problems
from .validation.language import LanguageRule
from .validation.review import ReviewSettings, review_problems
from .validation.schema_rules import schema_problems
from .workers import shared_map

SEVERITY_CHOICES = ("off", "warning", "error")
# Rules whose severity can be changed: the checks of judgement, not of the format.
ADJUSTABLE = frozenset({"PM110", "PM207", "PM209"}) | {
    code for code in RULES if code.startswith(("PM3", "PM4"))
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
        sections: dict[str, Any] | None = None,
        rules: dict[str, Any] | None = None,
        phrases: list[Any] | None = None,
    ) -> Settings:
        """Settings from the plugin's options; raises `ConfigurationError`."""
        schema = SchemaInForce.load(schema_path, id_pattern)
        day = parse_day(today) if today is not None else dt.datetime.now(dt.timezone.utc).date()
        review = ReviewSettings.of(
            schema,
            sections=_sections(sections, schema) if sections is not None else None,
            phrases=tuple(_phrase(entry, n) for n, entry in enumerate(phrases or [])),
        )
        return cls(schema, day, review, _severities(rules or {}))


def _sections(value: dict[str, Any], schema: SchemaInForce) -> dict[str, list[str]]:
    """`required_sections`, keyed by the statuses of the schema in force."""
    sections: dict[str, list[str]] = {}
    lifecycle = schema.lifecycle()
    for status, names in value.items():
        if status not in lifecycle:
            raise ConfigurationError(
                f"required_sections: {status!r} is not a status; use one of {', '.join(lifecycle)}"
            )
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise ConfigurationError(f"required_sections.{status}: expected a list of headings")
        sections[status] = names
    return sections


def _severities(value: dict[str, Any]) -> dict[str, str]:
    # YAML 1.1, as MkDocs reads mkdocs.yml, turns a bare `off` into false.
    value = {code: "off" if severity is False else severity for code, severity in value.items()}
    for code, severity in value.items():
        if code not in ADJUSTABLE:
            raise ConfigurationError(
                f"rules: {code!r} cannot be changed; these can: {', '.join(sorted(ADJUSTABLE))}"
            )
        if severity not in SEVERITY_CHOICES:
            raise ConfigurationError(
                f"rules.{code}: {severity!r} is not one of {', '.join(SEVERITY_CHOICES)}"
            )
    return {str(code): str(severity) for code, severity in value.items()}


def _phrase(entry: Any, number: int) -> LanguageRule:
    where = f"blameless_phrases[{number}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("phrase"), str):
        raise ConfigurationError(f"{where}: expected a mapping with 'phrase', 'reason', 'reframe'")
    check_pattern(entry["phrase"], f"{where}.phrase")
    return LanguageRule(
        "PM450",
        str(entry.get("name", "organisation phrase")),
        re.compile(rf"\b(?:{entry['phrase']})\b", re.IGNORECASE),
        str(entry.get("reason", "the organisation asks not to write this")),
        str(entry.get("reframe", "describe the conditions instead")),
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

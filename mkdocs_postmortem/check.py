"""The whole check of an archive: read every file, apply every rule, sort the problems.

The MkDocs plugin and the CLI both call `check_archive`, so they report the same problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, count
from .reader import Document, read
from .schema import ConfigurationError, SchemaInForce
from .validation.archive_rules import archive_problems
from .validation.schema_rules import schema_problems


@dataclass(frozen=True)
class Settings:
    """What a check needs besides the files."""

    schema: SchemaInForce
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).date())

    @classmethod
    def load(
        cls,
        schema_path: Path | None = None,
        id_pattern: str | None = None,
        today: str | dt.date | None = None,
    ) -> Settings:
        """Settings from the plugin's options; raises `ConfigurationError`."""
        schema = SchemaInForce.load(schema_path, id_pattern)
        if today is None:
            return cls(schema)
        return cls(schema, parse_day(today))


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


Source = tuple[str, "bytes | OSError"]


def check_archive(sources: Iterable[Source], settings: Settings) -> Report:
    """Check every postmortem.

    `sources` gives each file's display path (relative to the project root) and its
    bytes, or the error met reading it.
    """
    documents = [read(path, raw) for path, raw in sources]
    diagnostics: list[Diagnostic] = []
    for document in documents:
        diagnostics.extend(document.problems)
        diagnostics.extend(schema_problems(document, settings.schema))
    diagnostics.extend(archive_problems(documents, settings.schema, settings.today))
    return Report(documents, sorted(set(diagnostics)))

"""Options of the `postmortem` plugin in `mkdocs.yml`.

MkDocs checks each option as it loads the configuration, and stops with a message that
names the option. What needs the schema in force (the statuses of `required_sections`)
is checked once the schema loads, in `check.Settings.load`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeVar

from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, Config, ValidationError

from .check import ADJUSTABLE, PHRASE_DEFAULTS, SEVERITY_CHOICES, phrase_regex
from .edition import AUDIENCES
from .validation.leaks import DEFAULT_PHONE_REGION
from .workers import default_jobs

T = TypeVar("T")


class _Day(BaseConfigOption[dt.date | None]):
    """A date: YAML may give it as a date or as text; both are taken."""

    def run_validation(self, value: object) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise ValidationError(f"expected a date written YYYY-MM-DD, got {value!r}")


class _Folder(c.Type[str]):
    """A folder below `docs_dir`, written with forward slashes and no `..`."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        folder = super().run_validation(value).strip("/")
        parts = folder.split("/")
        if not folder or any(part in ("", ".", "..") for part in parts) or "\\" in folder:
            raise ValidationError(
                f"expected a folder below docs_dir such as 'postmortems', got {value!r}"
            )
        return folder


class _Jobs(c.Type[int]):
    """How many processes check a large archive; 0 for one per core this process may
    use (its CPU affinity and quota), at most `workers.MOST_JOBS`."""

    def __init__(self) -> None:
        super().__init__(int, default=0)

    def run_validation(self, value: object) -> int:
        jobs = super().run_validation(value)
        if isinstance(jobs, bool) or jobs < 0:
            raise ValidationError(
                f"expected 0 (one per core) or a number of processes, got {value!r}"
            )
        return jobs


class _Mapping(c.DictOfItems[T]):
    """`DictOfItems` that names the key of a value it rejects: MkDocs' own message
    names only the option."""

    def run_validation(self, value: object) -> dict[str, T]:
        if value is None:  # the option with every entry commented out
            value = self.default
        if not isinstance(value, dict):
            return super().run_validation(value)
        checked: dict[str, T] = {}
        for key, item in value.items():  # one at a time, to know which one fails
            try:
                checked.update(super().run_validation({key: item}))
            except ValidationError as error:
                raise ValidationError(f"{key}: {error}") from None
        return checked


class _List(c.ListOfItems[T]):
    """`ListOfItems` that names the place of an item it rejects: MkDocs' own message
    names only the option."""

    def run_validation(self, value: object) -> list[T]:
        if value is None:  # the option with every entry commented out
            value = self.default
        if not isinstance(value, list):
            return super().run_validation(value)
        checked: list[T] = []
        for number, item in enumerate(value):  # one at a time, to know which one fails
            try:
                checked += super().run_validation([item])
            except ValidationError as error:
                raise ValidationError(f"[{number}]: {error}") from None
        return checked


class _Heading(c.Type[str]):
    """The text of a heading; an empty one could never be written."""

    def __init__(self) -> None:
        super().__init__(str)

    def run_validation(self, value: object) -> str:
        heading = super().run_validation(value)
        if not heading.strip():
            raise ValidationError(f"expected the text of a heading, got {value!r}")
        return heading


class _Severity(c.Choice[str]):
    """`off`, `info`, `warning` or `error`. YAML 1.1, as MkDocs reads `mkdocs.yml`, turns a bare
    `off` into false: that means `off` too."""

    def __init__(self) -> None:
        super().__init__(SEVERITY_CHOICES)

    def run_validation(self, value: object) -> str:
        return super().run_validation("off" if value is False else value)


class _Rules(_Mapping[str]):
    """Rule codes and their severities; only the rules of judgement can be changed."""

    def __init__(self) -> None:
        super().__init__(_Severity(), default={})

    def run_validation(self, value: object) -> dict[str, str]:
        rules = super().run_validation(value)
        for code in rules:
            if code not in ADJUSTABLE:
                raise ValidationError(
                    f"{code!r} cannot be changed; these can: {', '.join(sorted(ADJUSTABLE))}"
                )
        return rules


class _PhrasePattern(c.Type[str]):
    """A regular expression, compiled as the check will use it, so that a bad one stops
    the build here with a message that names it."""

    def __init__(self) -> None:
        super().__init__(str)

    def run_validation(self, value: object) -> str:
        pattern = super().run_validation(value)
        try:
            phrase_regex(pattern)
        except re.error as error:
            raise ValidationError(
                f"{pattern!r} is not a valid regular expression: {error}"
            ) from None
        return pattern


class Phrase(Config):
    """An entry of `blameless_phrases`: a phrase the organisation asks not to write."""

    phrase = _PhrasePattern()
    """A regular expression, matched as whole words and case-insensitively. Required."""

    name = c.Type(str, default=PHRASE_DEFAULTS["name"])
    """A short name, shown at the start of the message."""

    reason = c.Type(str, default=PHRASE_DEFAULTS["reason"])
    """Why not to write it."""

    reframe = c.Type(str, default=PHRASE_DEFAULTS["reframe"])
    """What to write instead."""


class _Region(c.Type[str]):
    """A region code of libphonenumber (`US`, `GB`, `DE`): where phone numbers written
    without a country code are taken to be from."""

    def __init__(self) -> None:
        super().__init__(str, default=DEFAULT_PHONE_REGION)

    def run_validation(self, value: object) -> str:
        region = super().run_validation(value).upper()
        import phonenumbers

        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValidationError(
                f"expected a two-letter region code such as 'US', 'GB' or 'DE', got {value!r}"
            )
        return region


class Leaks(Config):
    """The option `leaks`: what the leak checks (PM601-PM604) take as safe, and where
    phone numbers are from."""

    baseline = c.Optional(c.File(exists=True))
    """A text file, relative to `mkdocs.yml`, of values that are safe to publish, one a
    line (`#` starts a comment); `@example.com` makes every address at a domain safe."""

    phone_region = _Region()
    """Where a phone number written without `+` and a country code is from."""


class PostmortemConfig(Config):
    """The plugin's options; docs/configuration.md tells more of each."""

    enabled = c.Type(bool, default=True)
    """Whether the plugin runs at all; `!ENV [POSTMORTEM, true]` chooses per run."""

    dir = _Folder(default="postmortems")
    """The archive's folder, relative to `docs_dir`: every `*.md` below it is a
    postmortem, but its `index.md` and the places of the generated pages."""

    schema = c.Optional(c.File(exists=True))
    """The organisation's JSON Schema, relative to `mkdocs.yml`: it adds constraints to
    the built-in schema, and its `$defs` replace the built-in ones."""

    id_pattern = c.Optional(c.Type(str))
    """The regular expression every `id` (and every `related` id) must match; checked
    as the schema in force loads."""

    fail_on = c.Choice(("error", "warning", "never"), default="error")
    """The least severity of a problem that fails the build; `never` reports only."""

    today = _Day()
    """The date that decides whether an action item is overdue, and where an EU AI Act
    Art. 73 report stands; today in UTC if unset."""

    organisation = c.Type(str, default="")
    """Who runs the AI systems: the provider of the Art. 73 reports, the deployer of
    the AI Incident Database records; the site's name if unset."""

    nav_postmortems = c.Type(bool, default=False)
    """Whether single postmortems join the automatic navigation (slow for large
    archives with Material, which renders the whole navigation into every page)."""

    required_sections = c.Optional(_Mapping(c.ListOfItems(_Heading())))
    """The headings a postmortem needs, each from its status on, as a mapping of status
    to headings; replaces the default `{in_review: [What happened, Analysis]}`."""

    rules = _Rules()
    """Rule codes and their severity, `off`, `info`, `warning` or `error`, for the whole
    archive; only the rules of judgement (`check.ADJUSTABLE`)."""

    blameless_phrases = _List(c.SubConfig(Phrase), default=[])
    """The organisation's own phrases not to write, reported as PM450."""

    audience = c.Choice(AUDIENCES, default="internal")
    """Who the built site is for: `internal` publishes everything; `public` leaves out
    the body's internal blocks and the fields the schema marks `x-visibility: internal`
    (reviewers, action items' owner and tracker), from pages, search and exports, and
    fails when a value of such a field is still written elsewhere (PM610)."""

    leaks = c.SubConfig(Leaks)
    """Known-safe values (`baseline`) and the phone region of the leak checks."""

    jobs = _Jobs()
    """How many processes check and render an archive of 200 postmortems or more; 0
    for one per core, at most 8."""

    @property
    def processes(self) -> int:
        """The number of processes that check the archive: a number given is taken as
        it is, the user's choice; only the default is capped."""
        return self.jobs or default_jobs()

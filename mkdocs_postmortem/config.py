"""Options of the `postmortem` plugin in `mkdocs.yml`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, Config, ValidationError

from .workers import default_jobs


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
    use (its CPU affinity and quota), at most `parallel.MOST_JOBS`."""

    def __init__(self) -> None:
        super().__init__(int, default=0)

    def run_validation(self, value: object) -> int:
        jobs = super().run_validation(value)
        if isinstance(jobs, bool) or jobs < 0:
            raise ValidationError(
                f"expected 0 (one per core) or a number of processes, got {value!r}"
            )
        return jobs


class PostmortemConfig(Config):
    """The plugin's options; each is documented in docs/configuration.md."""

    enabled = c.Type(bool, default=True)
    dir = _Folder(default="postmortems")
    schema = c.Optional(c.File(exists=True))
    id_pattern = c.Optional(c.Type(str))
    fail_on = c.Choice(("error", "warning", "never"), default="error")
    today = _Day()
    nav_postmortems = c.Type(bool, default=False)
    required_sections = c.Optional(c.Type(dict))
    rules = c.Type(dict, default={})
    blameless_phrases = c.Type(list, default=[])
    jobs = _Jobs()

    def options(self) -> dict[str, Any]:
        return dict(self.items())

    @property
    def processes(self) -> int:
        """The number of processes that check the archive: a number given is taken as
        it is, the user's choice; only the default is capped."""
        return self.jobs or default_jobs()

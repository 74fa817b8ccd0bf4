"""The Jinja2 environment of the archive's templates, overridable from the theme."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache

from .layout import slug
from .moments import count_of, duration, elapsed, moment_iso, moment_text


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process, in memory, for every environment made
    since: `mkdocs serve` makes one per rebuild, and compiling every template again
    took a good part of a rebuild. Jinja checks each template's source against the
    code's, so an edited template is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = CompiledTemplates()


def environment(custom_dir: str | None = None) -> jinja2.Environment:
    """Templates from `<custom_dir>/postmortem/` first, then the packaged ones.

    Autoescape is on for every template: all values come from front-matter.
    """
    loaders: list[jinja2.BaseLoader] = []
    if custom_dir and os.path.isdir(os.path.join(custom_dir, "postmortem")):
        loaders.append(jinja2.FileSystemLoader(custom_dir))
    loaders.append(jinja2.PackageLoader("mkdocs_postmortem", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        # A fresh environment serves each build, so templates never change under it;
        # without this, every render would check the files' times again.
        auto_reload=False,
        bytecode_cache=_COMPILED,
    )
    env.filters["slug"] = slug
    env.filters["tracker_label"] = tracker_label
    env.filters["hours"] = hours
    # A postmortem page's dates, durations and counts (see `moments`).
    env.filters["moment"] = moment_text
    env.filters["moment_iso"] = moment_iso
    env.filters["duration"] = duration
    env.filters["elapsed"] = elapsed
    env.filters["plural"] = count_of  # not "count": that is Jinja's length
    return env


def template_sources(env: jinja2.Environment) -> list[tuple[str, str]]:
    """Each archive template's name and source, as `env` finds it (the theme's first)."""
    assert env.loader is not None
    return [
        (name, env.loader.get_source(env, name)[0])
        for name in env.list_templates()
        if name.startswith("postmortem/")
    ]


def tracker_label(url: str) -> str:
    """The ticket name at the end of a tracker URL, e.g. `AI-123`."""
    parts = urlsplit(url)
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return tail or parts.netloc or url


def hours(value: float | int | None) -> str:
    if value is None:
        return "\u2013"  # an en dash: no value
    return f"{value:.1f}".removesuffix(".0")

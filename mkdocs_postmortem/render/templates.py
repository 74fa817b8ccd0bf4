"""The Jinja2 environment of the archive's templates, overridable from the theme."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import jinja2

from .layout import slug
from .moments import count_of, duration, elapsed, moment_iso, moment_text


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


def tracker_label(url: str) -> str:
    """The ticket name at the end of a tracker URL, e.g. `AI-123`."""
    parts = urlsplit(url)
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return tail or parts.netloc or url


def hours(value: float | int | None) -> str:
    if value is None:
        return "\u2013"  # an en dash: no value
    return f"{value:.1f}".removesuffix(".0")

"""The archive's HTML, made while the build goes on and handed out as pages ask for it.

A build reads and converts one page after the other in a single process; on a
machine with more cores, the others sit idle meanwhile. The landing page's listing,
each postmortem's card and details and every generated file are therefore made in
worker processes (see `parallel.Background`), in the order the build will ask for
them, and taken when their page is converted; then comes what the plugin asks for
last (the check, for a check made meanwhile). Without workers, each is made when it
is taken, which is what a build would do anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..archive import Incident
from ..parallel import Background
from ..search_form import search_form
from .pages import Planned, Renderer, headings

# Postmortems whose additions one task makes: enough that a task is worth sending,
# few enough that the first page does not wait long.
CHUNK = 25

Made = list[tuple[str, Any]]  # (src_uri, what was made for it)
_LAST = "\0last"  # a key that no src_uri can be


@dataclass(frozen=True)
class Html:
    """A page's HTML, and its search form when search indexes the page."""

    html: str
    search_form: str | None
    headings: list[tuple[str, str]]  # its sections: (anchor, title)


class Ahead:
    """What the page events ask for, keyed by `src_uri`."""

    def __init__(
        self,
        renderer: Renderer,
        order: list[str],
        postmortems: dict[str, Incident],
        planned: dict[str, Planned],
        index: str | None,
        workers: int,
        last: Callable[[], Any] | None = None,
    ) -> None:
        """Make, in `order`, the additions of the `postmortems`, the `planned` files,
        and the listing of the user's own landing page `index`, then run `last`, in up
        to `workers` processes."""
        self._taken: dict[str, Any] = {}
        tasks = _tasks(renderer, order, postmortems, planned, index, CHUNK if workers else 1)
        if last is not None:
            tasks.append(([_LAST], partial(_make_text, _LAST, last)))
        self._keys = {uri for uris, _ in tasks for uri in uris}
        self._background = Background([task for _, task in tasks], workers)
        self._results: Iterator[Made] = self._background.results()

    def take(self, src_uri: str) -> Any:
        """What was made for `src_uri`, once: `Additions` for a postmortem, `Html` for a
        generated page or the user's landing page, text for a data file; None for what
        was not planned."""
        if src_uri not in self._keys:
            return None
        self._keys.discard(src_uri)
        while src_uri not in self._taken:
            self._taken.update(next(self._results))
        return self._taken.pop(src_uri)

    def text(self, src_uri: str) -> str | None:
        """A data file's content."""
        text = self.take(src_uri)
        return text if isinstance(text, str) else None

    def last(self) -> Any:
        """What `last` gave; None without it."""
        return self.take(_LAST)

    def close(self) -> None:
        """Stop the workers, for a build that ends before everything is taken."""
        self._background.close()


def _tasks(
    renderer: Renderer,
    order: list[str],
    postmortems: dict[str, Incident],
    planned: dict[str, Planned],
    index: str | None,
    chunk: int,
) -> list[tuple[list[str], Callable[[], Made]]]:
    """Each task with the pages it is for."""
    tasks: list[tuple[list[str], Callable[[], Made]]] = []
    run: list[str] = []  # postmortems in a row, made in one task

    def end_run() -> None:
        nonlocal run
        if run:
            tasks.append((run, partial(_make_additions, renderer, postmortems, run)))
            run = []

    for uri in order:
        if uri in postmortems:
            run.append(uri)
            if len(run) == chunk:
                end_run()
            continue
        end_run()
        if uri in planned:
            item = planned[uri]
            if item.is_page:
                tasks.append(([uri], partial(_make_html, uri, item.make, item.search)))
            else:
                tasks.append(([uri], partial(_make_text, uri, item.make)))
        elif uri == index:
            tasks.append(([uri], partial(_make_html, uri, renderer.index_body, True)))
    end_run()
    return tasks


def _make_additions(renderer: Renderer, postmortems: dict[str, Incident], uris: list[str]) -> Made:
    return [(uri, renderer.additions(postmortems[uri], uri)) for uri in uris]


def _make_html(uri: str, make: Callable[[], str], search: bool) -> Made:
    html = make()
    return [(uri, Html(html, search_form(html) if search else None, headings(html)))]


def _make_text(uri: str, make: Callable[[], Any]) -> Made:
    return [(uri, make())]

"""The archive's HTML, made while the build converts its pages, and handed out as the
pages ask for it.

A build converts one page after the other in a single process; on a machine with more
cores, the others sit idle meanwhile. The landing page's listing, each postmortem's
card and details and every generated file are therefore made by worker processes (see
`workers`): first the data files, which a thread writes while MkDocs converts the
pages, then the pages' HTML, which each page asks for once every page is converted.
Each worker gets the archive once (a `Plan`, which pickles) and makes the same
renderer from it; a page takes what was made for it, waits for what a worker is
making, and makes the rest itself. Without workers, each piece is made when its page
asks for it, as a build would anyway.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import posixpath
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Any

from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from ..archive import Archive, Incident
from ..learning import Similar
from ..search_form import search_form
from ..workers import Workers
from .interop import Publisher
from .layout import Layout
from .pages import Planned, Renderer, headings
from .templates import environment, template_sources

# Postmortems whose additions one task makes: enough that a task is worth sending,
# few enough that the first page does not wait long.
CHUNK = 25

Made = list[tuple[str, Any]]  # (src_uri, what was made for it)


@dataclass(frozen=True)
class Html:
    """A page's HTML, and its search form when search indexes the page."""

    html: str
    search_form: str | None
    headings: list[tuple[str, str]]  # its sections: (anchor, title)


@dataclass
class Plan:
    """What makes the archive's HTML, in a form that pickles: each worker, and this
    process, make the same renderer and the same tasks from it."""

    archive: Archive
    folder: str
    custom_dir: str | None
    use_directory_urls: bool
    urls: dict[str, str]  # src_uri -> URL of the pages MkDocs knows
    incident_uris: dict[str, str]  # id -> src_uri of its postmortem
    postmortems: dict[str, int]  # src_uri -> index in archive.incidents
    order: list[str]  # every src_uri of the site, in the order MkDocs converts them
    index: str | None  # the user's landing page, whose listing is made too
    index_title: str | None  # the generated landing page's title, without the user's
    publisher: Publisher = field(default_factory=Publisher)  # who publishes, the site's URL
    # Links relative to each page's source file, not to its URL: Zensical reads every
    # relative link of a page so, and rewrites it for the page's URL.
    links_from_source: bool = False

    def url(self, src_uri: str) -> str:
        if src_uri not in self.urls:
            self.urls[src_uri] = File(src_uri, None, "", self.use_directory_urls).url
        return self.urls[src_uri]

    def relative(self, source: str, target: str) -> str:
        if self.links_from_source:
            return get_relative_url(self.url(target), posixpath.dirname(source))
        return get_relative_url(self.url(target), self.url(source))

    def renderer(self) -> Renderer:
        env = environment(self.custom_dir)
        return Renderer(
            self.archive,
            Layout(self.folder),
            env,
            self.relative,
            self.incident_uris,
            self.publisher,
        )


class Kept:
    """What the last build made, kept while MkDocs serves: a rebuild takes a piece
    again while what it is made of is unchanged, which its key sums up. A postmortem's
    card and details are made of it and of the postmortems it links to, an export of
    one postmortem of that postmortem, and the rest (listings, statistics, archive-wide
    exports) of the whole archive; all of them of the settings, the pages' URLs and the
    templates too. So a change to a postmortem's text keeps everything, and a change
    to its front-matter the other postmortems' pieces."""

    def __init__(self) -> None:
        self._pieces: dict[str, tuple[bytes, Any]] = {}  # src_uri -> (key, piece)
        self._hashes: dict[int, bytes] = {}  # id() of this build's incidents -> hash
        self._hashed: Archive | None = None  # the archive they are of
        self._similar: tuple[bytes, dict[str, list[Similar]]] | None = None

    def find_similar(self, archive: Archive) -> None:
        """Hash this build's incidents, and work out their similar ones, unless every
        incident is as in the last build, whose similar ones are then taken (the work
        grows with the archive: a third of a second at 1,000 postmortems)."""
        self._hashes = {
            id(incident): hashlib.blake2b(
                pickle.dumps(incident, protocol=pickle.HIGHEST_PROTOCOL)
            ).digest()
            for incident in archive.incidents
        }
        self._hashed = archive
        key = hashlib.blake2b(b"".join(self._hashes.values())).digest()
        if archive.similar is None and self._similar is not None and self._similar[0] == key:
            archive.similar = self._similar[1]
        archive.find_similar()
        assert archive.similar is not None
        self._similar = (key, archive.similar)

    def start(self, keys: dict[str, bytes]) -> None:
        """A new build, with the key of each piece it may ask for: the pieces whose key
        changed, and those of pages gone, are forgotten."""
        self._pieces = {uri: kept for uri, kept in self._pieces.items() if keys.get(uri) == kept[0]}

    def hashes(self, plan: Plan) -> dict[int, bytes]:
        """Each incident's hash (by `id`), from `find_similar`."""
        if self._hashed is not plan.archive:
            self.find_similar(plan.archive)
        return self._hashes

    def uris(self) -> frozenset[str]:
        """The pages and files whose pieces are kept (once `start` has sorted them)."""
        return frozenset(self._pieces)

    def get(self, src_uri: str) -> Any:
        kept = self._pieces.get(src_uri)
        return None if kept is None else kept[1]

    def put(self, src_uri: str, key: bytes, piece: Any) -> None:
        self._pieces[src_uri] = (key, piece)


def piece_keys(
    plan: Plan,
    renderer: Renderer,
    planned: list[Planned],
    settings: bytes,
    hashes: dict[int, bytes],
) -> dict[str, bytes]:
    """The key of each piece of `plan` (see `Kept`): a hash of what it is made of.
    Each incident stands for itself by its hash (`hashes`, by `id`)."""
    rest_of_plan = [getattr(plan, f.name) for f in fields(plan) if f.name != "archive"]
    common = hashlib.blake2b(
        pickle.dumps(
            (settings, rest_of_plan, template_sources(renderer.env)),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    )

    def key(*made_of: Any) -> bytes:
        digest = common.copy()
        digest.update(_dumps(made_of, hashes))
        return digest.digest()

    # The archive's state as it pickles, each part on its own: one pickle of all of
    # it would differ with the objects its parts share (the similar incidents kept
    # from the last build share no strings with this build's incidents).
    whole = common.copy()
    for part in plan.archive.__reduce__()[1]:
        if part is plan.archive.incidents:
            whole.update(b"".join(hashes[id(incident)] for incident in part))
        else:
            whole.update(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
    whole_key = whole.digest()
    keys = {item.src_uri: whole_key for item in planned}
    for item in planned:
        if item.incident is not None:
            keys[item.src_uri] = key(item.incident)
    for uri, number in plan.postmortems.items():
        keys[uri] = key(renderer.additions_made_of(plan.archive.incidents[number]))
    if plan.index is not None:
        keys[plan.index] = whole_key
    return keys


def _dumps(value: Any, hashes: dict[int, bytes]) -> bytes:
    """`value` pickled, with each object in `hashes` (by `id`) pickled as its hash."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: hashes.get(id(obj))  # type: ignore[method-assign]
    pickler.dump(value)
    return out.getvalue()


class Ahead:
    """What the page events ask for, keyed by `src_uri`: made by `workers` processes,
    or here, or kept from the last build (`kept`)."""

    def __init__(
        self,
        plan: Plan,
        renderer: Renderer,
        planned: list[Planned],
        workers: int,
        kept: Kept | None = None,
        settings: bytes = b"",
    ) -> None:
        """`renderer` and `planned` are this process's, made from `plan` as a worker
        makes its own. With `kept`, pieces are taken from the last build where their
        key (see `piece_keys`, with the pickled `settings`) is the same."""
        self._kept = kept
        self._keys: dict[str, bytes] = {}
        if kept is not None:
            self._keys = piece_keys(plan, renderer, planned, settings, kept.hashes(plan))
            kept.start(self._keys)
        planned_by_uri = {item.src_uri: item for item in planned}
        kept_uris = kept.uris() if kept is not None else frozenset()
        self._tasks = _tasks(renderer, plan, planned_by_uri, CHUNK if workers else 1, kept_uris)
        self._task_of = {uri: n for n, (uris, _) in enumerate(self._tasks) for uri in uris}
        self._made: dict[str, Any] = {}
        self._workers: Workers | None = None
        self._handed: dict[int, Future[Made] | None] = {}  # task number -> its future
        self._last: Future[Made] | None = None
        # Pages are taken here, data files by the thread that writes them (`publish`).
        self._lock = threading.Lock()
        if workers and self._tasks:
            # Every task at once, in the order the workers take them (`_worker_order`):
            # this process makes what no worker has reached when a page asks for it.
            # The plan goes pickled: the worker unpickles it in its own time, where
            # handing over the plan itself would keep this process waiting meanwhile.
            blob = pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL)
            data = {uri for uri, item in planned_by_uri.items() if not item.is_page}
            self._workers = Workers(min(workers, len(self._tasks)), _install, (blob, kept_uris))
            order = _worker_order(self._tasks, data)
            self._handed = {n: self._workers.submit(_make, n) for n in order}
            self._last = self._handed[order[-1]]  # the workers' last task, done last

    def take(self, src_uri: str, wait: bool = False) -> Any:
        """What was made for `src_uri`, once: `Additions` for a postmortem, `Html` for a
        generated page or the user's landing page, text for a data file; None for what
        was not planned. What no worker has started on is made here, unless `wait`
        (in a thread that has nothing else to do)."""
        with self._lock:
            if self._kept is not None:
                piece = self._kept.get(src_uri)
                if piece is not None:
                    return piece
            if src_uri in self._made:
                return self._keep(src_uri, self._made.pop(src_uri))
            number = self._task_of.pop(src_uri, None)
            if number is None:
                return None
            future = self._handed.pop(number, None)
            workers = self._workers
        task = self._tasks[number][1]
        if future is None or workers is None or not (wait or future.done() or not future.cancel()):
            made = task()  # no worker started on it (and now none will): made here
        else:
            made = workers.take(future, task)  # made, or a worker has it in hand
        with self._lock:
            self._made.update(made)
            piece = self._keep(src_uri, self._made.pop(src_uri))
            # Nothing left for the workers (the last check, once their last task is
            # done): they end, and give back their memory.
            finished = (
                self._last is not None
                and self._last.done()
                and all(future is None or future.done() for future in self._handed.values())
            )
            if finished:
                self._last = None
        if workers is not None and finished:
            workers.close()
        return piece

    def _keep(self, src_uri: str, piece: Any) -> Any:
        if self._kept is not None and src_uri in self._keys:
            self._kept.put(src_uri, self._keys[src_uri], piece)
        return piece

    def text(self, src_uri: str, wait: bool = False) -> str | None:
        """A data file's content."""
        text = self.take(src_uri, wait)
        return text if isinstance(text, str) else None

    def close(self, stop: bool = False) -> None:
        """Let the workers end; with `stop`, for a build that ends early, end them now."""
        with self._lock:
            workers, self._workers = self._workers, None
        if workers is not None:
            workers.close(stop=stop)


def _worker_order(tasks: list[tuple[list[str], Callable[[], Made]]], data: set[str]) -> list[int]:
    """The tasks in the order the workers take them: the `data` files first, which are
    written while MkDocs converts the pages; then the pages' HTML, in the order pages
    ask for it once every page is converted (see `Assembly.place`)."""
    first = [n for n, (uris, _) in enumerate(tasks) if uris[0] in data]
    return first + [n for n, (uris, _) in enumerate(tasks) if uris[0] not in data]


# What a worker makes, set up once from the plan by its initializer.
_worker_tasks: list[Callable[[], Made]] = []


def _install(blob: bytes, kept: frozenset[str]) -> None:
    plan: Plan = pickle.loads(blob)
    renderer = plan.renderer()
    planned = {item.src_uri: item for item in renderer.plan(plan.index_title)}
    _worker_tasks[:] = [task for _, task in _tasks(renderer, plan, planned, CHUNK, kept)]


def _make(number: int) -> Made:
    return _worker_tasks[number]()


def _tasks(
    renderer: Renderer,
    plan: Plan,
    planned: dict[str, Planned],
    chunk: int,
    kept: frozenset[str] = frozenset(),
) -> list[tuple[list[str], Callable[[], Made]]]:
    """Each task with the pages it is for, in the order MkDocs converts them; none for
    the pages whose pieces are `kept`."""
    tasks: list[tuple[list[str], Callable[[], Made]]] = []
    run: list[str] = []  # postmortems in a row, made in one task
    data_run: list[str] = []  # data files in a row (an export per postmortem), likewise
    incidents = {uri: plan.archive.incidents[n] for uri, n in plan.postmortems.items()}

    def end_run() -> None:
        nonlocal run, data_run
        if run:
            tasks.append((run, partial(_make_additions, renderer, incidents, run)))
            run = []
        if data_run:
            makes = [(uri, planned[uri].make) for uri in data_run]
            tasks.append((data_run, partial(_make_texts, makes)))
            data_run = []

    for uri in plan.order:
        if uri in kept:
            continue
        if uri in incidents:
            if data_run:
                end_run()
            run.append(uri)
            if len(run) == chunk:
                end_run()
            continue
        if uri in planned and not planned[uri].is_page:
            if run:
                end_run()
            data_run.append(uri)
            if len(data_run) == chunk:
                end_run()
            continue
        end_run()
        if uri in planned:
            item = planned[uri]
            tasks.append(([uri], partial(_make_html, uri, item.make, item.search)))
        elif uri == plan.index:
            tasks.append(([uri], partial(_make_html, uri, renderer.index_body, True)))
    end_run()
    return tasks


def _make_additions(renderer: Renderer, postmortems: dict[str, Incident], uris: list[str]) -> Made:
    return [(uri, renderer.additions(postmortems[uri], uri)) for uri in uris]


def _make_html(uri: str, make: Callable[[], str], search: bool) -> Made:
    html = make()
    return [(uri, Html(html, search_form(html) if search else None, headings(html)))]


def _make_texts(makes: list[tuple[str, Callable[[], Any]]]) -> Made:
    return [(uri, make()) for uri, make in makes]

"""Where the archive's pages go: the generated files added to MkDocs' files, the paths
they reserve, what the navigation shows, and the workers that make their HTML.

`Publication.add` plans it all once the check is done (`on_files`); the plugin then asks
it for each page's HTML and the data files' content as MkDocs gets to them.
"""

from __future__ import annotations

import os
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure import StructureItem
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from . import site
from .archive import Incident
from .check import Checks, Report, Settings
from .config import PostmortemConfig
from .diagnostics import Diagnostic
from .prose import id_prefix
from .render.ahead import Ahead, Kept, Plan
from .render.interop import Publisher
from .render.layout import Layout
from .render.pages import Renderer
from .render.templates import environment
from .workers import WORTH_IT_FROM

log = get_plugin_logger("postmortem")

ASSETS = ("postmortem.css", "postmortem.js")
ASSET_DIR = site.ASSET_DIR
OVERVIEW = "Overview"  # the archive index's link when it repeats its section's title


@dataclass
class Earlier:
    """What `mkdocs serve` keeps from one build for the next: each postmortem's check,
    and the archive's pieces, taken again while what they are made of is unchanged."""

    checks: Checks = field(default_factory=Checks)
    pieces: Kept = field(default_factory=Kept)


@dataclass
class Publication:
    """The archive as published in one build."""

    renderer: Renderer
    ahead: Ahead
    # The postmortem pages that get a card, each with its incident: the first of each id.
    incidents_by_uri: dict[str, Incident]
    postmortems: frozenset[str]  # every postmortem's src_uri, in the archive or not
    user_index: str | None  # the user's landing page, which gets the listing
    data_files: list[str] = field(default_factory=list)  # exports, filled in `on_env`
    writer: Writer | None = None  # or written into `site_dir` by it, from `on_files`
    id_prefixes: set[str] = field(default_factory=set)  # of ids that text may mention
    section: Section | None = None  # the navigation's section of the archive, if any

    @classmethod
    def add(
        cls,
        files: Files,
        postmortems: list[File],
        report: Report,
        settings: Settings,
        options: PostmortemConfig,
        config: MkDocsConfig,
        *,
        dirty: bool,
        workers: int,
        links_from_source: bool = False,
        kept: Kept | None = None,
        site_dir: str | None = None,
    ) -> Publication:
        """Build the archive model, add its generated pages, data files and assets to
        `files`, and start making their content in `workers` processes. Raises
        `PluginError` when a file stands where the archive publishes a page. With
        `links_from_source`, links are relative to each page's source file (Zensical's
        way, see `Plan`). With `kept`, pieces made in the last build of what is still
        the same are taken again. With `site_dir`, the data files are written there by
        a thread (see `Writer`), from now until `fill_data_files`."""
        layout = Layout(options.dir)
        archive = report.archive
        if kept is not None:
            kept.find_similar(archive)  # or the last build's, for the same incidents
        # Otherwise worked out where first needed: with workers, in the worker, since
        # this process asks for no card (`Archive.similar_of`).
        uri_by_path = {
            document.path: file.src_uri
            for file, document in zip(postmortems, report.documents, strict=True)
        }
        incident_uris: dict[str, str] = {}
        for incident in archive.incidents:
            incident_uris.setdefault(incident.id, uri_by_path[incident.path])
        cards = {
            uri_by_path[incident.path]: number
            for number, incident in enumerate(archive.incidents)
            if incident_uris[incident.id] == uri_by_path[incident.path]
        }
        user_index = files.get_file_from_path(layout.index)
        known = [*postmortems, *([user_index] if user_index else [])]
        plan = Plan(
            archive,
            options.dir,
            config.theme.custom_dir,
            config.use_directory_urls,
            {file.src_uri: file.url for file in known},
            incident_uris,
            cards,
            order=[],
            index=user_index.src_uri if user_index else None,
            index_title=None if user_index else "Postmortems",
            publisher=Publisher(options.organisation, config.site_url or "", config.site_name),
            links_from_source=links_from_source,
        )
        renderer = plan.renderer()
        planned = renderer.plan(plan.index_title)
        if len({item.src_uri for item in planned}) != len(planned):
            raise PluginError("postmortem: two generated pages share a path; please report this")
        explicit_nav = config.nav is not None
        generated, data_files = [], []
        for item in planned:
            if item.front_matter is None:  # a data file, whose content comes later
                if site_dir is None:
                    file = File.generated(config, item.src_uri, content="")
                else:  # a file that MkDocs finds in place and leaves as it is
                    place = File(item.src_uri, None, site_dir, config.use_directory_urls)
                    file = File.generated(config, item.src_uri, abs_src_path=place.abs_dest_path)
                generated.append(file)
                data_files.append(item.src_uri)
                continue
            in_nav = item.in_nav and not explicit_nav
            inclusion = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
            generated.append(
                File.generated(config, item.src_uri, content=item.front_matter, inclusion=inclusion)
            )
        clashes = site.clashes(files, generated, layout, config)
        if clashes:
            for clash in clashes:
                log.error(str(clash))
            raise PluginError(
                f"postmortem: {len(clashes)} file(s) stand where the archive publishes its "
                "pages; rename or move them."
            )
        for file in generated:
            files.append(file)
        if user_index is not None:
            _settle_user_index(user_index, explicit_nav=explicit_nav, dirty=dirty)
        if not options.nav_postmortems:
            for file in postmortems:
                file.inclusion = InclusionLevel.NOT_IN_NAV
        _add_assets(files, config)
        plan.order = [file.src_uri for file in files]
        ahead = Ahead(
            plan,
            renderer,
            planned,
            workers,
            kept,
            pickle.dumps(settings, protocol=pickle.HIGHEST_PROTOCOL) if kept else b"",
        )
        writer = None
        if site_dir is not None:
            places = {file.src_uri: file.abs_src_path for file in generated}
            writer = Writer(ahead, {uri: places[uri] or "" for uri in data_files})
        return cls(
            renderer,
            ahead,
            {uri: archive.incidents[number] for uri, number in cards.items()},
            frozenset(file.src_uri for file in postmortems),
            plan.index,
            data_files,
            writer,
            {id_prefix(incident_id) for incident_id in incident_uris},
        )

    def fill_data_files(self, files: Files) -> None:
        """Put in the exports' content, made meanwhile, before MkDocs writes them; or
        wait until the writer has written them. Raises `PluginError` when one cannot
        be written."""
        if self.writer is not None:
            self.writer.finish()
            return
        for uri in self.data_files:
            file = files.get_file_from_path(uri)
            content = self.ahead.text(uri)
            if file is not None and content is not None:
                file.content_string = content

    def close(self, stop: bool = False) -> None:
        """Let the workers end; with `stop`, for a build that ends early, end them and
        the writer now."""
        if stop and self.writer is not None:
            self.writer.stop()  # the workers first, which the writer may be waiting for
        self.ahead.close(stop=stop)

    def lift_action_items(self, items: list[StructureItem]) -> None:
        """Without a `nav:`, MkDocs makes the action items' folder a section that holds
        only their page (the category pages stay out of the navigation); the page takes
        its place, so the archive joins the navigation as one section. The same for the
        taxonomy coverage page and its folder of entry pages, and the regulatory page
        and its folder of reports."""
        _lift_lone_page(items, self.renderer.layout.action_items)
        _lift_lone_page(items, self.renderer.layout.taxonomy)
        _lift_lone_page(items, self.renderer.layout.regulatory)

    def settle_nav(self, nav: Navigation, files: Files, config: MkDocsConfig) -> None:
        """The archive's section in the navigation: one section (see
        `lift_action_items`), which the archive's pages outside the navigation (a facet,
        a category, a postmortem) belong to, so that themes highlight it there too."""
        if config.nav is None:
            self.lift_action_items(nav.items)
        self.section = _archive_section(nav, self.renderer.layout.index)
        if self.section is None:
            return
        in_nav = {id(page) for page in nav.pages}
        folder = self.renderer.layout.folder + "/"
        for file in files.documentation_pages():
            page = file.page
            if (
                isinstance(page, Page)
                and page.parent is None
                and id(page) not in in_nav
                and file.src_uri.startswith(folder)
            ):
                page.parent = self.section

    def overview(self, config: MkDocsConfig) -> Page | None:
        """No "Postmortems > Postmortems": when the archive's section opens with its
        index and both have the same title, the index is the section's own page in
        Material with `navigation.indexes`; elsewhere the link reads "Overview".
        Titles are known once every page is read, so this runs in `on_env`: the page
        to retitle `OVERVIEW`, if any."""
        section = self.section
        if section is None or not section.children:
            return None
        first = section.children[0]
        if not isinstance(first, Page) or first.file.src_uri != self.renderer.layout.index:
            return None
        if (first.title or "").strip().casefold() != (section.title or "").strip().casefold():
            return None
        features = config.theme.get("features") or []
        if config.theme.name == "material" and "navigation.indexes" in features:
            return None  # Material shows the index as the section's link, and not again
        return first


def clashes(
    files: Files, report: Report, options: PostmortemConfig, config: MkDocsConfig
) -> list[Diagnostic]:
    """The site's files that stand where the archive publishes its pages (PM013), as
    `Publication.add` finds them, without making anything: for `validate`."""
    layout = Layout(options.dir)
    renderer = Renderer(report.archive, layout, environment(), lambda *_: "", {})
    user_index = files.get_file_from_path(layout.index)
    planned = renderer.plan(None if user_index else "Postmortems")
    places = [File(i.src_uri, None, config.site_dir, config.use_directory_urls) for i in planned]
    return site.clashes(files, places, layout, config)


class Writer:
    """The data files, written straight into `site_dir` by a thread while MkDocs
    converts the pages: they are many (two exports per postmortem), and making as many
    files took a good part of a large build. Each data file is `File.generated` with
    its place in `site_dir` as its source, which MkDocs leaves as it is (it would copy
    it onto itself)."""

    def __init__(self, ahead: Ahead, places: dict[str, str]) -> None:
        self._ahead = ahead
        self._places = places  # src_uri -> where it is written
        self._written: set[str] = set()
        self._stopped = threading.Event()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="postmortem-writer")
        self._done = self._thread.submit(self._write_all)

    def _write_all(self) -> None:
        for uri in self._places:
            if self._stopped.is_set():
                return
            self._write(uri, wait=True)

    def _write(self, uri: str, wait: bool) -> None:
        content = self._ahead.take(uri, wait)
        path = self._places[uri]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, bytes):
            with open(path, "wb") as output:
                output.write(content)
        else:  # as MkDocs writes a file's content
            with open(path, "w", encoding="utf-8") as output:
                output.write(content if isinstance(content, str) else "")
        self._written.add(uri)

    def finish(self) -> None:
        """Wait until every file is written; what the thread could not write is
        written here. Raises `PluginError` when a file cannot be written."""
        try:
            self._done.result()
        except OSError:
            pass  # written again below, which says why it cannot be
        except Exception:
            log.warning(
                "a data file could not be written in the background; writing the rest here",
                exc_info=True,
            )
        self._thread.shutdown()
        for uri in self._places:
            if uri not in self._written:
                try:
                    self._write(uri, wait=False)
                except OSError as error:
                    raise PluginError(
                        f"postmortem: cannot write {self._places[uri]}: {error.strerror}"
                    ) from None

    def stop(self) -> None:
        """End the workers, which the thread may be waiting for, and the thread after
        the file it is writing."""
        self._stopped.set()
        self._ahead.close(stop=True)
        self._thread.shutdown(cancel_futures=True)


def workers(postmortems: int, jobs: int, dirty: bool) -> int:
    """Processes that make the archive's HTML while MkDocs converts the pages, which
    keeps a core busy: one fewer than the jobs. None for a dirty build, which converts
    only the pages that changed, or for a small archive, where starting them costs more
    than it saves. While serving, they start only when a rebuild has pieces to make
    again (see `Ahead`)."""
    if dirty or postmortems < WORTH_IT_FROM:
        return 0
    return jobs - 1


def link_assets(config: MkDocsConfig) -> None:
    """Have every page load the stylesheet and script that ship in the package."""
    css, js = (f"{ASSET_DIR}/{name}" for name in ASSETS)
    if css not in config.extra_css:
        config.extra_css.append(css)
    if js not in [str(script) for script in config.extra_javascript]:
        config.extra_javascript.append(js)


def _settle_user_index(user_index: File, *, explicit_nav: bool, dirty: bool) -> None:
    if explicit_nav:
        # As the generated index would be: a `nav:` that leaves it out is no mistake.
        user_index.inclusion = InclusionLevel.NOT_IN_NAV
    if dirty:
        # Its listing changes with any postmortem: a dirty build must write it again.
        source = user_index.abs_src_path
        user_index.content_string = user_index.content_string
        user_index.abs_src_path = source  # setting the content forgets the source


def _add_assets(files: Files, config: MkDocsConfig) -> None:
    """The stylesheet and script that ship in the package, unless the site has its own."""
    for name in ASSETS:
        uri = f"{ASSET_DIR}/{name}"
        if files.get_file_from_path(uri) is None:
            content = (resources.files(__package__) / "assets" / name).read_bytes()
            files.append(File.generated(config, uri, content=content))


def _archive_section(nav: Navigation, index: str) -> Section | None:
    """The section that holds the archive's index, if the index is in the navigation."""
    for page in nav.pages:
        if page.file.src_uri == index:
            parent = page.parent
            return parent if isinstance(parent, Section) else None
    return None


def _lift_lone_page(items: list[StructureItem], src_uri: str) -> bool:
    """Put the page `src_uri` in place of a section that holds only it."""
    for number, item in enumerate(items):
        if not isinstance(item, Section):
            continue
        lone = item.children[0] if len(item.children) == 1 else None
        if isinstance(lone, Page) and lone.file.src_uri == src_uri:
            lone.parent = item.parent
            items[number] = lone
            return True
        if _lift_lone_page(item.children, src_uri):
            return True
    return False

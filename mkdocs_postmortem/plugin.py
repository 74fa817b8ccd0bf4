"""The MkDocs adapter: check the archive before anything is rendered, report, fail,
then publish the archive pages.

Only MkDocs events live here; the checks are in `check` (shared with the CLI) and the
pages in `render`.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from importlib import resources
from typing import Any, Literal

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure import StructureItem
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils.templates import TemplateContext

from . import site
from .archive import Archive, Incident
from .check import Report, Settings, check_archive
from .config import PostmortemConfig
from .diagnostics import Diagnostic, Severity
from .prose import id_prefix, link_mentions, mention_regex
from .reader import FRONT_MATTER_RE
from .reference import expand_markers
from .render.ahead import Ahead, Html, Plan
from .render.layout import Layout
from .render.pages import Additions, Renderer
from .schema import ConfigurationError
from .search_form import Fragment, to_full_form, to_search_form
from .theme_view import ThemeView, escaped_tags, page_title
from .workers import WORTH_IT_FROM, warm_up

log = get_plugin_logger("postmortem")

ASSETS = ("postmortem.css", "postmortem.js")
ASSET_DIR = "assets/postmortem"
INDEX_MARKER = "<!-- postmortem:index -->"
# What MkDocs reads as a front-matter of no keys, at almost no cost.
_EMPTY_FRONT_MATTER = "---\n{}\n---\n"
_H1_RE = re.compile(r"^\s*<h1[\s>]", re.IGNORECASE)


class PostmortemPlugin(BasePlugin[PostmortemConfig]):
    """Checks every postmortem and publishes the archive: index, action items, facets,
    statistics, exports, and a card and details on each postmortem page."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.dirty = False
        self._reset()

    def _reset(self) -> None:
        previous: Ahead | None = getattr(self, "ahead", None)
        if previous is not None:  # a serve rebuild after a build that stopped
            previous.close()
        self.settings: Settings | None = None
        self.report: Report | None = None
        self.renderer: Renderer | None = None
        self.ahead: Ahead | None = None
        self._problems_by_uri: dict[str, list[Diagnostic]] = {}
        self._bodies: dict[str, str] = {}
        self._incidents_by_uri: dict[str, Incident] = {}
        self._data_files: list[str] = []
        self._postmortems: list[File] = []
        self._user_index: str | None = None
        self._fragments: dict[str, list[Fragment]] = {}
        self._meta: dict[str, dict[str, Any]] = {}
        self._id_prefixes: set[str] = set()
        self._swaps: dict[str, list[tuple[str, str]]] = {}
        self._search_forms: dict[str, str] = {}
        self._theme_view = ThemeView()

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Remember whether MkDocs serves: there a broken postmortem must not stop the
        server, since a failing first build ends `mkdocs serve`.

        Defining this event also keeps one plugin instance across serve rebuilds, which
        is why every build starts with `_reset` in `on_config`.
        """
        self.serving = command == "serve"
        self.dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load the schema in force once per build, watch an organisation's schema file
        (outside `docs_dir`, it would not trigger a rebuild), and add the stylesheet and
        script that ship in the package.
        """
        self._reset()
        if not self.config.enabled:
            return config
        try:
            self.settings = site.settings(config, self.config)
        except ConfigurationError as error:
            raise PluginError(f"postmortem: {error}") from None
        if self.config.schema and self.config.schema not in config.watch:
            config.watch.append(self.config.schema)
        css, js = (f"{ASSET_DIR}/{name}" for name in ASSETS)
        if css not in config.extra_css:
            config.extra_css.append(css)
        if js not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(js)
        archive = os.path.join(config.docs_dir, self.config.dir)
        if self._workers(site.count_markdown(archive, WORTH_IT_FROM)):
            warm_up()  # its imports run on another core while MkDocs lists the files
        return config

    @event_priority(-110)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Read and check the archive before any page is converted, then add its pages.

        Late (priority -110) so that files other plugins add or exclude are settled:
        exactly the postmortems that will be built are checked (mkdocs-static-i18n,
        at -100, picks the current language's files; it also expects every file
        to have an `abs_src_path`, which generated files have not). Under `--dirty` too,
        every postmortem is read here, since archive rules and listings span files.
        Pages are added here, not later, so that a user's `nav` can list them. The
        whole check is done and reported first, so a broken archive fails the build
        before any page is converted.
        """
        if self.settings is None:
            return files
        postmortems = [file for file in files if site.is_postmortem(file, self.config)]
        self._postmortems = postmortems
        report = check_archive(
            site.sources(postmortems, config),
            self.settings,
            site.outside_links(postmortems, config),
            jobs=self.config.processes,
        )
        self.report = report
        self._conclude(report)
        self._keep_problems_for_pages(postmortems, report)
        self._publish(files, postmortems, config, self._workers(len(postmortems)))
        self._hand_over_front_matter(postmortems, report)
        return files

    def _conclude(self, report: Report) -> None:
        """Report the problems; fail the build as `fail_on` asks, but never a server."""
        for diagnostic in report.diagnostics:
            if diagnostic.severity is Severity.ERROR:
                log.error(str(diagnostic))
            else:
                log.warning(str(diagnostic))
        if self._fails(report):
            summary = (
                f"{report.errors} error(s) and {report.warnings} warning(s) "
                f"in {len(self._postmortems)} postmortem(s)"
            )
            if not self.serving:
                raise PluginError(f"postmortem: the archive has problems: {summary}.")
            log.warning(f"{summary}; serving anyway, the problems show on each page.")

    def _hand_over_front_matter(self, files: list[File], report: Report) -> None:
        """Spare MkDocs a second YAML parse of each postmortem (about 0.6 ms a page):
        the file's content becomes its body under an empty front-matter, and the
        values read here become `page.meta` in `_install_meta`."""
        for file, document in zip(files, report.documents, strict=True):
            if self.dirty and not file.is_modified():
                continue  # a dirty build skips it, unless given its content, as changed
            if isinstance(document.data, dict) and file.src_uri not in self._bodies:
                source = file.abs_src_path
                file.content_string = _EMPTY_FRONT_MATTER + document.body
                # Setting the content forgets the file; plugins that read it, for its
                # git history say, still find it.
                file.abs_src_path = source
                self._meta[file.src_uri] = document.data
                document.body = ""  # the file holds it now

    def _fails(self, report: Report) -> bool:
        if self.config.fail_on == "never":
            return False
        if self.config.fail_on == "warning":
            return bool(report.diagnostics)
        return report.errors > 0

    def _keep_problems_for_pages(self, files: list[File], report: Report) -> None:
        """When the build goes on with problems, each broken page shows its own."""
        problems_by_path = report.by_path()
        for file, document in zip(files, report.documents, strict=True):
            problems = problems_by_path.get(document.path)
            if not problems:
                continue
            self._problems_by_uri[file.src_uri] = problems
            self._bodies[file.src_uri] = document.body
            if any(p.code == "PM001" for p in problems):
                # MkDocs would stop on the undecodable bytes; show the page with its problem.
                file.content_string = file.content_bytes.decode("utf-8", errors="replace")

    def _publish(
        self, files: Files, postmortems: list[File], config: MkDocsConfig, workers: int
    ) -> None:
        """Build the archive model and add its generated pages, data files and assets;
        start making their content in `workers` processes."""
        assert self.settings is not None and self.report is not None
        layout = Layout(self.config.dir)
        archive = Archive.build(self.report.documents, self.settings.schema, self.settings.today)
        uri_by_path = {
            document.path: file.src_uri
            for file, document in zip(postmortems, self.report.documents, strict=True)
        }
        incident_uris: dict[str, str] = {}
        for incident in archive.incidents:
            incident_uris.setdefault(incident.id, uri_by_path[incident.path])
        self._id_prefixes = {id_prefix(incident_id) for incident_id in incident_uris}
        cards = {  # the postmortems that get a card: the first of each id
            uri_by_path[incident.path]: number
            for number, incident in enumerate(archive.incidents)
            if incident_uris[incident.id] == uri_by_path[incident.path]
        }
        self._incidents_by_uri = {uri: archive.incidents[n] for uri, n in cards.items()}
        user_index = files.get_file_from_path(layout.index)
        self._user_index = layout.index if user_index else None
        known = [*postmortems, *([user_index] if user_index else [])]
        plan = Plan(
            archive,
            self.config.dir,
            config.theme.custom_dir,
            config.use_directory_urls,
            {file.src_uri: file.url for file in known},
            incident_uris,
            cards,
            order=[],
            index=self._user_index,
            index_title=None if user_index else "Postmortems",
        )
        self.renderer = renderer = plan.renderer()
        planned = renderer.plan(plan.index_title)
        if len({item.src_uri for item in planned}) != len(planned):
            raise PluginError("postmortem: two generated pages share a path; please report this")
        explicit_nav = config.nav is not None
        generated = []
        for item in planned:
            if item.front_matter is None:
                # A data file: its content is made meanwhile and put in `on_env`.
                generated.append(File.generated(config, item.src_uri, content=""))
                self._data_files.append(item.src_uri)
                continue
            inclusion = (
                InclusionLevel.INCLUDED
                if item.in_nav and not explicit_nav
                else InclusionLevel.NOT_IN_NAV
            )
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
            if explicit_nav:
                # As the generated index would be: a `nav:` that leaves it out is no mistake.
                user_index.inclusion = InclusionLevel.NOT_IN_NAV
            if self.dirty:
                # Its listing changes with any postmortem: a dirty build must write it again.
                source = user_index.abs_src_path
                user_index.content_string = user_index.content_string
                user_index.abs_src_path = source  # as in `_hand_over_front_matter`
        if not self.config.nav_postmortems:
            for file in postmortems:
                file.inclusion = InclusionLevel.NOT_IN_NAV
        plan.order = [file.src_uri for file in files]
        self.ahead = Ahead(plan, renderer, planned, workers)
        for name in ASSETS:
            uri = f"{ASSET_DIR}/{name}"
            if files.get_file_from_path(uri) is None:
                content = (resources.files(__package__) / "assets" / name).read_bytes()
                files.append(File.generated(config, uri, content=content))

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Without a `nav:`, MkDocs makes the action items' folder a section that holds
        only their page (the category pages stay out of the navigation); the page takes
        its place, so the archive joins the navigation as one section. Themes render the
        navigation into every page, where a section costs a dozen tags more."""
        if self.renderer is not None and config.nav is None:
            _lift_lone_page(nav.items, self.renderer.layout.action_items)
        return nav

    def _workers(self, postmortems: int) -> int:
        """Processes that make the archive's HTML while this one converts the pages,
        which keeps a core busy: one fewer than the jobs. None while serving or for a
        dirty build, which convert only the pages that changed, or for a small archive,
        where starting them costs more than it saves."""
        if self.serving or self.dirty or postmortems < WORTH_IT_FROM:
            return 0
        return self.config.processes - 1

    @event_priority(100)
    def _install_meta(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Give a postmortem page its front-matter as `page.meta`, as the plugin read
        it (dates stay text). First of all `on_page_markdown` handlers, so that other
        plugins find it there as usual."""
        meta = self._meta.pop(page.file.src_uri, None)
        if meta is not None:
            page.meta = dict(meta)
        return markdown

    def _prepare_page(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Put generated reference tables into pages that ask for them, and links on the
        ids that a postmortem's text mentions.
        """
        if self.settings is None:
            return markdown
        uri = page.file.src_uri
        markdown = expand_markers(markdown, self.settings.schema)
        if uri in self._problems_by_uri and FRONT_MATTER_RE.match(markdown):
            # MkDocs could not read the front-matter and left it in the text.
            markdown = self._bodies[uri]
        if uri == self._user_index:
            # The listing is wide; Material's table of contents would narrow it.
            page.meta.setdefault("hide", ["toc"])
        incident = self._incidents_by_uri.get(uri)
        if incident is not None:
            markdown = self._prepare_postmortem(markdown, page, incident)
        return markdown

    on_page_markdown = CombinedEvent(_install_meta, _prepare_page)

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Add the archive's HTML after Markdown has run, which would only re-parse it:
        a generated page's body, the listing in the landing page, and the card and
        details around each postmortem's text. A broken postmortem (only reached when
        the build goes on) lists its problems on top, here or, for a check made
        meanwhile, in `on_env`.
        """
        uri = page.file.src_uri
        headings: list[tuple[str, str]] = []
        placed: list[tuple[int, str]] = []  # where each fragment of HTML went
        if self.renderer is not None and self.ahead is not None:
            made = self.ahead.take(uri)
            if isinstance(made, Additions):
                incident = self._incidents_by_uri[uri]
                card, added = made.card, made.details
                if _H1_RE.match(html):  # the page has its own title
                    card = self.renderer.card(incident, uri, with_title=False)
                else:
                    self._search_forms[card] = made.card_search_form
                self._search_forms[added] = made.details_search_form
                html = f"{card}\n{html}\n{added}\n"
                placed = [(0, card), (len(html) - len(added) - 1, added)]
                headings = made.headings
            elif isinstance(made, Html):
                added = made.html
                if uri == self._user_index:
                    html = _place_index(html, added)
                    placed = [(html.find(added), added)]
                else:
                    html = added
                    placed = [(0, added)]
                headings = made.headings
                if made.search_form is not None:
                    self._search_forms[added] = made.search_form
        if (
            self.renderer is not None
            and uri not in self._incidents_by_uri
            and "<h1" not in html
            and site.is_postmortem(page.file, self.config)
        ):
            # A postmortem left out of the archive (its id is taken or unusable) has no
            # card: its title heads it, as the theme shows it, for every theme and search.
            title = page.meta.get("title")
            if isinstance(title, str):
                html = f"<h1>{page_title(title)}</h1>\n{html}"
        if uri in self._problems_by_uri:
            box = problems_box(self._problems_by_uri[uri]) + "\n"
            html = box + html
            placed = [(where + len(box), fragment) for where, fragment in placed]
        page.toc.items += [AnchorLink(title, anchor, 2) for anchor, title in headings]
        if not _excluded_from_search(page):
            self._fragments[uri] = [Fragment.at(*where) for where in placed if where[0] >= 0]
        return html

    @event_priority(-100)
    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment | None:
        """Put in the data files' content, made meanwhile, before MkDocs writes them.
        Then every page under the archive folder shows the theme its front-matter
        escaped (see `theme_view`): last of all `on_env` handlers, since the theme
        renders next."""
        if self.ahead is None:
            return env
        for uri in self._data_files:
            file = files.get_file_from_path(uri)
            content = self.ahead.text(uri)
            if file is not None and content is not None:
                file.content_string = content
        self.ahead.close()
        postmortems = {file.src_uri for file in self._postmortems}
        prefix = self.config.dir + "/"
        for file in files.documentation_pages():
            if file.src_uri.startswith(prefix) and file.page is not None:
                self._theme_view.install(file.page, postmortem=file.src_uri in postmortems)
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Other plugins find `page.meta` as the author wrote it once the pages are
        written."""
        self._theme_view.restore()

    def on_build_error(self, *, error: Exception) -> None:
        """A build that stops leaves no worker process behind."""
        if self.ahead is not None:
            self.ahead.close(stop=True)
        self._theme_view.restore()

    @event_priority(1)
    def _before_search(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Hand search plugins the archive's HTML in its search form: the same text with
        only the tags search keeps, since they parse every tag in Python (see `search`).

        Just before the search plugins, which index pages at the default priority 0.
        They, and other plugins at that priority, see the author's `page.meta`, but
        for what Material's search reads as HTML (see `ThemeView.search`).
        """
        self._theme_view.search(page)
        fragments = self._fragments.pop(page.file.src_uri, None)
        if fragments and page.content is not None:
            swapped = to_search_form(page.content, fragments, self._search_forms)
            if swapped is not None:
                page.content, self._swaps[page.file.src_uri] = swapped
        return context

    @event_priority(-1)
    def _after_search(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Put the full HTML back once search has indexed the page, before the theme
        renders it, and the theme's escaped front-matter, tags included. Just after the
        search plugins."""
        self._theme_view.theme(page)
        tags = context.get("tags")  # Material's tags plugin's, for this page's header
        if page.file.src_uri.startswith(self.config.dir + "/") and isinstance(tags, list):
            context["tags"] = escaped_tags(tags)  # type: ignore[typeddict-unknown-key]
        swaps = self._swaps.pop(page.file.src_uri, None)
        if swaps and page.content is not None:
            page.content, missing = to_full_form(page.content, swaps)
            if missing:
                log.warning(
                    f"{page.file.src_uri}: another plugin changed the page while search "
                    "indexed it; part of the archive's HTML shows without its markup"
                )
        return context

    on_page_context = CombinedEvent(_before_search, _after_search)

    def _prepare_postmortem(self, markdown: str, page: Page, incident: Incident) -> str:
        """Boost the page in search, link ids. What themes print unescaped is escaped
        at output (see `theme_view`); `page.meta` stays as the author wrote it."""
        assert self.renderer is not None and self.settings is not None
        uri = page.file.src_uri
        page.meta.setdefault("search", {"boost": 2})
        pattern = mention_regex(self.settings.schema.id_regex)
        if pattern is None:
            return markdown
        incident_uris = self.renderer.incident_uris

        def href(incident_id: str) -> str | None:
            # A Markdown link to the source file: MkDocs resolves and checks it.
            target = incident_uris.get(incident_id)
            if target is None:
                return None
            return "<" + posixpath.relpath(target, posixpath.dirname(uri)) + ">"

        return link_mentions(markdown, pattern, href, self._id_prefixes)


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


def _excluded_from_search(page: Page) -> bool:
    """Whether the page asks search plugins to skip it, as facet pages do."""
    search = page.meta.get("search")
    return isinstance(search, dict) and bool(search.get("exclude"))


def _place_index(content: str, listing: str) -> str:
    """The listing where the landing page has the marker, or after its text."""
    if INDEX_MARKER in content:
        return content.replace(INDEX_MARKER, listing, 1)
    return f"{content}\n{listing}"


def problems_box(problems: list[Diagnostic]) -> str:
    """An admonition, as raw HTML so no front-matter text is read as Markdown."""
    items = "\n".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems)
    return (
        '<div class="admonition failure postmortem-problems">\n'
        f'<p class="admonition-title">This postmortem has {len(problems)} problem(s)</p>\n'
        f"<ul>\n{items}\n</ul>\n</div>"
    )

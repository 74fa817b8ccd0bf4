"""What each page of the archive gets as MkDocs converts and renders it: the author's
front-matter as `page.meta`, links on mentioned ids, the card and details around a
postmortem's text, a generated page's body, the problems of a broken postmortem, the
search form of all that while search indexes it, and the theme's escaped front-matter.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils.templates import TemplateContext

from . import collector
from .check import Report, Settings
from .diagnostics import Diagnostic, Severity
from .edition import published_page
from .prose import link_mentions, mention_regex
from .publish import OVERVIEW, Publication
from .reader import FRONT_MATTER_RE
from .reference import expand_markers
from .render.ahead import Html
from .render.pages import Additions
from .search_form import search_form, to_full_form, to_search_form
from .theme_view import ThemeView, escaped_tags, page_title

log = get_plugin_logger("postmortem")

INDEX_MARKER = "<!-- postmortem:index -->"
# What MkDocs reads as a front-matter of no keys, at almost no cost.
_EMPTY_FRONT_MATTER = "---\n{}\n---\n"
_H1_RE = re.compile(r"^\s*<h1[\s>]", re.IGNORECASE)


class Assembly:
    """The archive's parts for each page of one build."""

    def __init__(self, settings: Settings, folder: str, publication: Publication) -> None:
        self.settings = settings
        self.folder = folder
        self.publication = publication
        self._problems_by_uri: dict[str, list[Diagnostic]] = {}
        self._bodies: dict[str, str] = {}  # a broken postmortem's text without front-matter
        self._meta: dict[str, dict[str, Any]] = {}  # front-matter read by the check
        self._withheld: dict[str, dict[str, str]] = {}  # leaks found, masked (`edition`)
        self._swaps: dict[str, list[tuple[str, str]]] = {}  # (search form, HTML) a page
        self.theme_view = ThemeView()

    def take_files(self, postmortems: list[File], report: Report, *, dirty: bool) -> None:
        """Keep each broken postmortem's problems for its page, and spare MkDocs a second
        YAML parse of each sound one (about 0.6 ms a page): the file's content becomes
        its body under an empty front-matter, and the values the check read become
        `page.meta` in `install_meta`."""
        problems_by_path = report.by_path()
        for file, document in zip(postmortems, report.documents, strict=True):
            problems = [
                p
                for p in problems_by_path.get(document.path, [])
                if p.severity is not Severity.INFO  # a suggestion, not a problem of the page
            ]
            if document.withheld:
                self._withheld[file.src_uri] = document.withheld
            if problems:
                self._problems_by_uri[file.src_uri] = problems
                self._bodies[file.src_uri] = document.body
                if any(p.code == "PM001" for p in problems):
                    # MkDocs would stop on the undecodable bytes; show the page and its problem.
                    file.content_string = file.content_bytes.decode("utf-8", errors="replace")
                continue
            if dirty and not file.is_modified():
                continue  # a dirty build skips it, unless given its content, as changed
            if isinstance(document.data, dict):
                source = file.abs_src_path
                file.content_string = _EMPTY_FRONT_MATTER + document.body
                # Setting the content forgets the file; plugins that read it, for its
                # git history say, still find it.
                file.abs_src_path = source
                self._meta[file.src_uri] = document.data
                document.body = ""  # the file holds it now
        # From here on, the archive's objects (the check, the model, what serve keeps)
        # stay alive to the end of the build: left out of the collector's walks until
        # `finish`, they no longer make each full walk of MkDocs' own objects longer.
        collector.freeze()

    def install_meta(self, page: Page) -> None:
        """Give a postmortem page its front-matter as `page.meta`, as the check read it
        (dates stay text)."""
        meta = self._meta.pop(page.file.src_uri, None)
        if meta is not None:
            page.meta = dict(meta)

    def markdown(self, markdown: str, page: Page) -> str:
        """Generated reference tables where a page asks for them, and links on the ids
        that a postmortem's text mentions."""
        uri = page.file.src_uri
        markdown = expand_markers(markdown, self.settings.schema)
        if uri in self._problems_by_uri and FRONT_MATTER_RE.match(markdown):
            # MkDocs could not read the front-matter and left it in the text.
            markdown = self._bodies[uri]
        if uri in self._problems_by_uri and (self.settings.public or uri in self._withheld):
            # A page with problems MkDocs read itself, not from the checked view.
            markdown, page.meta = published_page(
                markdown,
                page.meta,
                self._withheld.get(uri, {}),
                self.settings.schema.internal_fields() if self.settings.public else None,
            )
        publication = self.publication
        if uri == publication.user_index:
            # The listing is wide; Material's table of contents would narrow it.
            page.meta.setdefault("hide", ["toc"])
        incident = publication.incidents_by_uri.get(uri)
        if incident is not None:
            page.meta.setdefault("search", {"boost": 2})
            markdown = link_ids(markdown, uri, self.settings, publication)
        return markdown

    def place(self, page: Page) -> list[tuple[str, str | None]]:
        """Add the archive's HTML to a converted page, just before search indexes it:
        a generated page's body, the listing in the landing page, the card and details
        around each postmortem's text, and a broken postmortem's problems on top. Not
        earlier: with workers, they have had the conversion of every page to make it;
        and not as Markdown, which would only re-parse it. Gives the page's content in
        pieces: (HTML, its search form), None for what is the author's."""
        uri = page.file.src_uri
        if page.content is None:
            return []
        content = page.content
        pieces: list[tuple[str, str | None]] = [(content, None)]
        headings: list[tuple[str, str]] = []
        publication = self.publication
        made = publication.ahead.take(uri)
        if isinstance(made, Additions):
            card, card_form = made.card, made.card_search_form
            if _H1_RE.match(content):  # the page has its own title
                incident = publication.incidents_by_uri[uri]
                card = publication.renderer.card(incident, uri, with_title=False)
                card_form = search_form(card)
            pieces = [
                (card, card_form),
                (f"\n{content}\n", None),
                (made.details, made.details_search_form),
                ("\n", None),
            ]
            headings = made.headings
        elif isinstance(made, Html):
            listing = (made.html, made.search_form)
            if uri != publication.user_index:
                pieces = [listing]
            elif INDEX_MARKER in content:
                before, after = content.split(INDEX_MARKER, 1)
                pieces = [(before, None), listing, (after, None)]
            else:
                pieces = [(f"{content}\n", None), listing]
            headings = made.headings
        elif uri in publication.postmortems and "<h1" not in content:
            pieces = [(_titled(content, page), None)]
        if uri in self._problems_by_uri:
            pieces.insert(0, (problems_box(self._problems_by_uri[uri]) + "\n", None))
        page.content = "".join(html for html, _ in pieces)
        page.toc.items += [AnchorLink(title, anchor, 2) for anchor, title in headings]
        return pieces

    def finish(self, stop: bool = False, last: bool = False) -> None:
        """The build is over (`stop`: it ended early; `last`: the process ends next):
        the workers end, other plugins find `page.meta` as the author wrote it, and the
        collector walks every object again (see `collector.release`)."""
        self.publication.close(stop=stop)
        self.theme_view.restore()
        collector.release(last=last and not stop)

    def before_theme(self, files: Files, config: MkDocsConfig) -> None:
        """Once every page is converted: the exports are written (or given their
        content, see `Publication.fill_data_files`) before MkDocs copies files, the
        theme sees the escaped front-matter, and the collector leaves what is alive
        out of its walks."""
        self.publication.fill_data_files(files)
        self.show_theme_view(files, config)
        # Every page is converted, and its HTML stays alive to the end of the build:
        # left out of the collector's walks too, which the theme and search would
        # otherwise make again and again (4.7 s of a 10,000-postmortem build's 60).
        collector.freeze()

    def show_theme_view(self, files: Files, config: MkDocsConfig) -> None:
        """From now on, every page under the archive folder shows the theme its
        front-matter escaped (see `theme_view`), and the index's link reads "Overview"
        where it would repeat its section's title (see `Publication.overview`)."""
        postmortems = self.publication.postmortems
        prefix = self.folder + "/"
        for file in files.documentation_pages():
            if file.src_uri.startswith(prefix) and file.page is not None:
                self.theme_view.install(file.page, postmortem=file.src_uri in postmortems)
        overview = self.publication.overview(config)
        if overview is not None:
            self.theme_view.retitle(overview, OVERVIEW)

    def before_search(self, page: Page) -> None:
        """Hand search plugins the archive's HTML in its search form: the same text with
        only the tags search keeps, since they parse every tag in Python (see
        `search_form`); and the author's `page.meta`, but for what Material's search
        reads as HTML (see `ThemeView.search`)."""
        pieces = self.place(page)
        self.theme_view.search(page)
        if any(form is not None for _, form in pieces) and not _excluded_from_search(page):
            page.content, self._swaps[page.file.src_uri] = to_search_form(pieces)

    def after_search(self, page: Page, context: TemplateContext) -> None:
        """Put the full HTML back once search has indexed the page, and the theme's
        escaped front-matter, tags included, before the theme renders it."""
        self.theme_view.theme(page)
        tags = context.get("tags")  # Material's tags plugin's, for this page's header
        if page.file.src_uri.startswith(self.folder + "/") and isinstance(tags, list):
            context["tags"] = escaped_tags(tags)  # type: ignore[typeddict-unknown-key]
        swaps = self._swaps.pop(page.file.src_uri, None)
        if swaps and page.content is not None:
            page.content, missing = to_full_form(page.content, swaps)
            if missing:
                log.warning(
                    f"{page.file.src_uri}: another plugin changed the page while search "
                    "indexed it; part of the archive's HTML shows without its markup"
                )


def link_ids(markdown: str, uri: str, settings: Settings, publication: Publication) -> str:
    """Links on the ids of other postmortems that the text of the page `uri` mentions:
    Markdown links to their source files, which the site generator resolves and
    checks."""
    pattern = mention_regex(settings.schema.id_regex)
    if pattern is None:
        return markdown
    incident_uris = publication.renderer.incident_uris

    def href(incident_id: str) -> str | None:
        target = incident_uris.get(incident_id)
        if target is None:
            return None
        return "<" + posixpath.relpath(target, posixpath.dirname(uri)) + ">"

    return link_mentions(markdown, pattern, href, publication.id_prefixes)


def _titled(content: str, page: Page) -> str:
    """A postmortem left out of the archive (its id is taken or unusable) has no card:
    its title heads it, as the theme shows it, for every theme and search."""
    title = page.meta.get("title")
    if isinstance(title, str):
        return f"<h1>{page_title(title)}</h1>\n{content}"
    return content


def _excluded_from_search(page: Page) -> bool:
    """Whether the page asks search plugins to skip it, as facet pages do."""
    search = page.meta.get("search")
    return isinstance(search, dict) and bool(search.get("exclude"))


def problems_box(problems: list[Diagnostic]) -> str:
    """An admonition, as raw HTML so no front-matter text is read as Markdown."""
    items = "\n".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems)
    return (
        '<div class="admonition failure postmortem-problems">\n'
        f'<p class="admonition-title">This postmortem has {len(problems)} problem(s)</p>\n'
        f"<ul>\n{items}\n</ul>\n</div>"
    )

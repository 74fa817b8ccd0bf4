"""The Zensical adapter: a Python-Markdown extension, `markdown_extensions: [postmortem]`.

Zensical reads `mkdocs.yml` but runs no MkDocs plugin; it does run Markdown extensions,
one Markdown instance a page, and tells them the page through its context extension
(`zensical.extensions.context`). So, once per build, on the first page it converts,
this extension checks the archive as the plugin does (`outside.Outside`, the CLI's
`check_archive`), prints the problems as `path:line:col: error CODE ...` lines and
fails the build on errors; then it gives each page what the plugin gives it: the card
and details of a postmortem, the listing of the archive's landing page, the HTML of
the pages that `mkdocs-postmortem generate` wrote.

Under MkDocs or ProperDocs there is no Zensical context: the extension does nothing,
and the plugin does it all.
"""

from __future__ import annotations

import os
import posixpath
import sys
import threading
from dataclasses import dataclass
from typing import Any

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from mkdocs.utils import get_relative_url

from .assembly import INDEX_MARKER, link_ids, problems_box
from .diagnostics import Diagnostic, Severity, format_text
from .outside import GENERATED_MARKER, Outside
from .publish import ASSET_DIR, ASSETS
from .reader import Document
from .reference import expand_markers
from .render.layout import Layout
from .schema import ConfigurationError
from .theme_view import theme_meta

_H1_START = ("<h1", "<H1")
# Put before a page's text and found again once Markdown is done: Markdown runs its
# postprocessors on each heading's text too (for the table of contents), and the
# archive's HTML goes around the whole page only.
_PAGE_MARK = "<!-- postmortem:page -->"


class PostmortemBuildError(Exception):
    """The archive has problems that fail the build; they were printed above."""


@dataclass
class _Page:
    """The page Zensical converts: its source path below `docs_dir` and its URL."""

    uri: str
    url: str
    meta: dict[str, Any]
    config: dict[str, Any]


def _zensical_page(md: Markdown) -> _Page | None:
    """The page from Zensical's context, or None outside Zensical (MkDocs, ProperDocs,
    a plain `markdown.markdown` call)."""
    try:
        from zensical.extensions.context import ContextPreprocessor
    except ImportError:
        return None
    context = ContextPreprocessor.from_markdown(md)
    if context is None:
        return None
    page = context.page
    return _Page(page.path.replace(os.sep, "/"), page.url, page.meta, context.config)


class _Build:
    """The archive of one Zensical build, checked and planned once."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config  # kept, so that its id is not reused by the next build's
        self.failure: str | None = None
        self.outside: Outside | None = None
        self.stats: dict[str, tuple[int, int]] = {}
        self.problems: dict[str, list[Diagnostic]] = {}
        self.folder: str | None = None  # the archive's, below docs_dir
        self.docs_dir = ""
        self.documents: dict[str, Document] = {}  # src_uri -> each postmortem as checked
        try:
            outside = Outside.check(_config_file(config))
        except ConfigurationError as error:
            self.failure = f"postmortem: {error}"
            print(f"error: {self.failure}", file=sys.stderr, flush=True)
            return
        if not outside.site.options.enabled:
            return  # `enabled: false`, as for the plugin: nothing is checked or added
        self.folder, self.docs_dir = outside.site.options.dir, outside.site.config.docs_dir
        report = outside.report
        for diagnostic in report.diagnostics:
            print(format_text(diagnostic), file=sys.stderr)
        sys.stderr.flush()
        self.stats = {file.src_uri: _stat(file.abs_src_path) for file in outside.postmortems}
        if report.fails(outside.site.options.fail_on):
            if not _serving():
                self.failure = (
                    f"postmortem: the archive has problems: {report.summary}; "
                    "see the lines above (`mkdocs-postmortem validate` prints them too)"
                )
                return
            # As the plugin under `mkdocs serve`: an exception would end the server.
            print(
                f"postmortem: {report.summary}; serving anyway, the problems show on each page.",
                file=sys.stderr,
                flush=True,
            )
        try:
            outside.publish()
        except ConfigurationError as error:
            self.failure = f"postmortem: {error}"
            print(f"error: {self.failure}", file=sys.stderr, flush=True)
            return
        self.outside = outside
        self.documents = outside.documents
        stale = outside.out_of_date()
        if stale:
            print(
                f"warning: postmortem: {len(stale)} archive file(s) missing or out of date "
                f"(such as {stale[0]}); run `mkdocs-postmortem generate` before "
                "`zensical build --clean`",
                file=sys.stderr,
                flush=True,
            )
        by_path = report.by_path()
        for file, document in zip(outside.postmortems, report.documents, strict=True):
            shown = [p for p in by_path.get(document.path, []) if p.severity is not Severity.INFO]
            if shown:
                self.problems[file.src_uri] = shown

    def is_stale(self, page: _Page) -> bool:
        """Whether the page is a postmortem changed since the check (`zensical serve`
        converts again only what changed, in the same build's configuration)."""
        folder = self.folder
        if folder is None or not page.uri.startswith(folder + "/"):
            return False
        if page.uri not in self.stats:
            return page.uri.endswith(".md") and not _is_archive_page(page.uri, folder)
        return _stat(os.path.join(self.docs_dir, page.uri)) != self.stats[page.uri]


def _is_archive_page(uri: str, folder: str) -> bool:
    return uri == f"{folder}/index.md" or Layout(folder).is_reserved(uri)


def _stat(path: str | None) -> tuple[int, int]:
    try:
        info = os.stat(path or "")
    except OSError:
        return (0, -1)
    return (info.st_mtime_ns, info.st_size)


def _serving() -> bool:
    """Whether this is `zensical serve`, whose server an exception in a page ends."""
    return len(sys.argv) > 1 and sys.argv[1] == "serve"


def _config_file(config: dict[str, Any]) -> str:
    """The `mkdocs.yml` Zensical builds from: named after `-f` or found in the
    project's root folder, as Zensical looks for it."""
    argv = sys.argv[1:]
    for number, argument in enumerate(argv):
        named = None
        if argument in ("-f", "--config-file") and number + 1 < len(argv):
            named = argv[number + 1]
        elif argument.startswith("--config-file="):
            named = argument.split("=", 1)[1]
        if named and named.endswith((".yml", ".yaml")):
            return os.path.abspath(named)
    root = str(config.get("root_dir") or os.getcwd())
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        path = os.path.join(root, name)
        if os.path.exists(path):
            return path
    raise ConfigurationError(
        f"no mkdocs.yml in {root}: the extension reads the plugin's options from it"
    )


_lock = threading.Lock()
_current: _Build | None = None


def _build_for(page: _Page) -> _Build:
    """This build's archive: checked anew when Zensical loaded its configuration again
    (a new build) or when a postmortem changed."""
    global _current
    with _lock:
        if _current is None or _current.config is not page.config or _current.is_stale(page):
            _current = _Build(page.config)
        return _current


class _Before(Preprocessor):
    """Before Markdown: the reference tables, links on mentioned ids, and a generated
    page's HTML, kept away from Markdown."""

    def __init__(self, md: Markdown, extension: PostmortemExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        page = _zensical_page(self.md)
        self.extension.page = page
        if page is None:
            return lines
        build = self.extension.build = _build_for(page)
        if build.failure is not None:
            raise PostmortemBuildError(build.failure)
        outside = build.outside
        if outside is None or outside.publication is None:  # the plugin is disabled
            self.extension.page = None
            return lines
        publication = outside.publication
        document = build.documents.get(page.uri)
        if document is not None:
            # Zensical read the file itself; a page shows the checked document, with its
            # leaks masked and, in the public edition, its internal parts left out.
            lines = document.body.split("\n")
            if isinstance(document.data, dict):
                page.meta.clear()
                page.meta.update(document.data)
        if page.uri.startswith(outside.site.options.dir + "/"):
            _show_theme_view(page, postmortem=page.uri in publication.postmortems)
        made = outside.pages.get(page.uri)
        if made is not None:
            return [_PAGE_MARK, "", self.md.htmlStash.store(made.html)]
        text = expand_markers("\n".join(lines), outside.site.settings.schema)
        if page.uri in publication.incidents_by_uri:
            page.meta.setdefault("search", {"boost": 2})  # as the plugin does
            text = link_ids(text, page.uri, outside.site.settings, publication)
        elif page.uri == publication.user_index:
            page.meta.setdefault("hide", ["toc"])  # the listing is wide
        return [_PAGE_MARK, "", *text.split("\n")]


def _show_theme_view(page: _Page, postmortem: bool) -> None:
    """The theme sees the front-matter escaped, as under MkDocs (`theme_view`): Zensical's
    templates print the title, for one, as HTML. The page's metadata is what Zensical
    hands the theme once the page is converted; the author's file stays as written."""
    view = theme_meta(page.meta, postmortem)
    page.meta.clear()
    page.meta.update(view)


class _After(Postprocessor):
    """After Markdown: the card and details around a postmortem's text, the landing
    page's listing, problems on top, and the archive's stylesheet and script."""

    def __init__(self, md: Markdown, extension: PostmortemExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, text: str) -> str:
        page, build = self.extension.page, self.extension.build
        if page is None or build is None or build.outside is None:
            return text
        mark = text.find(_PAGE_MARK)
        if mark < 0:
            return text  # a heading's text, which Markdown runs postprocessors on too
        text = text[:mark] + text[mark + len(_PAGE_MARK) :].lstrip("\n")
        outside = build.outside
        publication = outside.publication
        assert publication is not None
        uri = page.uri
        headings: list[tuple[str, str]] = []
        incident = publication.incidents_by_uri.get(uri)
        if incident is not None:
            renderer = publication.renderer
            additions = renderer.additions(incident, uri)
            card = additions.card
            if text.lstrip().startswith(_H1_START):  # the page has its own title
                card = renderer.card(incident, uri, with_title=False)
            text = f"{card}\n{text}\n{additions.details}\n"
            headings = additions.headings
        elif uri == publication.user_index and outside.listing is not None:
            listing = outside.listing.html
            text = (
                text.replace(INDEX_MARKER, listing, 1)
                if INDEX_MARKER in text
                else (f"{text}\n{listing}")
            )
            headings = outside.listing.headings
        elif uri in outside.pages:
            headings = outside.pages[uri].headings
        elif uri not in publication.postmortems:
            return text
        if uri in build.problems:
            text = problems_box(build.problems[uri]) + "\n" + text
        _add_to_toc(self.md, headings)
        return _assets(uri) + text


def _assets(uri: str) -> str:
    """The stylesheet and script that the plugin adds to every page; here, to the
    archive's pages, which use them (Zensical's `extra_css` is read before any page).
    Relative to the page's source file, as Zensical reads links."""
    folder = posixpath.dirname(uri)
    css, js = (get_relative_url(f"{ASSET_DIR}/{name}", folder) for name in ASSETS)
    return f'<link rel="stylesheet" href="{css}">\n<script src="{js}"></script>\n'


def _add_to_toc(md: Markdown, headings: list[tuple[str, str]]) -> None:
    """The sections the plugin's HTML adds, in the page's table of contents."""
    tokens = getattr(md, "toc_tokens", None)
    if not isinstance(tokens, list):
        return
    for anchor, title in headings:
        tokens.append(
            {
                "level": 2,
                "id": anchor,
                "name": title,
                "html": title,
                "data-toc-label": "",
                "children": [],
            }
        )


class PostmortemExtension(Extension):
    """`markdown_extensions: [postmortem]`: the archive under Zensical; nothing under
    MkDocs, where the plugin runs."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.page: _Page | None = None  # the page being converted, under Zensical
        self.build: _Build | None = None  # its build's archive

    def extendMarkdown(self, md: Markdown) -> None:
        # After whitespace is normalised (30), before raw HTML is stashed (20), so that
        # a generated page's HTML is stashed whole, and the links are read as Markdown.
        md.preprocessors.register(_Before(md, self), "postmortem", 25)
        # Last, once raw HTML is back in place: the plugin adds its HTML after Markdown.
        md.postprocessors.register(_After(md, self), "postmortem", 1)


def makeExtension(**kwargs: Any) -> PostmortemExtension:  # Markdown looks for this name
    return PostmortemExtension(**kwargs)


__all__ = ["GENERATED_MARKER", "PostmortemBuildError", "PostmortemExtension", "makeExtension"]

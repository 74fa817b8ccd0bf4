"""The MkDocs adapter: check the archive before any page is converted, report, fail,
then publish the archive's pages. Each event only delegates:

- `on_startup`: remember whether MkDocs serves (then keep each file's check and the
  archive's pieces for the next rebuild, `publish.Earlier`) or builds dirty.
- `on_config`: load the schema in force (`site.settings`), add the stylesheet and
  script, and start the fork server early when the archive is large (`workers`).
- `on_files`: check every postmortem (`check`, shared with the CLI), report and fail;
  then add the generated pages (`publish`) and hand the pages their parts (`assembly`).
- `on_nav`: join the action items' lone page to the archive's section, and make the
  archive's pages outside the navigation belong to it (`publish.settle_nav`).
- `on_page_markdown`: the author's front-matter, links on ids (`assembly`).
- `on_env`: the exports are written (`publish.Writer`); from here on the theme sees
  escaped front-matter (`theme_view`).
- `on_page_context`: the archive's HTML joins each page (made by workers meanwhile):
  generated pages, listings, cards and details, the problems of a broken page; search
  indexes it in a lighter form (`assembly`).
- `on_post_build`, `on_build_error`: give back `page.meta`, end workers (`Assembly`)."""

from __future__ import annotations

import os
from typing import Literal

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from . import collector, publish, site
from .assembly import Assembly
from .check import Settings, check_archive
from .config import PostmortemConfig
from .publish import Earlier, Publication
from .schema import ConfigurationError
from .workers import WORTH_IT_FROM, warm_up

log = get_plugin_logger("postmortem")


class PostmortemPlugin(BasePlugin[PostmortemConfig]):
    """Checks every postmortem and publishes the archive: index, action items, facets,
    statistics, exports, and a card and details on each postmortem page."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.dirty = False
        self.settings: Settings | None = None  # None when the plugin is disabled
        self.assembly: Assembly | None = None  # the archive's parts, once checked
        self.earlier: Earlier | None = None  # serve: what a rebuild may take again

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Remember whether MkDocs serves (a broken postmortem must not end the server).
        Defining this event keeps one plugin instance across rebuilds."""
        self.serving = command == "serve"
        self.dirty = dirty
        self.earlier = Earlier() if self.serving else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load the schema in force once per build, watch an organisation's schema file
        (outside `docs_dir`, it would not trigger a rebuild), and add the stylesheet and
        script that ship in the package."""
        self._stop()
        collector.thaw()  # what an earlier build in this process left for its end
        self.settings = self.assembly = None
        if not self.config.enabled:
            return config
        try:
            self.settings = site.settings(config, self.config)
        except ConfigurationError as error:
            raise PluginError(f"postmortem: {error}") from None
        if self.config.schema and self.config.schema not in config.watch:
            config.watch.append(self.config.schema)
        publish.link_assets(config)
        archive = os.path.join(config.docs_dir, self.config.dir)
        if self._workers(site.count_markdown(archive, WORTH_IT_FROM)):
            warm_up()  # its imports run on another core while MkDocs lists the files
        return config

    @event_priority(-110)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Check the archive and report before any page is converted, then add its pages
        (here, so that a user's `nav` can list them). Late, so that exactly the
        postmortems that will be built are checked: mkdocs-static-i18n, at -100, picks
        the current language's files (and expects every file to have an `abs_src_path`,
        which generated files have not). Under `--dirty` too, every postmortem is read,
        since archive rules and listings span files. What `generate` wrote is left out."""
        if self.settings is None:
            return files
        files = site.without_generated(files, config.docs_dir, self.config)
        postmortems = [file for file in files if site.is_postmortem(file, self.config)]
        report = check_archive(
            site.sources(postmortems, config),
            self.settings,
            site.notices(postmortems, config, self.config),
            jobs=self.config.processes,
            earlier=self.earlier.checks if self.earlier else None,
        )
        report.log(log)
        if report.fails(self.config.fail_on):
            if not self.serving:
                raise PluginError(f"postmortem: the archive has problems: {report.summary}.")
            log.warning(f"{report.summary}; serving anyway, the problems show on each page.")
        publication = Publication.add(
            files,
            postmortems,
            report,
            self.settings,
            self.config,
            config,
            dirty=self.dirty,
            workers=self._workers(len(postmortems)),
            kept=self.earlier.pieces if self.earlier else None,
            site_dir=config.site_dir,
        )
        self.assembly = Assembly(self.settings, self.config.dir, publication)
        self.assembly.take_files(postmortems, report, dirty=self.dirty)
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """The archive's pages settle in its section (see `publish.settle_nav`)."""
        if self.assembly is not None:
            self.assembly.publication.settle_nav(nav, files, config)
        return nav

    def _workers(self, postmortems: int) -> int:
        """Processes that make the archive's HTML while this one converts the pages."""
        return publish.workers(postmortems, self.config.processes, self.dirty)

    @event_priority(100)
    def _install_meta(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """First of all `on_page_markdown` handlers, so that other plugins find the
        front-matter in `page.meta` as usual."""
        if self.assembly is not None:
            self.assembly.install_meta(page)
        return markdown

    def _prepare_page(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Reference tables where asked for, links on the ids a postmortem mentions."""
        return self.assembly.markdown(markdown, page) if self.assembly else markdown

    on_page_markdown = CombinedEvent(_install_meta, _prepare_page)

    @event_priority(-100)
    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment | None:
        """Wait until the exports are written, before MkDocs copies files; then the
        theme sees escaped front-matter. Last of all `on_env` handlers."""
        if self.assembly is not None:
            self.assembly.before_theme(files, config)
        return env

    @event_priority(1)
    def _before_search(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Just before the search plugins (priority 0): the archive's HTML joins the
        page, in its search form."""
        if self.assembly is not None:
            self.assembly.before_search(page)
        return context

    @event_priority(-1)
    def _after_search(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Just after the search plugins, before the theme renders the page."""
        if self.assembly is not None:
            self.assembly.after_search(page, context)
        return context

    on_page_context = CombinedEvent(_before_search, _after_search)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Other plugins find `page.meta` as the author wrote it once pages are written;
        a build that the process's end follows leaves its objects for that end."""
        if self.assembly is not None:
            self.assembly.finish(last=not self.serving)

    def on_build_error(self, *, error: Exception) -> None:
        """A build that stops leaves no worker process behind."""
        self._stop()

    def _stop(self) -> None:
        if self.assembly is not None:
            self.assembly.finish(stop=True)

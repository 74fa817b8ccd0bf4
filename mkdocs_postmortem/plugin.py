"""The MkDocs adapter: check the archive before anything is rendered, report, fail.

Only MkDocs events live here; the checks are in `check`, shared with the CLI.
"""

from __future__ import annotations

import html
from typing import Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from . import site
from .check import Report, Settings, check_archive
from .config import PostmortemConfig
from .diagnostics import Diagnostic, Severity
from .reader import FRONT_MATTER_RE
from .reference import expand_markers
from .schema import ConfigurationError

log = get_plugin_logger("postmortem")


class PostmortemPlugin(BasePlugin[PostmortemConfig]):
    """Checks every postmortem against the schema in force and the archive rules."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self._reset()

    def _reset(self) -> None:
        self.settings: Settings | None = None
        self.report: Report | None = None
        self._problems_by_uri: dict[str, list[Diagnostic]] = {}
        self._bodies: dict[str, str] = {}

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Remember whether MkDocs serves: there a broken postmortem must not stop the
        server, since a failing first build ends `mkdocs serve`.

        Defining this event also keeps one plugin instance across serve rebuilds, which
        is why every build starts with `_reset` in `on_config`.
        """
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load the schema in force once per build and watch an organisation's schema
        file, which lies outside `docs_dir` and would otherwise not trigger a rebuild.
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
        return config

    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Check the archive before any page is rendered.

        Late (priority -50) so that files other plugins add or exclude are settled:
        exactly the postmortems that will be built are checked. Under `--dirty` too,
        every postmortem is read here, since archive rules span files.
        """
        if self.settings is None:
            return files
        postmortems = [file for file in files if site.is_postmortem(file, self.config)]
        report = check_archive(site.sources(postmortems, config), self.settings)
        self.report = report
        for diagnostic in report.diagnostics:
            if diagnostic.severity is Severity.ERROR:
                log.error(str(diagnostic))
            else:
                log.warning(str(diagnostic))
        if self._fails(report):
            summary = (
                f"{report.errors} error(s) and {report.warnings} warning(s) "
                f"in {len(postmortems)} postmortem(s)"
            )
            if not self.serving:
                raise PluginError(f"postmortem: the archive has problems: {summary}.")
            log.warning(f"{summary}; serving anyway, the problems show on each page.")
        self._keep_problems_for_pages(postmortems, report, config)
        return files

    def _fails(self, report: Report) -> bool:
        if self.config.fail_on == "never":
            return False
        if self.config.fail_on == "warning":
            return bool(report.diagnostics)
        return report.errors > 0

    def _keep_problems_for_pages(
        self, files: list[File], report: Report, config: MkDocsConfig
    ) -> None:
        """When the build goes on with problems, each broken page shows its own."""
        for file, document in zip(files, report.documents, strict=True):
            problems = report.for_path(document.path)
            if not problems:
                continue
            self._problems_by_uri[file.src_uri] = problems
            self._bodies[file.src_uri] = document.body
            if any(p.code == "PM001" for p in problems) and document.text == "":
                # MkDocs would stop on the undecodable bytes; show the page with its problem.
                file.content_string = file.content_bytes.decode("utf-8", errors="replace")

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Put generated reference tables into pages that ask for them, and a list of its
        problems on top of a broken postmortem (only reached when the build goes on).
        """
        if self.settings is None:
            return markdown
        markdown = expand_markers(markdown, self.settings.schema)
        problems = self._problems_by_uri.get(page.file.src_uri)
        if problems:
            if FRONT_MATTER_RE.match(markdown):
                # MkDocs could not read the front-matter and left it in the text.
                markdown = self._bodies[page.file.src_uri]
            markdown = problems_box(problems) + "\n\n" + markdown
        return markdown


def problems_box(problems: list[Diagnostic]) -> str:
    """An admonition, as raw HTML so no front-matter text is read as Markdown."""
    items = "\n".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems)
    return (
        '<div class="admonition failure postmortem-problems">\n'
        f'<p class="admonition-title">This postmortem has {len(problems)} problem(s)</p>\n'
        f"<ul>\n{items}\n</ul>\n</div>"
    )

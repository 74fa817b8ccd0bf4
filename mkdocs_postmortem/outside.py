"""The archive as the plugin publishes it, made outside an MkDocs build: for
`mkdocs-postmortem generate`, which writes its pages as files, and for the Markdown
extension that puts each page's part in under Zensical (`markdown_extension`).

Both read `mkdocs.yml` as the CLI does and then go the plugin's own way: the same
check (`check_archive`), the same plan of generated pages (`Publication.add`) and the
same renderer; nothing here decides what a page holds.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, get_files
from mkdocs.utils.yaml import yaml_load

from . import site
from .check import Report
from .cli import Site
from .publish import Publication
from .reader import Document
from .render.ahead import Html
from .schema import ConfigurationError
from .site import MANIFEST

# Between a generated page's front-matter and its HTML: the extension hands the HTML
# to the page untouched by Markdown.
GENERATED_MARKER = "<!-- postmortem:generated -->"


def load_site(config_file: str | None) -> Site:
    """The site's `mkdocs.yml` read by MkDocs, for what the archive needs of it only:
    a Zensical project need not have Material for MkDocs or the MkDocs plugins it
    names installed, so the theme becomes MkDocs' own (keeping `custom_dir`, where
    templates are overridden) and the plugins only this one."""
    path = config_file or _default_config_file()
    try:
        with open(path, encoding="utf-8") as file:
            raw = yaml_load(file)
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"cannot read {path}: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{path} does not hold a mapping of settings")
    theme = raw.get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    return Site(
        path,
        theme={"name": "mkdocs", **({"custom_dir": custom_dir} if custom_dir else {})},
        plugins=[_plugin_entry(raw.get("plugins"))],
        markdown_extensions=[],
    )


def _default_config_file() -> str:
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if os.path.exists(name):
            return name
    raise ConfigurationError("no mkdocs.yml in this folder; name it with --config-file")


def _plugin_entry(plugins: Any) -> Any:
    """This plugin's entry of `plugins:`, as written, or its bare name."""
    entries = plugins.items() if isinstance(plugins, dict) else plugins or []
    for entry in entries:
        if isinstance(entry, tuple):
            name, options = entry
        elif isinstance(entry, dict) and len(entry) == 1:
            name, options = next(iter(entry.items()))
        else:
            name, options = entry, None
        if name == "postmortem":
            return {"postmortem": options} if options else "postmortem"
    return "postmortem"


@dataclass
class Outside:
    """One site's archive, checked and planned as the plugin would."""

    site: Site
    files: Files
    postmortems: list[File]
    report: Report
    publication: Publication | None = None  # None until `publish`
    # src_uri -> bytes of every file the archive adds: pages, exports, assets.
    added: dict[str, bytes] | None = None
    pages: dict[str, Html] = field(default_factory=dict)  # each generated page's HTML
    listing: Html | None = None  # the listing that the user's landing page gets

    @property
    def documents(self) -> dict[str, Document]:
        """Each postmortem's document as checked (src_uri -> document): its body and
        front-matter with leaks masked and, for the public edition, internal parts
        left out; what a page shows must come from here, not from the file."""
        return {
            file.src_uri: document
            for file, document in zip(self.postmortems, self.report.documents, strict=True)
        }

    @classmethod
    def check(cls, config_file: str | None, jobs: int = 1) -> Outside:
        """Read and check every postmortem with `jobs` processes; raises
        `ConfigurationError`."""
        target = load_site(config_file)
        Manifest.read(target)  # a record that cannot be trusted stops here, saying why
        # Our own earlier output, as we left it: made again below. A file changed since
        # is the user's now (their own landing page, say) and is read as theirs.
        written = site.written_by_generate(target.config.docs_dir, target.options)
        files = Files([file for file in get_files(target.config) if file.src_uri not in written])
        postmortems = [f for f in files if site.is_postmortem(f, target.options)]
        report, _ = target.check(jobs, postmortems)  # as `validate` checks
        return cls(target, files, postmortems, report)

    def publish(self) -> Publication:
        """Plan the archive's pages as the plugin does; raises `ConfigurationError` when
        a file stands where the archive publishes a page (its PM013 lines go to the log
        first)."""
        config = self.site.config
        before = {file.src_uri for file in self.files}
        # As during the plugin's events: MkDocs names the maker of each generated file.
        config.plugins._current_plugin = "postmortem"
        try:
            publication = Publication.add(
                self.files,
                self.postmortems,
                self.report,
                self.site.settings,
                self.site.options,
                config,
                dirty=False,
                workers=0,
                links_from_source=True,  # Zensical's way of reading links
            )
        except PluginError as error:
            raise ConfigurationError(str(error).removeprefix("postmortem: ")) from None
        self.publication = publication
        self.added = {}
        for file in self.files:
            if file.src_uri in before:
                continue
            made = publication.ahead.take(file.src_uri)
            if isinstance(made, Html):
                self.pages[file.src_uri] = made
                front_matter = file.content_string
                self.added[file.src_uri] = (
                    f"{front_matter}\n{GENERATED_MARKER}\n\n{made.html}\n".encode()
                )
            elif isinstance(made, str):
                self.added[file.src_uri] = made.encode()
            else:  # an asset that ships in the package
                self.added[file.src_uri] = file.content_bytes
        if publication.user_index is not None:
            listing = publication.ahead.take(publication.user_index)
            self.listing = listing if isinstance(listing, Html) else None
        return publication

    def out_of_date(self) -> list[str]:
        """The files `generate` would write or change now, by src_uri: what a build
        from `docs_dir` as it is would miss."""
        assert self.added is not None, "publish() first"
        try:
            recorded = Manifest.read(self.site).files
        except ConfigurationError:  # `generate` says what to do about it
            recorded = {}
        docs = Path(self.site.config.docs_dir)
        return [
            uri
            for uri, content in sorted(self.added.items())
            if recorded.get(uri) != digest(content) or not (docs / uri).is_file()
        ]


@dataclass
class Manifest:
    """What `generate` wrote last time: each file (src_uri) with its SHA-256."""

    path: Path
    files: dict[str, str]

    @classmethod
    def read(cls, target: Site) -> Manifest:
        """Raises `ConfigurationError` for a record that cannot be trusted."""
        path = target.archive_dir / MANIFEST
        try:
            return cls(path, site.generated_record(target.config.docs_dir, target.options))
        except site.RecordError as error:
            raise ConfigurationError(str(error)) from None

    def write(self) -> None:
        text = json.dumps(
            {
                "note": "written by `mkdocs-postmortem generate`: the files it wrote, "
                "which it replaces or removes on its next run",
                "files": dict(sorted(self.files.items())),
            },
            indent=2,
        )
        _write_atomically(self.path, (text + "\n").encode())


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


@dataclass(frozen=True)
class Written:
    """What one `generate` did."""

    written: list[str]  # files written anew or changed
    unchanged: int
    removed: list[str]


def write_archive(outside: Outside) -> Written:
    """Write the archive's files into `docs_dir`, remove the files an earlier run wrote
    that are no longer part of it, and record what is there now.

    Nothing is written when a file to replace or remove is not exactly as `generate`
    left it (someone changed it) or when a file it would write is not its own: raises
    `ConfigurationError` naming them. A file is written only when its content changes,
    so that tools that rebuild changed files only (Zensical's cache) see the rest as
    unchanged.
    """
    assert outside.added is not None, "publish() first"
    docs = Path(outside.site.config.docs_dir)
    manifest = Manifest.read(outside.site)
    foreign: list[str] = []
    adopted: list[str] = []
    for uri in sorted(set(outside.added) | set(manifest.files)):
        path = docs / uri
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise ConfigurationError(f"cannot read {path}: {error.strerror}") from None
        recorded = manifest.files.get(uri)
        if recorded is None:
            foreign.append(f"{_shown(path)}: not written by generate; move it out of the way")
        elif digest(current) != recorded and uri not in outside.added:
            adopted.append(uri)  # changed and no longer ours to write: the user's now
        elif digest(current) != recorded:
            foreign.append(
                f"{_shown(path)}: changed since generate wrote it; "
                "move your changes elsewhere and delete it"
            )
    if foreign:
        raise ConfigurationError("nothing was written:\n  " + "\n  ".join(foreign))
    written, unchanged = [], 0
    for uri, content in sorted(outside.added.items()):
        path = docs / uri
        if uri in manifest.files and manifest.files[uri] == digest(content) and path.exists():
            unchanged += 1
            continue
        _write_atomically(path, content)
        written.append(uri)
    removed = []
    for uri in sorted(set(manifest.files) - set(outside.added) - set(adopted)):
        path = docs / uri
        if path.exists():
            path.unlink()
            removed.append(uri)
            _remove_empty_parents(path.parent, docs)
    manifest.files = {uri: digest(content) for uri, content in outside.added.items()}
    manifest.write()
    return Written(written, unchanged, removed)


def _remove_empty_parents(folder: Path, docs: Path) -> None:
    """The folders that only held removed pages, up to (not including) `docs_dir`."""
    while folder != docs and docs in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty: it holds other files
        folder = folder.parent


def _shown(path: Path) -> str:
    return Path(os.path.relpath(path)).as_posix()

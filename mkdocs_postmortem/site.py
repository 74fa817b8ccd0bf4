"""What the plugin and the CLI share about an MkDocs site: which files are
postmortems, how their paths are shown, and the settings from the plugin's options.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from .check import Settings, Source
from .config import PostmortemConfig
from .diagnostics import Diagnostic, problem
from .render.layout import Layout

# Where `generate` puts the stylesheet and script (as the plugin publishes them).
ASSET_DIR = "assets/postmortem"

# Written into the archive folder by `mkdocs-postmortem generate`: the files it wrote
# (src_uri -> SHA-256). A dot file: neither MkDocs nor Zensical publishes it.
MANIFEST = ".postmortem-generated.json"


def project_root(config: MkDocsConfig) -> str:
    """The folder of `mkdocs.yml`: messages name files relative to it."""
    if config.config_file_path:
        return os.path.dirname(os.path.abspath(config.config_file_path))
    return os.getcwd()


def is_postmortem(file: File, options: PostmortemConfig) -> bool:
    """Every Markdown file below the archive folder but its landing page and the places
    of the generated pages."""
    prefix = options.dir + "/"
    return (
        file.src_uri.startswith(prefix)
        and file.src_uri.endswith(".md")
        and file.src_uri != prefix + "index.md"
        and not Layout(options.dir).is_reserved(file.src_uri)
        and not file.inclusion.is_excluded()  # type: ignore[no-untyped-call]
    )


class RecordError(ValueError):
    """The record of `generate` cannot be read, or lists a place it never writes."""


def generated_record(docs_dir: str, options: PostmortemConfig) -> dict[str, str]:
    """What `mkdocs-postmortem generate` recorded it wrote (src_uri -> SHA-256); empty
    when it never ran. Raises `RecordError` for a record that is unreadable or names a
    file outside the places it writes (the archive folder, its assets): a record edited
    by hand must never make a build leave out, or `generate` delete, anything else."""
    path = os.path.join(docs_dir, options.dir, MANIFEST)
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise RecordError(f"cannot read {path}: {error}; delete it") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise RecordError(f"{path} is not a list of generated files; delete it")
    places = (options.dir + "/", ASSET_DIR + "/")
    for uri in files:
        parts = uri.split("/")
        if not uri.startswith(places) or "\\" in uri or ".." in parts or "" in parts:
            raise RecordError(
                f"{path} lists {uri!r}, outside the places generate writes; delete the record"
            )
    return files


def written_by_generate(docs_dir: str, options: PostmortemConfig) -> set[str]:
    """The files that `generate` wrote for Zensical and a build leaves out (src_uri),
    since the plugin makes the same in memory: those in the archive's own places, and
    elsewhere (the landing page) those nobody changed since: a changed one is the
    user's now, and stays. Nothing when the record is unreadable (`generate` says so)."""
    try:
        record = generated_record(docs_dir, options)
    except RecordError:
        return set()
    layout = Layout(options.dir)
    left_out = set()
    for uri, recorded in record.items():
        if layout.is_reserved(uri) or uri.startswith(ASSET_DIR + "/"):
            left_out.add(uri)
            continue
        try:
            with open(os.path.join(docs_dir, uri), "rb") as file:
                content = file.read()
        except OSError:
            continue
        if hashlib.sha256(content).hexdigest() == recorded:
            left_out.add(uri)
    return left_out


def without_generated(files: Files, docs_dir: str, options: PostmortemConfig) -> Files:
    """`files` without what `generate` wrote for Zensical (see `written_by_generate`),
    in one pass, as archives grow large."""
    written = written_by_generate(docs_dir, options)
    return Files([file for file in files if file.src_uri not in written]) if written else files


def count_markdown(folder: str, enough: int) -> int:
    """The Markdown files below `folder`, counted up to `enough`: a cheap first guess at
    the size of an archive, before MkDocs lists the files."""
    found = 0
    for _, _, names in os.walk(folder):
        found += sum(name.endswith(".md") for name in names)
        if found >= enough:
            break
    return found


def display_path(file: File, config: MkDocsConfig) -> str:
    root = project_root(config)
    if file.abs_src_path:
        return Path(os.path.relpath(file.abs_src_path, root)).as_posix()
    docs = Path(os.path.relpath(config.docs_dir, root)).as_posix()
    return f"{docs}/{file.src_uri}"


def display_paths(files: Iterable[File], config: MkDocsConfig) -> Iterator[tuple[File, str]]:
    """Each file with its display path; the folder part is worked out once for the
    files of `docs_dir`, which are nearly all."""
    docs_dir = os.path.normpath(config.docs_dir)
    docs = Path(os.path.relpath(docs_dir, project_root(config))).as_posix()
    for file in files:
        if file.abs_src_path and file.src_dir == docs_dir:
            yield file, f"{docs}/{file.src_uri}"
        else:
            yield file, display_path(file, config)


def sources(files: Iterable[File], config: MkDocsConfig) -> list[Source]:
    """Each file's display path and where to read it: the path of a file that MkDocs
    reads from disk, read by whichever process checks it; what any other holds."""
    return [
        (path, file.abs_src_path if file.abs_src_path else _content(file))
        for file, path in display_paths(files, config)
    ]


def _content(file: File) -> bytes | OSError:
    try:
        return file.content_bytes
    except OSError as error:
        return error


def notices(
    files: Iterable[File], config: MkDocsConfig, options: PostmortemConfig
) -> list[Diagnostic]:
    """What the adapters find about the site rather than in a postmortem's text: links
    that leave `docs_dir` (PM012), a `nav:` that leaves the archive out (PM014)."""
    return [*outside_links(files, config), *unreachable_archive(config, options)]


def outside_links(files: Iterable[File], config: MkDocsConfig) -> list[Diagnostic]:
    """Postmortems that are links to files outside `docs_dir`.

    MkDocs follows links on purpose and publishes what they point to; a link that leaves
    `docs_dir` may publish something its author never meant to, so it is a warning.
    """
    docs = os.path.realpath(config.docs_dir)
    folders: dict[str, str] = {}  # each folder resolved once
    found = []
    for file, path in display_paths(files, config):
        if not file.abs_src_path:
            continue
        if os.path.islink(file.abs_src_path):
            target = os.path.realpath(file.abs_src_path)
        else:
            folder, name = os.path.split(file.abs_src_path)
            if folder not in folders:
                folders[folder] = os.path.realpath(folder)
            target = os.path.join(folders[folder], name)
        if os.path.commonpath([docs, target]) != docs:
            found.append(
                problem(
                    "PM012",
                    path,
                    1,
                    1,
                    f"this file is a link to {target}, outside docs_dir; MkDocs publishes it "
                    "as if it were inside",
                )
            )
    return found


def unreachable_archive(config: MkDocsConfig, options: PostmortemConfig) -> list[Diagnostic]:
    """PM014, once, at the `nav:` of `mkdocs.yml` when it lists no page of the archive
    (without `nav:`, the archive joins the navigation by itself): the message holds
    the entry to add, in the flow form that fits on its one line."""
    if config.nav is None:
        return []
    folder = options.dir + "/"
    for target in _nav_targets(config.nav):
        if target.lstrip("./").startswith(folder) or target.strip("./") == options.dir:
            return []
    layout = Layout(options.dir)
    snippet = (
        f"- Postmortems: [{layout.index}, Action items: {layout.action_items}, "
        f"Statistics: {layout.statistics}]"
    )
    path, line = _nav_line(config)
    message = (
        f"the nav lists no page of the archive ({folder}), so readers cannot reach it; "
        f"add under nav: {snippet}"
    )
    return [problem("PM014", path, line, 1, message, field="nav")]


def _nav_targets(entry: object) -> Iterator[str]:
    """The paths and URLs that a `nav:` entry, its titles aside, points to."""
    if isinstance(entry, str):
        yield entry
    elif isinstance(entry, list):
        for item in entry:
            yield from _nav_targets(item)
    elif isinstance(entry, dict):
        for item in entry.values():
            yield from _nav_targets(item)


def _nav_line(config: MkDocsConfig) -> tuple[str, int]:
    """`mkdocs.yml` as messages show it, and the line of its `nav:` (1 when it comes
    from a file it inherits)."""
    source = config.config_file_path
    if not source:
        return "mkdocs.yml", 1
    shown = Path(os.path.relpath(source, project_root(config))).as_posix()
    try:
        with open(source, encoding="utf-8-sig") as file:
            for number, text in enumerate(file, 1):
                if text.startswith("nav:"):
                    return shown, number
    except (OSError, UnicodeDecodeError):
        pass
    return shown, 1


def clashes(
    files: Iterable[File], generated: Iterable[File], layout: Layout, config: MkDocsConfig
) -> list[Diagnostic]:
    """The site's files that stand where the archive publishes its own pages: in one of
    its folders, or served at the same place as a generated file (`tags.md` and
    `tags/index.md` are both `tags/`), which MkDocs would silently let one replace."""
    ours = {file.dest_uri: file.src_uri for file in generated}
    found = []
    for file, path in display_paths(files, config):
        taken = ours.get(file.dest_uri)
        if taken is not None:
            message = (
                f"this file would be published at {file.url or './'}, where the archive "
                f"publishes its page {taken}; rename or move the file"
            )
        elif layout.is_reserved(file.src_uri):
            message = (
                f"{file.src_uri.rsplit('/', 1)[0]}/ holds the archive's generated pages; "
                "move the file out of it"
            )
        else:
            continue
        found.append(problem("PM013", path, 1, 1, message))
    return found


def settings(config: MkDocsConfig, options: PostmortemConfig) -> Settings:
    """Raises `ConfigurationError` for an unusable schema, pattern or date."""
    schema = Path(options.schema) if options.schema else None
    return Settings.load(
        schema,
        options.id_pattern,
        options.today,
        sections=options.required_sections,
        rules=options.rules,
        phrases=options.blameless_phrases,
        leak_baseline=Path(options.leaks.baseline) if options.leaks.baseline else None,
        phone_region=options.leaks.phone_region,
        audience=options.audience,
    )

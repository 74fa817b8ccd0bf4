"""The command-line adapter: `mkdocs-postmortem validate | generate | schema | new | tidy |
lsp`.

It reads the same `mkdocs.yml` and calls the same checks as the plugin, without
building the site. Exit codes: 0 clean, 1 problems found, 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.exceptions import ConfigurationError as MkDocsConfigurationError
from mkdocs.structure.files import File, Files, get_files

from . import site
from .check import Report, Settings, check_archive
from .config import PostmortemConfig
from .diagnostics import Diagnostic, format_github, format_json, format_markdown, format_text
from .edition import AUDIENCES
from .new_template import next_id, render, title_problem
from .schema import ConfigurationError, SchemaInForce
from .tidy import template_lines, tidy
from .workers import default_jobs

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
_SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class Site:
    """An MkDocs site as the CLI sees it: its config, the plugin's options, settings."""

    def __init__(self, config_file: str | None, **overrides: Any) -> None:
        """`overrides` replace settings of the file (see `outside.load_site`)."""
        try:
            self.config: MkDocsConfig = load_config(config_file=config_file, **overrides)
        except (MkDocsConfigurationError, Abort, OSError) as error:
            raise ConfigurationError(f"cannot load the MkDocs configuration: {error}") from None
        self.options = _plugin_options(self.config)
        self.settings: Settings = site.settings(self.config, self.options)

    def postmortems(self) -> list[File]:
        return [file for file in get_files(self.config) if site.is_postmortem(file, self.options)]

    def check(self, jobs: int | None = None, files: list[File] | None = None) -> tuple[Report, int]:
        """Every problem of the postmortems (`files`, or all of the site's); `jobs`
        processes, or as many as the plugin's `jobs` says."""
        files = self.postmortems() if files is None else files
        report = check_archive(
            site.sources(files, self.config),
            self.settings,
            site.notices(files, self.config, self.options),
            jobs=jobs or self.options.processes,
        )
        return report, len(files)

    def clashes(self, report: Report) -> list[Diagnostic]:
        """The site's files where the archive publishes its pages (PM013); what
        `generate` wrote is the archive's own."""
        from . import publish  # the archive's pages: only when asked for

        files = site.without_generated(
            Files(get_files(self.config)), self.config.docs_dir, self.options
        )
        return publish.clashes(files, report, self.options, self.config)

    @property
    def archive_dir(self) -> Path:
        return Path(self.config.docs_dir) / self.options.dir


def _plugin_options(config: MkDocsConfig) -> PostmortemConfig:
    plugin = config.plugins.get("postmortem")
    options = getattr(plugin, "config", None)
    if isinstance(options, PostmortemConfig):
        return options
    print("note: the postmortem plugin is not in mkdocs.yml; using its defaults", file=sys.stderr)
    options = PostmortemConfig(config_file_path=config.config_file_path)
    options.load_dict({})
    failed, _ = options.validate()
    if failed:  # pragma: no cover - the defaults are valid
        raise ConfigurationError(str(failed))
    return options


def validate(args: argparse.Namespace) -> int:
    target = Site(args.config_file)
    if args.audience is not None:  # check the edition a public build would make
        target.settings = dataclasses.replace(target.settings, audience=args.audience)
    if args.overdue:
        return overdue(target, args)
    report, files = target.check(args.jobs)
    report.diagnostics += target.clashes(report)  # as `mkdocs build` fails on them
    if report.removed is not None and args.format in ("text", "github"):
        print(report.removed.summary(), file=sys.stderr)
    _print(report.diagnostics, files, report.summary, args.format)
    # In CI, errors always fail: `fail_on: never` keeps a site building, not a check.
    strict = args.strict or target.options.fail_on == "warning"
    if report.fails("warning" if strict else "error"):
        return EXIT_PROBLEMS
    return EXIT_CLEAN


def overdue(target: Site, args: argparse.Namespace) -> int:
    """`validate --overdue`: only the overdue action items (PM207), for a scheduled
    job; exit 1 when there are any, 0 when there are none. Listed whatever `rules`
    makes of PM207, `off` included: asking for them is asking to see them."""
    if target.settings.severities.get("PM207") == "off":
        severities = {**target.settings.severities, "PM207": "info"}
        target.settings = replace(target.settings, severities=severities)
    report, files = target.check(args.jobs)
    found = [diagnostic for diagnostic in report.diagnostics if diagnostic.code == "PM207"]
    items = f"{len(found):,} overdue action item{'' if len(found) == 1 else 's'}"
    postmortems = f"{files:,} postmortem{'' if files == 1 else 's'}"
    if found:
        summary = f"{items} in {len({d.path for d in found}):,} of {postmortems}"
    else:
        summary = f"no overdue action items in {postmortems}"
    _print(found, files, f"{summary} on {target.settings.today.isoformat()}", args.format)
    return EXIT_PROBLEMS if found else EXIT_CLEAN


def _print(diagnostics: list[Diagnostic], files: int, summary: str, form: str) -> None:
    """The diagnostics in the form asked for, on standard output; the summary on
    standard error, or as the heading of the Markdown form."""
    if form == "json":
        print(format_json(diagnostics, files))
    elif form == "markdown":
        print(format_markdown(diagnostics, f"Postmortems: {summary}"), end="")
    else:
        formatter = format_github if form == "github" else format_text
        for diagnostic in diagnostics:
            print(formatter(diagnostic))
        print(summary, file=sys.stderr)


def generate(args: argparse.Namespace) -> int:
    """Check the archive as the build does, then write its pages as files, for site
    generators that run no MkDocs plugin (Zensical): nothing is written when the
    check fails."""
    from .outside import Outside, write_archive  # it builds on `Site`, defined here

    outside = Outside.check(args.config_file, jobs=args.jobs or 1)
    if not outside.site.options.enabled:
        print("the plugin is disabled (enabled: false); nothing was written", file=sys.stderr)
        return EXIT_CLEAN
    report = outside.report
    for diagnostic in report.diagnostics:
        print(format_text(diagnostic), file=sys.stderr)
    fail_on = "warning" if args.strict else outside.site.options.fail_on
    if report.fails(fail_on):
        print(f"{report.summary}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    print(report.summary, file=sys.stderr)
    outside.publish()
    done = write_archive(outside)
    print(
        f"{len(done.written)} file(s) written, {done.unchanged} unchanged, "
        f"{len(done.removed)} removed, below {_shown(outside.site.config.docs_dir)}",
        file=sys.stderr,
    )
    return EXIT_CLEAN


def _shown(path: str) -> str:
    return Path(os.path.relpath(path)).as_posix()


def schema(args: argparse.Namespace) -> int:
    target = Site(args.config_file)
    print(json.dumps(target.settings.schema.schema, indent=2, ensure_ascii=False))
    return EXIT_CLEAN


def new(args: argparse.Namespace) -> int:
    problem = title_problem(args.title)
    if problem is not None:
        raise ConfigurationError(f"--title: {problem}; nothing was written")
    target = Site(args.config_file)
    severity = _severity(target.settings.schema, args.severity)
    report, _ = target.check()
    existing = [
        d.data["id"] for d in report.documents if d.data and isinstance(d.data.get("id"), str)
    ]
    today = target.settings.today
    incident_id = args.id or next_id(existing, today)
    if not target.settings.schema.accepts_id(incident_id):
        raise ConfigurationError(
            f"--id: {incident_id!r} does not match the id pattern "
            f"{target.settings.schema.id_regex.pattern}"
        )
    if incident_id in existing:
        print(f"error: id {incident_id} is already used in the archive", file=sys.stderr)
        return EXIT_PROBLEMS
    name = incident_id.lower()
    if not _SAFE_FILE_NAME.match(name):
        raise ConfigurationError(f"--id: {incident_id!r} cannot be used as a file name")
    path = target.archive_dir / f"{name}.md"
    text = render(target.settings.schema, incident_id, args.title, severity, today)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        print(f"error: {path} exists already; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    except OSError as error:
        print(f"error: cannot write {path}: {error.strerror}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(Path(os.path.relpath(path)).as_posix())
    return EXIT_CLEAN


def tidy_files(args: argparse.Namespace) -> int:
    """Remove the template's leftovers from each file; with `--check`, only say which
    files have any. A file that cannot be read or decoded is named and left alone."""
    status = EXIT_CLEAN
    for name in args.files:
        path = Path(name)
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as error:
            print(f"error: cannot read {name}: {error.strerror}", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        except UnicodeDecodeError:
            print(f"error: {name} is not UTF-8; nothing was changed", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        removed = sum(len(run) for run in template_lines(text))
        if not removed:
            continue
        if args.check:
            print(f"{name}: {removed} template line(s) left in")
            status = EXIT_PROBLEMS
            continue
        try:
            _replace(path, tidy(text).encode("utf-8"))
        except OSError as error:
            print(f"error: cannot write {name}: {error.strerror}", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        print(f"{name}: removed {removed} template line(s)")
    return status


def _replace(path: Path, content: bytes) -> None:
    """Write beside the file, then rename: the file is whole, old or new, at any time.
    A symbolic link stays a link: the file it points to is the one rewritten."""
    path = path.resolve()
    temporary = path.with_name(f".{path.name}.tidy-{os.getpid()}")
    try:
        temporary.write_bytes(content)
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def lsp(args: argparse.Namespace) -> int:
    try:
        from .lsp import serve
    except ImportError as error:
        raise ConfigurationError(
            f"the language server needs pygls ({error}); "
            "install it with: pip install 'mkdocs-postmortem[lsp]'"
        ) from None
    serve(args.config_file)
    return EXIT_CLEAN


def _severity(schema: SchemaInForce, chosen: str | None) -> str:
    """`--severity`, checked against the schema in force (an organisation may replace the
    levels); without one, the schema's default (see `SchemaInForce.default_severity`)."""
    allowed = [str(level) for level in schema.severities()]
    severity = chosen if chosen is not None else schema.default_severity()
    if allowed and severity not in allowed:
        given = repr(severity) if chosen is not None else f"the default {severity!r}"
        raise ConfigurationError(
            f"--severity: {given} is not one of the schema's {', '.join(allowed)}; "
            "nothing was written"
        )
    return severity


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="mkdocs-postmortem",
        description="Check and write blameless postmortems of AI incidents.",
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "-f",
            "--config-file",
            metavar="FILE",
            help="the MkDocs configuration (default: mkdocs.yml)",
        )
        return sub

    check = command("validate", "Check every postmortem without building the site.")
    check.add_argument("--format", choices=("text", "json", "github", "markdown"), default="text")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument(
        "--overdue",
        action="store_true",
        help="list only the overdue action items; exit 1 if there are any",
    )
    check.add_argument(
        "--audience",
        choices=AUDIENCES,
        help="check the edition for this audience (default: the plugin's audience); "
        "public also reports internal values still shown (PM610)",
    )
    check.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help=(
            "processes that check a large archive "
            "(default: the plugin's jobs; 0: one per core, at most 8)"
        ),
    )
    check.set_defaults(run=validate)

    make = command(
        "generate",
        "Check the archive, then write its pages (index, action items, facets, statistics, "
        "exports) into docs_dir as files, for Zensical.",
    )
    make.add_argument("--strict", action="store_true", help="fail on warnings too")
    make.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="processes that check a large archive (default: 1; 0: one per core, at most 8)",
    )
    make.set_defaults(run=generate)

    show = command("schema", "Print the JSON Schema in force (built-in plus extension).")
    show.set_defaults(run=schema)

    write = command("new", "Write a new postmortem from the template, with the next free id.")
    write.add_argument("--title", default="New AI incident postmortem")
    write.add_argument("--id", help="the id to use instead of the next free one")
    write.add_argument(
        "--severity",
        metavar="LEVEL",
        help="one of the schema's severities (default: the schema's default)",
    )
    write.set_defaults(run=new)

    clean = commands.add_parser(
        "tidy",
        help="Remove the template's '#|' lines and comments; change nothing else.",
        description="Remove the template's '#|' lines and comments; change nothing else.",
    )
    clean.add_argument("files", nargs="+", metavar="FILE", help="postmortems to tidy")
    clean.add_argument(
        "--check", action="store_true", help="change nothing; fail if a file has any"
    )
    clean.set_defaults(run=tidy_files)

    server = command(
        "lsp",
        "Run the language server on stdin and stdout (diagnostics, completion, hover, "
        "code actions); the editor starts it.",
    )
    server.set_defaults(run=lsp)
    return main_parser


def _jobs(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected 0 (one per core) or a number, got {value!r}")
    return int(value) or default_jobs()


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

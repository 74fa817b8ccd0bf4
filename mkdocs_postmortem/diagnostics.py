"""Problems found in postmortems, as values: collected, sorted, then printed by an adapter."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass


class Severity(str, enum.Enum):
    """How bad a problem is. Errors fail the build; warnings fail it under `--strict`;
    information (a suggestion) never fails it, and does not mark the page as broken."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Rule:
    """A kind of problem: its code, default severity and what it checks (for the docs)."""

    code: str
    severity: Severity
    summary: str


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("PM000", _E, "The file cannot be read (permissions, a broken link)."),
        Rule("PM001", _E, "The file is not valid UTF-8."),
        Rule("PM002", _E, "The file has no front-matter: it must start with a `---` line."),
        Rule("PM003", _E, "The front-matter is not closed by a `---` line."),
        Rule("PM004", _E, "The front-matter is empty."),
        Rule("PM005", _E, "The front-matter is not valid YAML."),
        Rule("PM006", _E, "The front-matter is not a mapping of keys to values."),
        Rule("PM007", _E, "A key appears twice in the same mapping."),
        Rule("PM008", _E, "A key is not text (e.g. `2024:` or `null:`)."),
        Rule("PM009", _E, "Too many values: aliases expand too far, loop, or the data is huge."),
        Rule("PM010", _E, "A YAML tag or value that the format does not accept."),
        Rule("PM011", _E, "The front-matter is nested too deeply."),
        Rule(
            "PM012", _W, "The file is a link to a place outside docs_dir, published as if inside."
        ),
        Rule("PM013", _E, "A file stands where the archive publishes one of its own pages."),
        Rule(
            "PM014",
            _W,
            "The site's `nav:` lists no page of the archive: readers cannot reach it.",
        ),
        Rule("PM101", _E, "A required key is missing (some only from a given status on)."),
        Rule("PM102", _E, "A value is not one of the allowed values."),
        Rule("PM103", _E, "A value has the wrong type (text, number, list, mapping)."),
        Rule("PM104", _E, "A value does not have the required form (id, date, URL, code)."),
        Rule("PM105", _E, "A text is empty."),
        Rule("PM106", _E, "A list has too few items."),
        Rule("PM107", _E, "A list has the same item twice."),
        Rule("PM108", _E, "A number is out of range."),
        Rule("PM109", _E, "Another rule of the schema in force (e.g. an organisation's schema)."),
        Rule("PM110", _W, "An unknown key: a typo, or a field the format does not have."),
        Rule("PM201", _E, "Two postmortems have the same id."),
        Rule("PM202", _E, "A `related` id is not in the archive."),
        Rule("PM203", _E, "A date that does not exist in the calendar (e.g. 2024-02-30)."),
        Rule(
            "PM204", _E, "Lifecycle dates out of order (occurred, detected, mitigated, resolved)."
        ),
        Rule("PM205", _E, "Timeline entries out of time order."),
        Rule("PM206", _E, "A `closed` postmortem with an action item not `done` or `wont_do`."),
        Rule(
            "PM207",
            _I,
            "An action item is overdue: due before today and not finished (information"
            " unless `rules` says otherwise, so that the calendar alone fails no build).",
        ),
        Rule("PM208", _E, "Two action items of one postmortem have the same id."),
        Rule("PM209", _W, "The body mentions an id in the archive's form that no postmortem has."),
        Rule("PM210", _E, "An action item `addresses` a contributing factor id that is not there."),
        Rule("PM211", _E, "Two contributing factors of one postmortem have the same id."),
        Rule("PM212", _E, "A `taxonomy` id of the right form that its catalog does not have."),
        Rule("PM213", _I, "No `taxonomy` yet: the entries its failure modes suggest."),
        Rule(
            "PM214",
            _W,
            "An incident repeats an earlier one (failure mode, layer, system) whose"
            " matching action items are all finished: the fix may not have held.",
        ),
        Rule("PM301", _E, "A required section (`## What happened`, `## Analysis`) is missing."),
        Rule("PM302", _E, "A required section has no real text yet."),
        Rule(
            "PM303",
            _E,
            "A placeholder or template leftover in a published postmortem.",
        ),
        Rule("PM310", _W, "Every contributing factor of a published postmortem is in one layer."),
        Rule("PM311", _W, "The attribution names a single person or team as the cause."),
        Rule("PM401", _W, "Blameless language: 'human error' and the like."),
        Rule(
            "PM402",
            _W,
            "Blameless language: counterfactuals ('should have', 'if only').",
        ),
        Rule(
            "PM403",
            _W,
            "Blameless language: what a person 'failed to' or 'forgot to' do.",
        ),
        Rule("PM404", _W, "Blameless language: judgements of character ('careless', 'negligent')."),
        Rule("PM405", _W, "Blameless language: an exhortation as action item ('be more careful')."),
        Rule("PM406", _W, "Blameless language: blame words ('at fault', 'culprit', 'to blame')."),
        Rule("PM407", _W, "Blameless language: hindsight ('obviously', 'clearly')."),
        Rule("PM408", _W, "Blameless language: 'the root cause' (there is rarely one)."),
        Rule("PM409", _W, "Blameless language: the model as a culprit ('the model lied/decided')."),
        Rule("PM450", _W, "Blameless language: a phrase of the organisation's own list."),
        Rule(
            "PM501",
            _I,
            "EU AI Act Art. 73: a serious incident's report is due on the date given.",
        ),
        Rule(
            "PM502",
            _E,
            "EU AI Act Art. 73: a serious incident's report is overdue and no"
            " `initial_report` is recorded.",
        ),
        Rule(
            "PM503",
            _W,
            "EU AI Act Art. 73(6): the prompt changed between `aware` and the first report.",
        ),
        Rule("PM504", _I, "EU AI Act Art. 73: the first report went after its due date."),
        Rule("PM505", _E, "EU AI Act Art. 73: a report is dated before `aware`."),
        Rule("PM506", _E, "EU AI Act Art. 73: the report's due date falls outside the calendar."),
        Rule("PM507", _E, "EU AI Act Art. 73: a report is dated after today (not sent yet)."),
        # Leak checks: errors from `in_review` on, warnings in a draft (`validation.leaks`).
        Rule("PM601", _E, "A secret (cloud key, token, private key, password in a URL)."),
        Rule("PM602", _E, "Personal data: an e-mail address."),
        Rule("PM603", _E, "Personal data: a phone number."),
        Rule("PM604", _E, "Personal data: a payment card number."),
        # Editions (`edition`).
        Rule(
            "PM610",
            _E,
            "Public edition: the value of an internal field is written outside an internal block.",
        ),
        Rule("PM611", _E, "An internal block's marker out of place: not closed, nested or alone."),
    )
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place: `path:line:col: severity CODE field: message`."""

    path: str
    line: int
    column: int
    code: str
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        # Keys, values and file names are the author's: shown, never obeyed by a terminal.
        field = f" {visible(self.field)}:" if self.field else ""
        return (
            f"{visible(self.path)}:{self.line}:{self.column}: "
            f"{self.severity.value} {self.code}{field} {visible(self.message)}"
        )

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def problem(
    code: str, path: str, line: int, column: int, message: str, field: str = ""
) -> Diagnostic:
    """A diagnostic with the default severity of its rule."""
    return Diagnostic(path, line, column, code, field, message, RULES[code].severity)


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """Errors and warnings among `diagnostics` (information is neither)."""
    errors = warnings = 0
    for diagnostic in diagnostics:
        if diagnostic.severity is Severity.ERROR:
            errors += 1
        elif diagnostic.severity is Severity.WARNING:
            warnings += 1
    return errors, warnings


def format_text(diagnostic: Diagnostic) -> str:
    return str(diagnostic)


def format_github(diagnostic: Diagnostic) -> str:
    """A GitHub Actions workflow command that annotates the line in the pull request."""
    kind = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(diagnostic.severity, "notice")
    title = f"{diagnostic.code} {visible(diagnostic.field)}".strip()
    path, message = visible(diagnostic.path), visible(diagnostic.message)
    return (
        f"::{kind} file={_gh_property(path)},line={diagnostic.line},"
        f"col={diagnostic.column},title={_gh_property(title)}::{_gh_data(message)}"
    )


def format_json(diagnostics: list[Diagnostic], files: int) -> str:
    errors, warnings = count(diagnostics)
    return json.dumps(
        {
            "version": 1,
            "diagnostics": [d.to_dict() for d in diagnostics],
            "summary": {"errors": errors, "warnings": warnings, "files": files},
        },
        indent=2,
        ensure_ascii=False,
    )


def format_markdown(diagnostics: list[Diagnostic], title: str) -> str:
    """A Markdown section for a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`): a
    heading, then a table of the problems. Every cell that comes from the files is a
    code span, so that a value cannot add a link (GitHub links bare URLs, `www.` and
    e-mail addresses too), an image, emphasis or HTML to the summary."""
    lines = [f"### {_markdown_text(title)}", ""]
    if diagnostics:
        lines += ["| Where | Severity | Rule | Field | Message |", "|---|---|---|---|---|"]
    for diagnostic in diagnostics:
        where = f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}"
        row = [
            _markdown_code(where),
            diagnostic.severity.value,
            diagnostic.code,
            _markdown_code(diagnostic.field),
            _markdown_code(diagnostic.message),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


# What Markdown or the HTML inside it gives a meaning inside a line: emphasis, code,
# links and images, tags and entities, cells. Not `#`, `-`, `.`: no cell starts a line.
_MARKDOWN_RE = re.compile(r"([\\`*_\[\]<>&|!~])")
_BACKTICKS_RE = re.compile(r"`+")


def _markdown_text(text: str) -> str:
    return _MARKDOWN_RE.sub(r"\\\1", visible(text))


def _markdown_code(text: str) -> str:
    """`text` as a code span of a table cell: its fence longer than any run of
    backticks inside, and `|` escaped, which GitHub's tables read before the span."""
    text = visible(text)
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0) + 1)
    # A space each side is taken off again; it keeps a backtick at either end apart
    # from the fence.
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    cell = text.replace("|", "\\|")
    return f"{fence}{pad}{cell}{pad}{fence}"


# C0 and C1 controls, DEL, line and paragraph separators, and the bidi controls
# (embeddings, overrides, isolates, marks) that reorder what a reader sees.
_UNSEEN_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)


def visible(text: str) -> str:
    """`text` on one line with its control characters written as escapes (`\\n`,
    `\\x1b`, `\\u202e`), so that a key or value cannot start a line, colour a
    terminal or give CI a command."""
    return _UNSEEN_RE.sub(lambda match: repr(match.group())[1:-1], text)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")

"""Properties over generated input: reading and checking never raise, stay fast, and
every diagnostic points into the file with a known rule.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hostile_support import (
    check_report,
)
from hostile_support import settings as check_settings
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.check import check_archive
from mkdocs_postmortem.diagnostics import RULES
from mkdocs_postmortem.reader import read
from mkdocs_postmortem.render.layout import Layout
from mkdocs_postmortem.render.pages import Renderer
from mkdocs_postmortem.render.templates import environment

# Hypothesis keeps caches (unicode tables, constants) in `./.hypothesis`; keep them out
# of the repository. There is no example database either (`database=None` below).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "mkdocs-postmortem-hypothesis")

FIXTURES = Path(__file__).parent.parent / "fixtures"
PUBLISHED = (FIXTURES / "published.md").read_text(encoding="utf-8")
DRAFT = (FIXTURES / "draft.md").read_text(encoding="utf-8")

# HOSTILE_EXAMPLES=5000 for a longer hunt by hand.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "300"))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=2000,  # ms per example
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------- strategies

YAML_SYNTAX = [*list("-:[]{}&*!|>'\"#%@`,?~<=.\\\n \t\r"), "---", "...", "<<", "\n  ", "\n- "]
yaml_chars = st.one_of(st.sampled_from(YAML_SYNTAX), st.characters(codec="utf-8"))
yaml_ish = st.lists(yaml_chars, max_size=300).map("".join)

HOSTILE_SCALARS = [
    "",
    "~",
    "null",
    "[",
    "{",
    "]",
    "*x",
    "&a",
    "&a [*a]",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGVsbG8=",
    "!!timestamp 2026-01-01",
    "!!set {a}",
    "!!omap [a: 1]",
    "!custom x",
    "|",
    ">-",
    "'",
    '"',
    "@",
    "`x`",
    "%YAML 1.2",
    "- x",
    "? x",
    "1e999",
    "-1e999",
    "0x1F",
    "0o17",
    ".nan",
    "-.inf",
    "9" * 5000,
    "-" + "9" * 4400,
    "1_000",
    "2026-02-30",
    "2026-13-01T25:61Z",
    "0001-01-01T00:00+00:01",
    "9999-12-31T23:59-23:59",
    "2026-01-01T00:00+99:99",
    "{a: 1, a: 2}",
    "[[[[[[[[[[]]]]]]]]]]",
    "<< : *x",
    "\\u202e",
    '"\\u202egnp.exe"',
    '"\\x00\\a\\e"',
    '"\\ud800"',
    "AIPM-2026-0001/../../x",
    "../../etc/passwd",
    'https://example.com/"><script>',
    "javascript:alert(1)",
]
scalar_text = st.one_of(st.sampled_from(HOSTILE_SCALARS), yaml_ish.map(lambda s: s[:60]))


def _frame(front: bytes, body: bytes) -> bytes:
    return b"---\n" + front + b"\n---\n" + body


arbitrary_bytes = st.one_of(
    st.binary(max_size=3000),
    st.builds(_frame, st.binary(max_size=600), st.binary(max_size=200)),
    st.builds(
        lambda front, body, newline: _frame(front.encode(), body.encode()).replace(b"\n", newline),
        yaml_ish,
        yaml_ish,
        st.sampled_from([b"\n", b"\r\n", b"\r"]),
    ),
    st.builds(lambda bom, raw: bom + raw, st.just(b"\xef\xbb\xbf"), st.binary(max_size=300)),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["draft", "published", "closed", "sev1", "2026-01-01", "TEST-2026-0001"]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=20), children, max_size=5),
    ),
    max_leaves=40,
)
SCHEMA_KEYS = sorted(check_settings().schema.schema.get("properties", {}))
keys = st.one_of(st.sampled_from(SCHEMA_KEYS), st.text(max_size=20))
front_matters = st.dictionaries(keys, json_values, max_size=12)


YAML_REFUSED = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _bytes_of(front_matter: str, body: str = "\nBody.\n") -> bytes:
    return f"---\n{front_matter}---\n{body}".encode()


def _check_one(raw: bytes) -> None:
    document = read("x.md", raw)
    assert document.data is None or isinstance(document.data, dict)
    sources = [("x.md", raw)]
    report = check_archive(sources, check_settings())
    check_report(report, sources)
    reader_problems = [p for p in report.diagnostics if p.code < "PM100"]
    assert (document.data is None) == bool(reader_problems), reader_problems
    # Only PM0xx rules are found by the reader; the rest need data.
    if document.data is None:
        assert all(p.code < "PM100" or p.code >= "PM200" for p in report.diagnostics)


# --------------------------------------------------------------------------- properties


@FAST
@given(arbitrary_bytes)
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _check_one(raw)


@FAST
@given(
    front_matters,
    st.booleans(),
    st.sampled_from([None, True, False]),
    st.booleans(),
    st.integers(min_value=20, max_value=200),
)
def test_safe_dumped_documents_never_raise(
    data: dict[str, Any], unicode: bool, flow: bool | None, sort: bool, width: int
) -> None:
    dumped = yaml.safe_dump(
        data,
        allow_unicode=unicode,
        default_flow_style=flow,
        sort_keys=sort,
        width=width,
    )
    _check_one(_bytes_of(dumped))


# JSON is YAML 1.2, and the loader reads YAML 1.2's core types: a JSON document must
# read back as exactly the same data. (NEL, U+2028 and U+2029 are left out: libyaml
# reads YAML 1.1, where they are line breaks that fold inside a quoted string.)
round_trip_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x85\u2028\u2029"), max_size=40
)
round_trip_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        round_trip_text,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(round_trip_text, children, max_size=5),
    ),
    max_leaves=40,
)


@FAST
@given(st.dictionaries(round_trip_text, round_trip_values, min_size=1, max_size=10), st.booleans())
def test_json_front_matter_reads_back_exactly(data: dict[str, Any], indent: bool) -> None:
    # JSON is YAML once the characters YAML refuses raw (which JSON leaves raw) are escaped.
    dumped = json.dumps(data, ensure_ascii=False, indent=2 if indent else None)
    dumped = YAML_REFUSED.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
    raw = _bytes_of(dumped + "\n")
    document = read("x.md", raw)
    assert document.problems == []
    assert document.data == data
    _check_one(raw)


# --------------------------------------------------------------------------- mutations


FRONT_LINES = PUBLISHED.split("\n")
CLOSING = FRONT_LINES.index("---", 1)


@st.composite
def mutated_published(draw: st.DrawFn) -> bytes:
    lines = list(FRONT_LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        closing = lines.index("---", 1) if "---" in lines[1:] else len(lines) - 1
        where = draw(st.integers(min_value=0, max_value=max(0, len(lines) - 1)))
        in_front = draw(st.integers(min_value=1, max_value=max(1, closing - 1)))
        operation = draw(
            st.sampled_from(["replace", "replace", "delete", "duplicate", "tab", "insert"])
        )
        if operation == "replace":
            line = lines[in_front]
            head, sep, _ = line.partition(": ")
            if not sep:
                head, sep = line.rstrip(":"), ": "
            lines[in_front] = f"{head}{sep}{draw(scalar_text)}"
        elif operation == "delete" and len(lines) > 1:
            del lines[where]
        elif operation == "duplicate":
            lines.insert(where, lines[where])
        elif operation == "tab":
            line = lines[where]
            column = draw(st.integers(min_value=0, max_value=len(line)))
            lines[where] = line[:column] + "\t" + line[column:]
        else:
            lines.insert(in_front, draw(yaml_ish.map(lambda s: s[:80])))
    return "\n".join(lines).encode("utf-8")


@FAST
@given(mutated_published())
def test_mutations_of_the_published_fixture_never_raise(raw: bytes) -> None:
    _check_one(raw)


def test_the_unmutated_fixture_is_clean_but_for_its_related_id() -> None:
    report = check_archive([("x.md", PUBLISHED.encode())], check_settings())
    assert [d.code for d in report.diagnostics] == ["PM202"]


# --------------------------------------------------------------------------- archive


def _published_data() -> dict[str, Any]:
    data = read("x.md", PUBLISHED.encode()).data
    assert data is not None
    return data


BASE = _published_data()
ID_POOL = ["TEST-2026-0001", "TEST-2026-0002", "TEST-2025-0009", "OTHER-1", "bad id", ""]


@st.composite
def incident_data(draw: st.DrawFn) -> dict[str, Any]:
    """The published fixture with some values replaced by anything, keys dropped."""
    data: dict[str, Any] = json.loads(json.dumps(BASE))
    data["id"] = draw(st.sampled_from(ID_POOL))
    data["related"] = draw(st.lists(st.sampled_from(ID_POOL), max_size=3))
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        path = draw(st.sampled_from(_paths(data)))
        operation = draw(st.sampled_from(["replace", "replace", "delete"]))
        parent, step = _parent(data, path)
        if parent is None:
            continue
        if operation == "delete" and isinstance(parent, dict):
            parent.pop(step, None)
        else:
            parent[step] = draw(json_values | st.sampled_from(HOSTILE_SCALARS))
    return data


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, (*prefix, index))
    return paths


def _parent(data: Any, path: tuple[Any, ...]) -> tuple[Any, Any]:
    node = data
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None, None
    if not isinstance(node, dict | list) or (isinstance(node, list) and path[-1] >= len(node)):
        return None, None
    return node, path[-1]


ENV = environment()
LAYOUT = Layout("postmortems")


def _relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source))


@settings(FAST, max_examples=max(1, EXAMPLES // 2))
@given(st.lists(incident_data(), min_size=1, max_size=4), st.sampled_from(["", "\nBody.\n"]))
def test_the_archive_and_its_pages_build_from_anything_readable(
    documents: list[dict[str, Any]], body: str
) -> None:
    sources = [
        (f"postmortems/p{n}.md", _bytes_of(yaml.safe_dump(data, allow_unicode=True), body))
        for n, data in enumerate(documents)
    ]
    report = check_archive(sources, check_settings())
    check_report(report, sources)
    schema, day = check_settings().schema, check_settings().today
    archive = Archive.build(report.documents, schema, day)
    # The archive holds exactly the documents whose id can name a page.
    assert all(schema.id_regex.search(i.id) for i in archive.incidents)
    # The renderer, without MkDocs: every page, card and details.
    uris: dict[str, str] = {}
    for incident in archive.incidents:
        uris.setdefault(incident.id, incident.path)
    renderer = Renderer(archive, LAYOUT, ENV, _relative, uris)
    planned = renderer.plan()
    assert len({page.src_uri for page in planned}) == len(planned)
    for page in planned:
        assert page.src_uri.startswith("postmortems/")
        assert ".." not in page.src_uri.split("/")
        page.make()
    for incident in archive.incidents:
        renderer.card(incident, incident.path, with_title=True)
        renderer.details(incident, incident.path)


# --------------------------------------------------------------------------- validators


@FAST
@given(incident_data())
def test_a_document_the_schema_rejects_gets_a_diagnostic(data: dict[str, Any]) -> None:
    """The compiled validator decides; the pure-Python one explains. When they
    disagree, a document can fail and still get no diagnostic at all."""
    schema = check_settings().schema
    raw = _bytes_of(yaml.safe_dump(data, allow_unicode=True))
    document = read("x.md", raw)
    assume(document.data is not None)
    report = check_archive([("x.md", raw)], check_settings())
    schema_codes = {code for code in RULES if "PM101" <= code <= "PM110"}
    found = [d for d in report.diagnostics if d.code in schema_codes]
    if not schema.is_valid(document.data):
        assert found, "the schema rejects the document, yet no diagnostic says why"
    # Where the compiled validator accepts, the explaining one finds nothing either; the
    # reverse may differ (Python's `$` matches before a final line break), and then the
    # compiled validator's errors are reported, as checked above.
    if schema.is_valid(document.data):
        assert not list(schema.full.iter_errors(document.data))

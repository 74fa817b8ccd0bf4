"""Hostile postmortem files, one by one: alias bombs, deep nesting, huge lines and
files, control and bidi characters, ids that look like paths, symlinks out of
`docs_dir`. Correctness first; time bounds are loose (a few seconds).

Tests marked `xfail(strict=True)` reproduce open limitations; each reason says what.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import Site, fixture_text
from hostile_support import (
    BOM_REPRO,
    CR_ONLY_REPRO,
    DOLLAR_REPRO,
    ITEM_STATUS_REPRO,
    LAYER_REPRO,
    LINE_SEPARATOR_REPRO,
    OVERFLOW_REPRO,
    check_bytes,
    check_report,
    finishes_within,
    settings,
)

from mkdocs_postmortem.archive import Archive, ModelRef
from mkdocs_postmortem.check import check_archive
from mkdocs_postmortem.reader import MAX_VALUES, read
from mkdocs_postmortem.render.layout import Layout, slug

TODAY = 'today: "2026-11-27"'
PUBLISHED = fixture_text("published.md")
DRAFT = fixture_text("draft.md")
DRAFT_TITLE = "title: Summariser dropped negations in long tickets"


def check(*files: tuple[str, bytes]) -> list[tuple[int, int, str]]:
    """Check files, assert the invariants, return (line, column, code) of each problem."""
    sources = list(files)
    report = check_archive(sources, settings())
    check_report(report, sources)
    return [(d.line, d.column, d.code) for d in report.diagnostics]


def one(raw: bytes | str) -> list[tuple[int, int, str]]:
    return check(("x.md", raw.encode() if isinstance(raw, str) else raw))


def codes(raw: bytes | str) -> list[str]:
    return [code for _, _, code in one(raw)]


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.start


def published(old: str = "", new: str = "") -> str:
    text = PUBLISHED.replace("related: [TEST-2026-0002]\n", "")
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# --------------------------------------------------------------------------- alias bombs


def billion_laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "---\n" + "\n".join(lines) + "\n---\n"


def test_billion_laughs_at_nine_levels_is_refused_quickly() -> None:
    with Timer() as timer:
        found = one(billion_laughs(9))
    assert found and {code for _, _, code in found} == {"PM009"}
    # The first repeated value: the anchored list of level 0 (its mark is at `&l0`).
    assert found[0][:2] == (2, 5)
    assert timer.seconds < 10


def test_many_aliases_to_one_large_list_are_refused_quickly() -> None:
    big = "[" + ", ".join(f"v{i}" for i in range(20_000)) + "]"
    refs = "[" + ", ".join(["*big"] * 5_000) + "]"
    with Timer() as timer:
        found = one(f"---\nbig: &big {big}\nrefs: {refs}\n---\n")
    assert [code for _, _, code in found] == ["PM009"]
    assert found[0][0] in (2, 3)
    assert timer.seconds < 10


def test_many_merges_of_one_large_mapping_are_refused_quickly() -> None:
    base = "{" + ", ".join(f"k{i}: {i}" for i in range(10_000)) + "}"
    merges = "\n".join(f"m{i}: {{<<: *base}}" for i in range(1_000))
    with Timer() as timer:
        found = one(f"---\nbase: &base {base}\n{merges}\n---\n")
    assert [code for _, _, code in found] == ["PM009"]
    assert timer.seconds < 10


def test_an_alias_bomb_just_below_the_limit_still_reads() -> None:
    # 9 + 81 + 729 + 6561 = 7380 values, under MAX_VALUES: legal, and fast.
    with Timer() as timer:
        document = read("x.md", billion_laughs(4).encode())
    assert document.problems == []
    assert document.data is not None and len(document.data["l3"]) == 9
    assert MAX_VALUES > 9**4
    assert timer.seconds < 10


@pytest.mark.parametrize(
    "front_matter",
    [
        "a: &a [x, *a]\n",
        "a: &a {b: *a}\n",
        "a: &a {<<: *a}\n",
        "a: &a\n  - &b [*a]\n",
        "a: &a [&b [&c [*a]]]\n",
        "a: &a {y: &y {x: *a}}\ny: *y\n",
        "a: &a [*a, *a, *a, *a, *a, *a, *a, *a]\n",
    ],
)
def test_cyclic_aliases_are_refused_at_the_anchor_they_return_to(front_matter: str) -> None:
    # As tests/cases.py has it for `alias-loop.md`: the anchored value, `&a` at 2:4.
    with Timer() as timer:
        found = one(f"---\n{front_matter}---\n")
    assert found == [(2, 4, "PM009")]
    assert timer.seconds < 10


# --------------------------------------------------------------------------- nesting


def block_mappings(levels: int) -> str:
    return "".join(" " * i + "k:\n" for i in range(levels)) + " " * levels + "k: x\n"


@pytest.mark.parametrize(
    ("front_matter", "where"),
    [
        # Depth 65 is reached by the key on the 64th level: file line 65.
        pytest.param(block_mappings(100), (65, 64, "PM011"), id="block-mappings-100"),
        pytest.param("a:\n  " + "- " * 100 + "x\n", (3, 129, "PM011"), id="block-seq-100"),
        pytest.param("a: " + "[" * 100 + "]" * 100 + "\n", (2, 67, "PM011"), id="flow-seq-100"),
        pytest.param("a: " + "{a: " * 100 + "}" * 100 + "\n", None, id="flow-map-100"),
        # libyaml stops at 1000 levels: the 1001st opening bracket.
        pytest.param(
            "a: " + "[" * 10_000 + "]" * 10_000 + "\n", (2, 1003, "PM011"), id="flow-seq-10000"
        ),
        pytest.param("a: " + "{a: " * 10_000 + "}" * 10_000 + "\n", None, id="flow-map-10000"),
        pytest.param("a:\n  " + "- " * 10_000 + "x\n", (3, 1999, "PM011"), id="block-seq-10000"),
        pytest.param("a: " + "[" * 10_000 + "\n", None, id="flow-unclosed-10000"),
    ],
)
def test_deep_nesting_is_refused_at_its_place(
    front_matter: str, where: tuple[int, int, str] | None
) -> None:
    with Timer() as timer:
        found = one(f"---\n{front_matter}---\n")
    assert len(found) == 1 and found[0][2] in ("PM005", "PM011"), found
    if where is not None:
        assert found == [where]
    assert timer.seconds < 10


def test_indented_block_nesting_of_ten_thousand_levels_does_not_hang() -> None:
    # Indented mappings cost O(levels^2) bytes: 10,000 levels make a 50 MB file.
    # libyaml stops at its limit of 1,000 levels, on the line of the 1,000th.
    with Timer() as timer:
        found = one(f"---\n{block_mappings(10_000)}---\n")
    assert [(line, code) for line, _, code in found] == [(1001, "PM011")]
    assert timer.seconds < 10


# --------------------------------------------------------------------------- size


FIVE_MB = 5 * 1024 * 1024


@pytest.mark.parametrize(
    "name",
    ["body-prose", "body-no-newline", "title", "no-front-matter", "unclosed-front-matter"],
)
def test_a_five_megabyte_line(name: str) -> None:
    words = ("word " * (FIVE_MB // 5)).strip()
    raw = {
        "body-prose": DRAFT + words + "\n",
        "body-no-newline": DRAFT + words,
        "title": DRAFT.replace(DRAFT_TITLE, f"title: {words}"),
        "no-front-matter": words,
        "unclosed-front-matter": "---\nid: A-1\ntitle: " + words,
    }[name].encode()
    assert len(raw) >= FIVE_MB - 10
    with Timer() as timer:
        found = one(raw)
    expected = {
        "body-prose": [],
        "body-no-newline": [],
        "title": [],
        "no-front-matter": [(1, 1, "PM002")],
        "unclosed-front-matter": [(1, 1, "PM003")],
    }[name]
    assert found == expected
    assert timer.seconds < 10


def test_a_fifty_thousand_line_body() -> None:
    raw = (DRAFT + "A line of plain prose about the incident.\n" * 50_000).encode()
    with Timer() as timer:
        assert one(raw) == []
    assert timer.seconds < 10


def test_a_fifty_thousand_line_front_matter_is_refused_quickly() -> None:
    tags = "".join(f"  - tag{i}\n" for i in range(50_000))
    raw = published("tags: [support, refunds]\n", "tags:\n" + tags).encode()
    with Timer() as timer:
        found = one(raw)
    assert [code for _, _, code in found] == ["PM009"]
    assert timer.seconds < 10


def test_a_long_front_matter_without_aliases_is_not_blamed_on_aliases() -> None:
    tags = "".join(f"  - tag{i}\n" for i in range(50_000))
    raw = published("tags: [support, refunds]\n", "tags:\n" + tags).encode()
    [problem] = check_archive([("x.md", raw)], settings()).diagnostics
    assert "alias" not in problem.message


def test_many_unknown_keys_are_reported_in_linear_time() -> None:
    keys = "".join(f"k{i}: v\n" for i in range(24_000))
    raw = DRAFT.replace("---\n", "---\n" + keys, 1).encode()
    assert finishes_within(6, check_bytes, raw)


# --------------------------------------------------------------------------- slow patterns


def test_a_template_slot_without_its_end_is_linear() -> None:
    raw = published().replace("## Analysis", "<a" + " " * 100_000 + "\n\n## Analysis").encode()
    assert finishes_within(2, check_bytes, raw)


@pytest.mark.parametrize("unit", ["![a](", "[", "<"])
def test_unclosed_links_and_tags_in_the_body_are_linear(unit: str) -> None:
    raw = (DRAFT + unit * 100_000 + "\n").encode()
    assert finishes_within(2, check_bytes, raw)


def test_many_ids_beside_code_spans_are_linear() -> None:
    raw = (DRAFT + "`x` TEST-2026-0002 " * 30_000 + "\n").encode()
    assert finishes_within(2, check_bytes, raw)


# --------------------------------------------------------------------------- control chars


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ufffe"])
def test_a_raw_control_character_is_a_diagnostic(char: str) -> None:
    found = one(f"---\nid: A-1\ntitle: a{char}b\n---\n")
    assert len(found) == 1 and found[0][0] == 3 and found[0][2] < "PM100", found


def test_a_raw_control_character_fails_the_build_without_a_traceback(tmp_path: Path) -> None:
    site = Site(tmp_path / "site", TODAY)
    site.add("bell.md", DRAFT.replace(DRAFT_TITLE, "title: a\x07b"))
    result = site.build()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "docs/postmortems/bell.md:3:" in result.stderr


ESCAPED_TITLE = (
    r'"Invoice \u202Egnp.exe, \u2066isolated, \u202Bembedded, \u200Fmark, '
    r'bell\a esc\e del\x7F nul\0 \x01\x1F zw\u200B\u200D end"'
)
TITLE = (
    "Invoice \u202egnp.exe, \u2066isolated, \u202bembedded, \u200fmark, "
    "bell\x07 esc\x1b del\x7f nul\x00 \x01\x1f zw\u200b\u200d end"
)
RAW_BIDI_TITLE = "Raw \u202eoverride \u2067and isolate"


def test_escaped_control_and_bidi_characters_read_verbatim() -> None:
    document = read("x.md", DRAFT.replace(DRAFT_TITLE, f"title: {ESCAPED_TITLE}").encode())
    assert document.problems == []
    assert document.data is not None and document.data["title"] == TITLE
    assert codes(DRAFT.replace(DRAFT_TITLE, f"title: {ESCAPED_TITLE}")) == []


def test_raw_bidi_characters_are_printable_yaml() -> None:
    document = read("x.md", DRAFT.replace(DRAFT_TITLE, f"title: {RAW_BIDI_TITLE}").encode())
    assert document.problems == []
    assert document.data is not None and document.data["title"] == RAW_BIDI_TITLE


# Inline elements continue a bidi paragraph; any other element, and a <br>, ends it.
_INLINE = frozenset(
    {"a", "abbr", "b", "cite", "code", "data", "del", "dfn", "em", "i", "img", "ins", "kbd"}
    | {"mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"}
    | {"wbr"}
)
_HIDDEN = frozenset({"script", "style", "template", "svg"})


class Paragraphs(HTMLParser):
    """The text of each bidi paragraph of a page, as a browser would render it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[str, str]] = []  # (where, text)
        self._current: list[str] = []
        self._stack: list[str] = []
        self._hidden = 0

    def _flush(self) -> None:
        text = "".join(self._current)
        if text.strip():
            self.paragraphs.append(("/".join(self._stack[-3:]), text))
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        isolating = tag in ("bdi", "bdo") or any(name == "dir" for name, _ in attrs)
        if tag not in _INLINE or isolating:
            self._flush()
        if tag not in ("br", "img", "meta", "link", "input", "hr", "wbr"):
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        if tag not in _INLINE or tag in ("bdi", "bdo"):
            self._flush()
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def paragraphs(path: Path) -> list[tuple[str, str]]:
    parser = Paragraphs()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.paragraphs


def leaks(path: Path, title: str) -> Iterator[str]:
    """Text that a title's unclosed override or isolate would reorder: text after the
    title in the same bidi paragraph, unless an isolate's end (U+2069) closes it first."""
    for where, text in paragraphs(path):
        start = text.find(title)
        while start >= 0:
            after = text[start + len(title) :]
            if after.strip() and not after.startswith("\u2069"):
                yield f"{where}: {after.strip()[:60]!r}"
            start = text.find(title, start + 1)


@pytest.fixture(scope="module")
def bidi_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("bidi") / "site", TODAY)
    site.add(
        "escaped.md",
        published(
            "title: Support assistant quoted a refund rule that does not exist",
            f"title: {ESCAPED_TITLE}",
        ),
    )
    site.add(
        "raw.md",
        published(
            "title: Support assistant quoted a refund rule that does not exist",
            f"title: {RAW_BIDI_TITLE}",
        ).replace("TEST-2026-0001", "TEST-2026-0003"),
    )
    result = site.build()
    assert result.returncode == 0, result.stderr
    return site


@pytest.mark.parametrize(("page", "title"), [("escaped", TITLE), ("raw", RAW_BIDI_TITLE)])
def test_a_bidi_title_appears_verbatim_as_text(bidi_site: Site, page: str, title: str) -> None:
    built = bidi_site.root / "site" / "postmortems"
    for path in (built / page / "index.html", built / "index.html", built / "tags" / "support"):
        path = path / "index.html" if path.is_dir() else path
        texts = [text for _, text in paragraphs(path)]
        assert any(title in text for text in texts), path
    exported = json.loads((built / "incidents.json").read_text(encoding="utf-8"))
    assert title in [incident["title"] for incident in exported["incidents"]]


@pytest.mark.parametrize(("page", "title"), [("escaped", TITLE), ("raw", RAW_BIDI_TITLE)])
def test_a_bidi_title_reorders_nothing_in_the_page_body(
    bidi_site: Site, page: str, title: str
) -> None:
    built = bidi_site.root / "site" / "postmortems"
    for path in sorted(built.rglob("*.html")):
        found = [leak for leak in leaks(path, title) if "head" not in leak.split(":")[0]]
        assert found == [], path


def test_a_bidi_title_does_not_reorder_the_window_title(bidi_site: Site) -> None:
    page = bidi_site.root / "site" / "postmortems" / "raw" / "index.html"
    assert list(leaks(page, RAW_BIDI_TITLE)) == []


# --------------------------------------------------------------------------- wrong lines


def test_a_line_separator_in_a_value_keeps_line_numbers() -> None:
    assert one(LINE_SEPARATOR_REPRO) == [(4, 1, "PM007")]


def test_a_line_separator_in_a_plain_value_is_reported_on_its_line() -> None:
    found = one("---\nid: A-1\ntitle: a\u2028b\n---\n")
    assert [line for line, _, _ in found] == [3]


def test_an_invalid_byte_with_cr_line_endings_is_on_its_line() -> None:
    assert one(CR_ONLY_REPRO) == [(3, 1, "PM001")]


def test_an_invalid_byte_after_a_bom_is_named_and_placed_right() -> None:
    [problem] = check_archive([("x.md", BOM_REPRO)], settings()).diagnostics
    assert (problem.line, problem.column) == (2, 6)
    assert "0xff" in problem.message


# --------------------------------------------------------------------------- crashes


@pytest.mark.parametrize("moment", [OVERFLOW_REPRO, "9999-12-31T23:59-23:59"])
def test_a_moment_out_of_range_after_its_zone_is_a_diagnostic(moment: str) -> None:
    raw = DRAFT.replace("occurred: 2026-04-01", f"occurred: {moment}")
    assert one(raw) != []


@pytest.mark.parametrize("aware", ["9999-12-30", "9999-12-30T23:00Z"])
def test_an_art_73_due_date_past_the_calendar_fails_the_build_at_aware(
    tmp_path: Path, aware: str
) -> None:
    """`aware` near the end of year 9999 matches the schema, but its due date does not
    exist: one line at `aware`, no traceback, in `validate` and in `mkdocs build`."""
    block = (
        "regulatory:\n  eu_ai_act:\n    serious_incident: true\n    category: health\n"
        f"    aware: {aware}\n"
    )
    text = published().replace("reviewers:", block + "reviewers:", 1)
    line = text.splitlines().index(f"    aware: {aware}") + 1
    assert (line, 12, "PM506") in one(text)
    site = Site(tmp_path / "site", TODAY)
    site.add("far.md", text)
    result = site.build()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"docs/postmortems/far.md:{line}:12: error PM506" in result.stderr
    validate = site.validate()
    assert "Traceback" not in validate.stderr + validate.stdout
    assert f"far.md:{line}:12: error PM506" in validate.stdout + validate.stderr


def test_a_list_as_layer_is_a_diagnostic() -> None:
    assert ("PM103" in codes(LAYER_REPRO)) or ("PM102" in codes(LAYER_REPRO))


def test_a_list_as_action_item_status_is_a_diagnostic() -> None:
    assert ("PM103" in codes(ITEM_STATUS_REPRO)) or ("PM102" in codes(ITEM_STATUS_REPRO))


def test_an_id_with_a_final_newline_is_refused() -> None:
    assert [(line, code) for line, _, code in one(DOLLAR_REPRO)] == [(2, "PM104")]


def test_an_id_that_fails_the_pattern_never_joins_the_archive() -> None:
    sources = [(f"t{n}.md", traversal_draft(i).encode()) for n, i in enumerate(TRAVERSAL_IDS)]
    report = check_archive(sources, settings())
    archive = Archive.build(report.documents, settings().schema, settings().today)
    assert archive.incidents == []


# --------------------------------------------------------------------------- page slugs


@pytest.mark.parametrize(
    ("first", "second"),
    [(ModelRef("x (y)", "z"), ModelRef("x", "y) (z")), (ModelRef("x (y)"), ModelRef("x", "y"))],
)
def test_two_models_never_share_a_page(first: ModelRef, second: ModelRef) -> None:
    layout = Layout("postmortems")
    assert layout.model(first.name) != layout.model(second.name)


@pytest.mark.parametrize("text", ["A", "index", "C++"])
def test_a_plain_tag_never_takes_the_page_of_another(text: str) -> None:
    """A hashed slug is never a plain name, so no tag can be named like another's page."""
    layout = Layout("postmortems")
    name = layout.tag(text).removeprefix("postmortems/tags/").removesuffix(".md")
    assert name != text
    assert layout.tag(name) != layout.tag(text)


def test_colliding_tags_build(tmp_path: Path) -> None:
    site = Site(tmp_path / "site", TODAY)
    site.add("a.md", published("tags: [support, refunds]", f"tags: [A, {slug('A')}]"))
    assert site.validate().returncode == 0
    result = site.build()
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- ids as paths


TRAVERSAL_IDS = [
    "../../etc/passwd",
    "..\\x",
    "AIPM-2026-0001/../../x",
    "AIPM-2026-0001\\..\\..\\x",
    "/etc/passwd",
    "C:\\Windows\\x",
    "..",
    "AIPM-2026-0001/..",
    "%2e%2e/x",
    "ABSOLUTE",  # replaced by a path into the test's folder
]


def traversal_draft(incident_id: str) -> str:
    return DRAFT.replace("id: TEST-2026-0002", f"id: {json.dumps(incident_id)}")


@pytest.mark.parametrize("incident_id", TRAVERSAL_IDS[:-1])
def test_an_id_like_a_path_is_an_error_at_the_id_line(incident_id: str) -> None:
    assert one(traversal_draft(incident_id)) == [(2, 5, "PM104")]


def _snapshot(root: Path, skip: Path) -> set[Path]:
    return {p for p in root.rglob("*") if skip not in p.parents and p != skip}


@pytest.mark.parametrize("fail_on", ["error", "never"])
def test_ids_like_paths_write_nothing_outside_the_site(tmp_path: Path, fail_on: str) -> None:
    site = Site(tmp_path / "site", f"{TODAY}\nfail_on: {fail_on}")
    target = tmp_path / "pwned"
    ids = [*TRAVERSAL_IDS[:-1], str(target / "x")]
    for number, incident_id in enumerate(ids):
        site.add(f"t{number}.md", traversal_draft(incident_id))
    site.add("good.md", DRAFT)
    built = site.root / "site"
    before = _snapshot(tmp_path, built)
    result = site.build()
    assert "Traceback" not in result.stderr
    for number in range(len(ids)):
        assert f"docs/postmortems/t{number}.md:2:5: error PM104" in result.stderr
    assert _snapshot(tmp_path, built) == before
    assert not target.exists()
    if fail_on == "error":
        assert result.returncode == 1
        return
    assert result.returncode == 0, result.stderr
    for path in built.rglob("*"):
        assert built in path.resolve().parents
    exported = json.loads((built / "postmortems" / "incidents.json").read_text())
    assert [incident["id"] for incident in exported["incidents"]] == ["TEST-2026-0002"]
    assert (built / "postmortems" / "t0" / "index.html").exists()


def test_new_refuses_an_id_like_a_path_even_when_the_pattern_allows_it(tmp_path: Path) -> None:
    site = Site(tmp_path / "site", f'{TODAY}\nid_pattern: "^.+$"')
    before = _snapshot(tmp_path, tmp_path / "nothing")
    for incident_id in ("../../escape", "/tmp/escape", "..\\escape", "a/../../escape"):
        result = site.run("mkdocs_postmortem", "new", "--id", incident_id)
        assert result.returncode != 0, incident_id
        assert "Traceback" not in result.stderr
    assert _snapshot(tmp_path, tmp_path / "nothing") == before


# --------------------------------------------------------------------------- symlinks


@pytest.fixture(scope="module")
def linked_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, str, str]:
    """A postmortem and a folder reached through symlinks from outside `docs_dir`."""
    root = tmp_path_factory.mktemp("links")
    site = Site(root / "site", TODAY)
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(
        published().replace("TEST-2026-0001", "SECRET-2026-0001"), encoding="utf-8"
    )
    folder = root / "outside-folder"
    folder.mkdir()
    (folder / "other.md").write_text(
        published().replace("TEST-2026-0001", "SECRET-2026-0002"), encoding="utf-8"
    )
    (folder / "passwd.txt").write_text("root:x:0:0\n", encoding="utf-8")
    os.symlink(outside / "secret.md", site.archive / "linked.md")
    os.symlink(folder, site.archive / "linked-folder")
    site.add("real.md", DRAFT)
    build = site.build()
    assert build.returncode == 0, build.stderr
    strict = site.build("--strict")
    validate = site.validate()
    return site, strict.stderr + f"\nexit {strict.returncode}", validate.stdout + validate.stderr


def test_mkdocs_follows_symlinks_out_of_docs_dir(linked_site: tuple[Site, str, str]) -> None:
    """What MkDocs 1.6 does by itself: `get_files` walks `docs_dir` with
    `os.walk(followlinks=True)` and `File` keeps the path inside `docs_dir`, so files
    behind a symlink are read, rendered and copied like any other."""
    site, _, _ = linked_site
    built = site.root / "site" / "postmortems"
    assert "SECRET-2026-0001" in (built / "linked" / "index.html").read_text()
    assert "SECRET-2026-0002" in (built / "linked-folder" / "other" / "index.html").read_text()
    assert (built / "linked-folder" / "passwd.txt").read_text() == "root:x:0:0\n"


@pytest.mark.parametrize("name", ["linked.md", "linked-folder"])
def test_a_postmortem_from_outside_docs_dir_is_not_published_silently(
    linked_site: tuple[Site, str, str], name: str
) -> None:
    _, strict, validate = linked_site
    assert "exit 1" in strict
    assert any(name in line for line in strict.splitlines() if "WARNING" in line or "ERROR" in line)
    assert name in validate


def test_a_symlink_loop_ends_and_fails_loudly(tmp_path: Path) -> None:
    site = Site(tmp_path / "site", TODAY)
    site.add("real.md", DRAFT)
    os.symlink("..", site.archive / "loop")
    with Timer() as timer:
        result = site.build()
    assert timer.seconds < 30
    assert result.returncode == 1
    assert "PM201" in result.stderr
    assert "Traceback" not in result.stderr

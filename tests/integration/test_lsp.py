"""`mkdocs-postmortem lsp`, driven over stdio as an editor drives it: initialize,
didOpen, didChange, completion, hover, codeAction, shutdown, exit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import Site, fixture_text
from lsp_client import LspClient

from mkdocs_postmortem.catalogs import catalog
from mkdocs_postmortem.reference import fields
from mkdocs_postmortem.schema import SchemaInForce
from mkdocs_postmortem.tidy import tidy

pytest.importorskip("pygls")

DIAGNOSTICS = "textDocument/publishDiagnostics"


@pytest.fixture
def site(make_site) -> Site:
    site = make_site('today: "2026-11-27"')
    site.add("published.md", fixture_text("published.md"))
    site.add("draft.md", fixture_text("draft.md"))
    return site


@pytest.fixture
def client(site: Site):
    client = LspClient(site.root)
    client.initialize()
    yield client
    assert client.close() == 0


def at(text: str, needle: str) -> dict[str, int]:
    """The LSP position just after the first `needle` in `text` (ASCII text)."""
    before = text[: text.index(needle) + len(needle)]
    return {"line": before.count("\n"), "character": len(before.rsplit("\n", 1)[-1])}


def apply(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply LSP text edits to ASCII text, last first."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(position: dict[str, int]) -> int:
        return offsets[position["line"]] + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def codes(params: dict[str, Any]) -> list[str]:
    return [d["code"] for d in params["diagnostics"]]


def test_diagnostics_follow_each_change_at_the_right_place(client: LspClient, site: Site) -> None:
    path = site.archive / "draft.md"
    uri = client.open(path)
    assert client.wait_for(DIAGNOSTICS, uri)["diagnostics"] == []

    text = path.read_text().replace("severity: sev4", "severity: sev44")
    client.change(uri, text)
    published = client.wait_for(DIAGNOSTICS, uri)
    assert published["version"] == 2
    [diagnostic] = published["diagnostics"]
    assert diagnostic["code"] == "PM102"
    assert diagnostic["source"] == "postmortem"
    assert diagnostic["severity"] == 1  # error
    assert diagnostic["range"] == {
        "start": {"line": 4, "character": 10},
        "end": {"line": 4, "character": 15},
    }
    assert "did you mean 'sev4'" in diagnostic["message"]

    client.change(uri, path.read_text())
    assert client.wait_for(DIAGNOSTICS, uri)["diagnostics"] == []


def test_rules_across_the_archive_reach_the_other_open_file(client: LspClient, site: Site) -> None:
    draft, published = site.archive / "draft.md", site.archive / "published.md"
    draft_uri = client.open(draft)
    client.wait_for(DIAGNOSTICS, draft_uri)
    published_uri = client.open(published)
    assert client.wait_for(DIAGNOSTICS, published_uri)["diagnostics"] == []

    # The draft takes the published postmortem's id: the duplicate is reported in the
    # published file, which the author did not touch, as soon as the draft changes.
    text = draft.read_text().replace("TEST-2026-0002", "TEST-2026-0001")
    client.change(draft_uri, text)
    assert "PM201" in codes(client.wait_for(DIAGNOSTICS, published_uri))

    # An unknown `related` id, in the edited file.
    text = draft.read_text().replace("status: draft", "status: draft\nrelated: [TEST-2026-0099]")
    client.change(draft_uri, text)
    draft_problems = client.wait_for(DIAGNOSTICS, draft_uri)
    assert codes(draft_problems) == ["PM202"]
    assert draft_problems["diagnostics"][0]["range"]["start"]["line"] == 4
    # and the duplicate is gone from the published one.
    assert client.wait_for(DIAGNOSTICS, published_uri)["diagnostics"] == []


def test_completion_of_enums_ids_taxonomy_and_models(client: LspClient, site: Site) -> None:
    schema = SchemaInForce.load()
    path = site.archive / "draft.md"
    text = path.read_text().replace(
        "status: draft\n",
        "status: \nrelated: [\ntaxonomy:\n  owasp_llm: [\nai_system:\n  models:\n    - name: \n"
        "impact:\n  description: x\n  us\n",
    )
    uri = client.open(path, text)
    client.wait_for(DIAGNOSTICS, uri)

    def labels(needle: str) -> dict[str, str]:
        result = client.request(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": at(text, needle)}
        )
        return {item["label"]: item.get("detail", "") for item in result["items"]}

    assert list(labels("status: ")) == list(schema.lifecycle())
    assert labels("related: [") == {
        "TEST-2026-0001": "Support assistant quoted a refund rule that does not exist"
    }
    owasp = labels("owasp_llm: [")
    entry = catalog("owasp_llm").nameable[0]
    assert owasp[entry.id] == entry.name
    assert labels("- name: ") == {"example-chat": "a model named in the archive"}
    # Keys of the mapping being written, in schema order, less those written already.
    keys = [entry.name for entry in fields(schema, ("impact",))]
    assert list(labels("  us")) == [key for key in keys if key != "description"]


def test_hover_shows_the_schema_description_and_the_layer_questions(
    client: LspClient, site: Site
) -> None:
    schema = SchemaInForce.load()
    path = site.archive / "published.md"
    text = path.read_text()
    uri = client.open(path)
    client.wait_for(DIAGNOSTICS, uri)

    def hover(needle: str) -> str:
        result = client.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": at(text, needle)}
        )
        return str(result["contents"]["value"])

    described = schema.schema["properties"]["detection"]["description"]
    assert described in hover("\ndetection")
    questions = schema.schema["$defs"]["factor_layer"]["x-questions"]
    assert questions["retrieval"] in hover("layer: retr")
    layer_key = hover("  - layer")
    assert all(question in layer_key for question in questions.values())


def actions(client: LspClient, uri: str, diagnostics: list[dict[str, Any]]) -> dict[str, Any]:
    result = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": diagnostics[0]["range"]
            if diagnostics
            else {
                "start": {"line": 0, "character": 0},
                "end": {"line": 0, "character": 0},
            },
            "context": {"diagnostics": diagnostics},
        },
    )
    return {action["title"]: action for action in result}


def edits(action: dict[str, Any], uri: str) -> list[dict[str, Any]]:
    return list(action["edit"]["changes"][uri])


def test_code_actions_apply_did_you_mean_and_a_reframing(client: LspClient, site: Site) -> None:
    path = site.archive / "draft.md"
    text = path.read_text().replace("severity: sev4", "severity: sev44")
    text = text.replace("Notes so far.", "It was human error.")
    uri = client.open(path, text)
    diagnostics = client.wait_for(DIAGNOSTICS, uri)["diagnostics"]
    assert sorted(codes({"diagnostics": diagnostics})) == ["PM102", "PM401"]

    typo = next(d for d in diagnostics if d["code"] == "PM102")
    found = actions(client, uri, [typo])
    fix = found["Change sev44 to sev4"]
    assert fix["diagnostics"] == [typo]
    fixed = apply(text, edits(fix, uri))
    assert fixed == text.replace("sev44", "sev4")

    blame = next(d for d in diagnostics if d["code"] == "PM401")
    [reframe] = [a for title, a in actions(client, uri, [blame]).items() if "Reframe" in title]
    reframed = apply(text, edits(reframe, uri))
    assert "human error" not in reframed
    assert "It was <describe the conditions" in reframed

    # Applied, the editor sends the new text: the problems are gone.
    client.change(uri, fixed.replace("human error", "a release without a check"))
    assert client.wait_for(DIAGNOSTICS, uri)["diagnostics"] == []


def test_code_actions_insert_the_next_status_keys_and_remove_template_lines(
    client: LspClient, site: Site
) -> None:
    assert site.run("mkdocs_postmortem", "new", "--title", "Bot leaked a prompt").returncode == 0
    [path] = [p for p in site.archive.glob("*.md") if p.name not in ("draft.md", "published.md")]
    text = path.read_text()
    uri = client.open(path)
    assert client.wait_for(DIAGNOSTICS, uri)["diagnostics"] == []
    found = actions(client, uri, [])

    [tidy_title] = [title for title in found if title.startswith("Remove the template")]
    assert apply(text, edits(found[tidy_title], uri)) == tidy(text)

    schema = SchemaInForce.load()
    following = schema.lifecycle()[1]
    [insert_title] = [title for title in found if title.startswith("Insert the keys")]
    assert repr(following) in insert_title
    client.change(uri, text.replace("status: draft", f"status: {following}", 1))
    before = client.wait_for(DIAGNOSTICS, uri)["diagnostics"]
    assert "PM101" in codes({"diagnostics": before})  # what the action is for

    inserted = apply(text, edits(found[insert_title], uri))
    promoted = inserted.replace("status: draft", f"status: {following}", 1)
    client.change(uri, promoted)
    missing = [d for d in client.wait_for(DIAGNOSTICS, uri)["diagnostics"] if d["code"] == "PM101"]
    assert missing == []


def test_files_outside_the_archive_are_left_alone(client: LspClient, site: Site) -> None:
    home = client.open(site.docs / "index.md")
    draft = client.open(site.archive / "draft.md")
    first = client.wait_for(DIAGNOSTICS)
    assert first["uri"] == draft
    assert home != draft


def test_a_broken_configuration_is_a_message_not_a_crash(make_site) -> None:
    site = make_site("fail_on: sometimes")
    site.add("draft.md", fixture_text("draft.md"))
    client = LspClient(site.root)
    client.initialize()
    draft = site.archive / "draft.md"
    uri = client.open(draft)
    message = client.wait_for("window/showMessage")
    assert message["type"] == 1
    assert "fail_on" in message["message"]
    assert "Traceback" not in client.stderr.decode()

    # Fixed, the configuration is read again at the next change.
    site.write_config('today: "2026-11-27"')
    client.change(uri, draft.read_text().replace("sev4", "sev44"))
    assert codes(client.wait_for(DIAGNOSTICS, uri)) == ["PM102"]
    assert client.close() == 0


def test_lsp_without_pygls_says_how_to_install_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    blocker = tmp_path / "pygls"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('pygls is not installed')\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs_postmortem", "lsp"],
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "pip install 'mkdocs-postmortem[lsp]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_save_reads_files_changed_outside_the_editor(client: LspClient, site: Site) -> None:
    draft = site.archive / "draft.md"
    uri = client.open(draft)
    assert client.wait_for(DIAGNOSTICS, uri)["diagnostics"] == []
    # Another tool (git, `new`) writes a file with the draft's id.
    site.add("copy.md", draft.read_text())
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    found = client.wait_for(DIAGNOSTICS, uri)["diagnostics"]
    assert [d["code"] for d in found] == ["PM201"]
    assert "docs/postmortems/copy.md" in found[0]["message"]
    site.archive.joinpath("copy.md").unlink()
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert client.wait_for(DIAGNOSTICS, uri)["diagnostics"] == []


def test_hostile_text_gets_diagnostics_not_a_dead_server(client: LspClient, site: Site) -> None:
    draft = site.archive / "draft.md"
    uri = client.open(draft)
    client.wait_for(DIAGNOSTICS, uri)
    for text, code in (
        ("---\nid: \ud800\n---\n", "PM001"),  # a lone surrogate, which JSON allows
        ("---\n" + "key: [" * 5000 + "\n---\n", None),
        ("---\n- a\n- b\n---\n" + "x" * 200_000, "PM006"),
        ("", "PM002"),
    ):
        client.change(uri, text)
        found = codes(client.wait_for(DIAGNOSTICS, uri))
        assert found, text[:20]
        if code is not None:
            assert code in found
        position = {"line": 1, "character": 4}
        client.request(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": position}
        )
        client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})
        client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": position, "end": position},
                "context": {"diagnostics": []},
            },
        )


def test_quick_fixes_answer_a_missing_key_and_template_leftovers(
    client: LspClient, site: Site
) -> None:
    assert site.run("mkdocs_postmortem", "new", "--title", "Bot leaked a prompt").returncode == 0
    [path] = [p for p in site.archive.glob("*.md") if p.name not in ("draft.md", "published.md")]
    published = SchemaInForce.load().published_statuses()[0]
    text = path.read_text().replace("status: draft", f"status: {published}", 1)
    uri = client.open(path, text)
    diagnostics = client.wait_for(DIAGNOSTICS, uri)["diagnostics"]
    missing = [d for d in diagnostics if d["code"] == "PM101" and d["data"]["field"].isidentifier()]
    assert missing
    found = actions(client, uri, diagnostics)

    first = missing[0]
    name = first["data"]["field"]
    fix = found[f"Insert {name!r}"]
    assert fix["diagnostics"] == [first]
    client.change(uri, apply(text, edits(fix, uri)))
    after = client.wait_for(DIAGNOSTICS, uri)["diagnostics"]
    assert not [d for d in after if d["code"] == "PM101" and d["message"].startswith(f"{name}:")]

    [tidy_action] = [a for title, a in found.items() if title.startswith("Remove the template")]
    [leftover] = tidy_action["diagnostics"]
    assert leftover["code"] == "PM303"
    assert "template line(s)" in leftover["message"]


def test_diagnostics_within_a_second_of_a_change_at_1000_postmortems(tmp_path: Path) -> None:
    import statistics
    import sys
    import time

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from build import make_site as make_archive
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    make_archive(tmp_path, 1000, "plugin")
    path = tmp_path / "docs" / "postmortems" / "pm-00500.md"
    text = path.read_text()
    broken = text.replace("severity: sev2", "severity: sev22", 1)
    line = broken.split("\n").index("severity: sev22")
    client = LspClient(tmp_path)
    client.initialize()
    uri = client.open(path)
    assert client.wait_for(DIAGNOSTICS, uri, timeout=300)["diagnostics"] == []
    times = []
    for number in range(6):
        start = time.perf_counter()
        client.change(uri, broken if number % 2 == 0 else text)
        found = client.wait_for(DIAGNOSTICS, uri)["diagnostics"]
        times.append(time.perf_counter() - start)
        if number % 2 == 0:
            assert [(d["code"], d["range"]["start"]["line"]) for d in found] == [("PM102", line)]
        else:
            assert found == []
    assert client.close() == 0
    assert statistics.median(times) < 1.0, times


def test_completion_follows_the_organisations_schema(make_site) -> None:
    import json

    from mkdocs_postmortem import builtin_schema

    builtin = builtin_schema()["$defs"]
    severities = ["sev0", *builtin["severity"]["enum"]]
    categories = [*builtin["action_category"]["enum"], "red_teaming"]
    site = make_site('today: "2026-11-27"\nschema: org.schema.json')
    (site.root / "org.schema.json").write_text(
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$defs": {
                    "severity": {"enum": severities},
                    "action_category": {"enum": categories},
                },
            }
        )
    )
    path = site.add("published.md", fixture_text("published.md"))
    site.add("draft.md", fixture_text("draft.md"))
    text = path.read_text()
    client = LspClient(site.root)
    client.initialize()
    uri = client.open(path)
    assert client.wait_for(DIAGNOSTICS, uri)["diagnostics"] == []

    def labels(needle: str) -> list[str]:
        result = client.request(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": at(text, needle)}
        )
        return [item["label"] for item in result["items"]]

    assert labels("severity: ") == severities
    assert labels("    category: ") == categories
    assert client.close() == 0


def test_the_servers_report_is_the_builds_after_any_edit(make_site) -> None:
    """The server keeps each document's check and model; what it reports is still what
    `validate` reports for the same files, across documents included (PM201, PM202,
    PM214)."""
    from cases import draft

    from mkdocs_postmortem.cli import Site as ValidatedSite
    from mkdocs_postmortem.lsp import Archive

    def case(incident_id: str, occurred: str, extra: str = "") -> str:
        text = draft(
            incident_id,
            "failure_modes: [hallucination]\ncontributing_factors:\n  - layer: guardrail\n"
            f"    description: A cause.\nai_system:\n  name: Bot\n{extra}",
        )
        return text.replace("occurred: 2026-01-01", f"occurred: {occurred}")

    done = "action_items:\n  - id: A1\n    title: Fix\n    category: guardrail\n    status: done\n"
    site = make_site('today: "2026-11-27"')
    files = {
        "a.md": case("A-0001", "2025-01-01", done),
        "b.md": case("A-0002", "2025-03-01"),
        "c.md": case("A-0003", "2025-05-01", "related: [A-0009]\n"),
    }
    for name, text in files.items():
        site.add(name, text)
    config = str(site.root / "mkdocs.yml")
    archive = Archive(config)

    def same_as_validate() -> list[str]:
        expected = ValidatedSite(config).check()[0].diagnostics
        assert archive.report().diagnostics == expected
        return sorted({d.code for d in expected})

    assert {"PM202", "PM214"} <= set(same_as_validate())
    edits = [
        ("b.md", files["b.md"].replace("A-0002", "A-0001")),  # a duplicate id
        ("a.md", files["a.md"].replace("status: done", "status: open")),  # PM214 goes
        ("b.md", files["b.md"]),
        ("c.md", files["c.md"].replace("A-0009", "A-0002")),
    ]
    seen = set()
    for name, text in edits:
        site.add(name, text)  # what the editor holds is what validate reads
        archive.edit(f"docs/postmortems/{name}", text.encode())
        seen.update(same_as_validate())
    assert {"PM201", "PM214"} <= seen


def test_a_server_running_past_midnight_checks_what_is_overdue_again(make_site) -> None:
    import datetime as dt
    from dataclasses import replace

    from cases import draft

    from mkdocs_postmortem.lsp import Archive

    today = dt.datetime.now(dt.timezone.utc).date()
    due = today - dt.timedelta(days=1)
    item = f"action_items:\n  - id: A1\n    title: Fix\n    category: guardrail\n    due: {due}\n"
    site = make_site()  # no `today` option: the server's clock decides
    site.add("a.md", draft("A-0001", item))
    other = draft("A-0002")
    site.add("b.md", other)
    archive = Archive(str(site.root / "mkdocs.yml"))
    assert "PM207" in {d.code for d in archive.report().diagnostics}

    # As if the server had checked the files two days ago, when nothing was overdue.
    archive.settings = replace(archive.settings, today=today - dt.timedelta(days=2))
    archive._checked.clear()
    archive.rescan()
    assert "PM207" not in {d.code for d in archive.report().diagnostics}

    # A change to another file, today: the overdue item is found in the file not edited.
    archive.edit("docs/postmortems/b.md", other.encode())
    overdue = [d for d in archive.report().diagnostics if d.code == "PM207"]
    assert [d.path for d in overdue] == ["docs/postmortems/a.md"]


def test_open_files_outside_the_archive_do_not_list_it_again_at_each_change(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lsprotocol import types
    from pygls.uris import from_fs_path
    from pygls.workspace import Workspace

    from mkdocs_postmortem.lsp import Archive, PostmortemServer

    server = PostmortemServer(str(site.root / "mkdocs.yml"))
    server.protocol._workspace = Workspace(from_fs_path(str(site.root)))
    monkeypatch.setattr(server, "text_document_publish_diagnostics", lambda params: None)
    rescans = []
    listed = Archive.rescan
    monkeypatch.setattr(Archive, "rescan", lambda self: rescans.append(1) or listed(self))
    site.docs.joinpath("about.md").write_text("# About\n")
    opened = [site.docs / "index.md", site.docs / "about.md", site.archive / "draft.md"]
    uris = []
    for file in opened:
        uri = from_fs_path(str(file))
        assert uri is not None
        server.workspace.put_text_document(
            types.TextDocumentItem(
                uri=uri, language_id="markdown", version=1, text=file.read_text()
            )
        )
        uris.append(uri)
    server.check(uris[-1])  # lists the archive, then each home page once
    before = len(rescans)
    for _ in range(3):
        server.check(uris[-1])
    assert len(rescans) == before  # a change reads the one file changed, not the archive

    # A save looks again at the file saved, once.
    server.saved(uris[0])
    server.check(uris[0], rescan=True)
    server.check(uris[-1])
    assert len(rescans) == before + 1

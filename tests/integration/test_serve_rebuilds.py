"""What `mkdocs serve` keeps from one build for the next (`publish.Earlier`): a rebuild
makes again only the pieces whose makings changed, and its site is the site a fresh
build makes of the same files."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cases import published
from conftest import Site
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort

from mkdocs_postmortem import archive, publish
from mkdocs_postmortem.render import ahead
from mkdocs_postmortem.render.pages import Renderer

TODAY = 'today: "2026-11-27"'
SERVE_URL = "http://127.0.0.1:8000/"


class Served:
    """A site built as `mkdocs serve` builds it: one plugin instance across builds."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.site_dir = site.root / "served"
        config = self._config()
        config.plugins.on_startup(command="serve", dirty=False)
        self._first = config

    def _config(self) -> MkDocsConfig:
        return load_config(str(self.site.root / "mkdocs.yml"), site_dir=str(self.site_dir))

    def build(self) -> None:
        config, self._first = self._first or self._config(), None
        build(config, serve_url=SERVE_URL)

    def page(self, name: str) -> str:
        return (self.site_dir / "postmortems" / name / "index.html").read_text()


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids whose card and details were made, in order."""
    ids: list[str] = []
    real = Renderer.additions

    def counted(self: Renderer, incident, page):  # type: ignore[no-untyped-def]
        ids.append(incident.id)
        return real(self, incident, page)

    monkeypatch.setattr(Renderer, "additions", counted)
    return ids


@pytest.fixture
def served(make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    site = make_site(TODAY)
    # The first names the second as related, so its page shows the second's title.
    related = "status: published\nrelated: [TEST-2026-0002]\n"
    site.add("one.md", published("TEST-2026-0001", "status: published\n", related))
    site.add("two.md", published("TEST-2026-0002", "title: Support", "title: Second support"))
    site.add("three.md", published("TEST-2026-0003", "tags: [support, refunds]", "tags: [x]"))
    yield Served(site)
    assert gc.get_freeze_count() == 0  # the collector walks every object again


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file of a built site, by path, without the build date themes stamp."""
    return {
        str(path.relative_to(folder)): re.sub(rb"Build Date UTC : [^\n]*", b"", path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def fresh_build(site: Site) -> dict[str, bytes]:
    result = site.build("-d", str(site.root / "fresh"))
    assert result.returncode == 0, result.stderr
    return files_of(site.root / "fresh")


def test_a_text_edit_makes_nothing_of_the_archive_again(
    served: Served, made: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    similar: list[int] = []  # the archives whose similar incidents were worked out
    real = archive.similar_incidents

    def counted(incidents, *args):  # type: ignore[no-untyped-def]
        similar.append(len(incidents))
        return real(incidents, *args)

    monkeypatch.setattr(archive, "similar_incidents", counted)
    served.build()
    assert sorted(made) == ["TEST-2026-0001", "TEST-2026-0002", "TEST-2026-0003"]
    assert similar == [3]
    made.clear()
    path = served.site.archive / "three.md"
    path.write_text(path.read_text() + "\nA sentence written while serving.\n")
    served.build()
    assert made == []
    assert similar == [3]
    assert "A sentence written while serving." in served.page("three")
    assert files_of(served.site_dir) == fresh_build(served.site)


def test_a_front_matter_edit_makes_again_what_shows_it(served: Served, made: list[str]) -> None:
    served.build()
    # The pages that name the second: the first lists it as related; the third may
    # list it as similar.
    naming = {"one", "two"} | ({"three"} if "Second support" in served.page("three") else set())
    made.clear()
    path = served.site.archive / "two.md"
    path.write_text(path.read_text().replace("title: Second support", "title: Renamed case"))
    served.build()
    assert sorted(made) == [
        f"TEST-2026-000{n}" for n in (1, 2, 3) if ("one", "two", "three")[n - 1] in naming
    ]
    assert "Renamed case" in served.page("one")
    assert "Renamed case" in (served.site_dir / "postmortems" / "index.html").read_text()
    assert files_of(served.site_dir) == fresh_build(served.site)


def test_an_edited_theme_template_shows_at_the_next_build(served: Served, made: list[str]) -> None:
    overrides = served.site.root / "overrides"
    (overrides / "postmortem").mkdir(parents=True)
    config = served.site.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("name: material", "name: material\n  custom_dir: overrides")
    )
    card = overrides / "postmortem" / "card.html"
    card.write_text('<div class="pm-card">First card {{ incident.id }}</div>')
    served = Served(served.site)
    served.build()
    assert "First card TEST-2026-0003" in served.page("three")
    card.write_text('<div class="pm-card">Second card {{ incident.id }}</div>')
    served.build()
    assert "Second card TEST-2026-0003" in served.page("three")


def test_a_data_file_that_cannot_be_written_stops_the_build_saying_where(
    served: Served, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refused(self: publish.Writer, uri: str, wait: bool) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(publish.Writer, "_write", refused)
    with pytest.raises(Abort):
        served.build()
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(
        re.search(r"^postmortem: cannot write \S+\.\w+: Permission denied$", e) for e in errors
    ), errors
    assert not [r for r in caplog.records if r.exc_info]  # no traceback


def test_workers_make_what_a_front_matter_edit_changed(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "WORTH_IT_FROM", 1)  # workers for three postmortems
    pools: list[int] = []  # the workers each pool starts
    real = ahead.Workers

    def counted(count: int, *args):  # type: ignore[no-untyped-def]
        pools.append(count)
        return real(count, *args)

    monkeypatch.setattr(ahead, "Workers", counted)
    served.site.write_config(f"{TODAY}\njobs: 2")
    served = Served(served.site)
    served.build()
    path = served.site.archive / "two.md"
    path.write_text(path.read_text().replace("title: Second support", "title: Renamed case"))
    served.build()
    assert pools == [1, 1]
    assert "Renamed case" in served.page("one")
    assert files_of(served.site_dir) == fresh_build(served.site)
    path.write_text(path.read_text() + "\nA sentence written while serving.\n")
    served.build()
    assert pools == [1, 1]  # nothing to make: no workers


def test_a_build_leaves_its_objects_to_the_process_end_and_the_next_one_frees_them(
    make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mkdocs build` leaves what is alive out of the collector's final walk; a second
    build in the same process (a script, a test) has it walked again first."""
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    site = make_site(TODAY)
    site.add("one.md", published("TEST-2026-0001"))

    def built() -> None:
        config = load_config(str(site.root / "mkdocs.yml"), site_dir=str(site.root / "out"))
        config.plugins.on_startup(command="build", dirty=False)
        build(config)

    try:
        built()
        assert gc.get_freeze_count() > 0
        seen: list[int] = []
        monkeypatch.setattr(gc, "collect", lambda *args: seen.append(gc.get_freeze_count()))
        built()
        assert seen == [0]  # thawed, then collected, before the second build's check
        assert gc.get_freeze_count() > 0  # and left again for the end
    finally:
        gc.unfreeze()

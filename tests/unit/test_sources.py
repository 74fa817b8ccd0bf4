"""The postmortems as the check reads them: each file when asked for, in any process."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from mkdocs_postmortem import site


def config_for(docs: Path) -> MkDocsConfig:
    config_file = docs.parent / "mkdocs.yml"
    config_file.write_text("site_name: Test\n")
    return load_config(config_file=str(config_file))


def test_files_are_read_when_asked_for_and_as_they_were(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "postmortems").mkdir(parents=True)
    (docs / "postmortems" / "a.md").write_bytes(b"on disk")
    config = config_for(docs)
    on_disk = File("postmortems/a.md", str(docs), str(tmp_path / "site"), False)
    changed = File("postmortems/b.md", None, str(tmp_path / "site"), False)
    changed.content_string = "made by a plugin"
    missing = File("postmortems/gone.md", str(docs), str(tmp_path / "site"), False)
    sources = site.sources([on_disk, changed, missing], config)

    assert len(sources) == 3
    assert sources[0] == ("docs/postmortems/a.md", b"on disk")
    assert sources[1:2] == [("docs/postmortems/b.md", b"made by a plugin")]
    assert isinstance(sources[2][1], OSError)

    before = sources.as_now()
    (docs / "postmortems" / "a.md").write_bytes(b"changed on disk")  # read later: as it is
    on_disk.content_string = "handed over"
    changed.content_string = "replaced"
    assert [raw for _, raw in sources][:2] == [b"handed over", b"replaced"]
    assert [raw for _, raw in before][:2] == [b"changed on disk", b"made by a plugin"]
    assert isinstance(list(before)[2][1], OSError)

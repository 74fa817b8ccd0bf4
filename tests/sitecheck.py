"""Reading a built site as a browser would: pages, their links and anchors."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "script":
            self.scripts.append(values.get("src") or "inline")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def target_of(site: Path, page: Path, href: str) -> tuple[Path | None, str]:
    """The file a relative link of a built page leads to, and its fragment."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "/")):
        return None, ""
    if not parts.path:
        return page, parts.fragment
    base = page.parent.relative_to(site).as_posix()
    path = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    target = site / path
    if href.split("#")[0].endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def broken_links(site: Path, pages: list[Path]) -> list[str]:
    """Every relative link of `pages` whose file or anchor does not exist."""
    problems = []
    ids: dict[Path, set[str]] = {}
    for page in pages:
        for href in parse(page).links:
            target, fragment = target_of(site, page, href)
            if target is None:
                continue
            if not target.exists():
                problems.append(f"{page.relative_to(site)}: {href} (no file)")
                continue
            if fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse(target).ids
                if fragment not in ids[target]:
                    problems.append(f"{page.relative_to(site)}: {href} (no anchor)")
    return problems

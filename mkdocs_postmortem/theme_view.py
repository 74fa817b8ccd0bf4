"""What themes see of the pages under the archive folder: their front-matter escaped.

Themes print `page.title` and `page.meta` values (`description`, `subtitle`, `author`,
Material's `status` icon) into HTML without escaping them, and the navigation of every
page prints the titles and `meta` of the others. Escaping `page.meta` itself would hand
other plugins text the author never wrote (a tag `a&b` arrives as `a&amp;b`), so the
pages keep the author's `page.meta` through every event but the theme's rendering:
from `on_env` on, each holds an escaped copy, and the author's comes back around
search indexing (but for what Material's search reads as HTML, see `ThemeView.search`)
and once the build is over.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Mapping, MutableMapping
from typing import Any

from mkdocs.structure.pages import Page

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Front-matter keys of the format that themes read with another meaning.
_FORMAT_ONLY = ("status",)
# Keys of `page.meta` that Material's search copies into its index as HTML.
_SEARCH_HTML = ("title", "tags")


def page_title(text: str) -> str:
    """A title for themes, which print it unescaped: escaped, and with any direction
    controls isolated (FSI ... PDI), so an unclosed one cannot reorder the site name
    the theme puts after it."""
    escaped = html.escape(text, quote=False)
    if _BIDI_CONTROLS.isdisjoint(text):
        return escaped
    return f"\u2068{escaped}\u2069"


def escaped(value: Any) -> Any:
    """Every text in `value` escaped for HTML, in attributes too."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {key: escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [escaped(item) for item in value]
    return value


def theme_meta(meta: Mapping[str, Any], postmortem: bool) -> dict[str, Any]:
    """What a theme should see of a page's front-matter: every value escaped, the title
    too (a value that is not a text, such as a list, as its text), and for a postmortem
    none of the format's keys that themes read with another meaning."""
    view: dict[str, Any] = escaped(dict(meta))
    if postmortem:
        for key in _FORMAT_ONLY:
            view.pop(key, None)
    if "title" in meta:
        title = meta["title"]
        view["title"] = page_title(title if isinstance(title, str) else str(title))
    return view


class ThemeView:
    """The author's `page.meta` of each page it holds, and the theme's escaped copy
    that the page shows while the theme renders."""

    def __init__(self) -> None:
        self._author: dict[str, MutableMapping[str, Any]] = {}  # src_uri -> the author's
        self._view: dict[str, dict[str, Any]] = {}  # src_uri -> the theme's copy
        self._pages: dict[str, Page] = {}

    def install(self, page: Page, postmortem: bool) -> None:
        """Give `page` the theme's copy from now on: escaped values, the title escaped
        (a value that is not a text, such as a list, as its text), and for a
        postmortem none of the format's keys that themes read with another meaning."""
        uri = page.file.src_uri
        author = self._author[uri] = page.meta
        self._pages[uri] = page
        self._view[uri] = theme_meta(author, postmortem)
        self.theme(page)

    def theme(self, page: Page) -> None:
        """Give `page` the theme's copy (again, after search)."""
        view = self._view.get(page.file.src_uri)
        if view is None:
            return
        if "title" in view:
            page.title = view["title"]  # a weak property: this overrides it
        page.meta = view

    def retitle(self, page: Page, title: str) -> None:
        """What themes show as the page's title from now on (its navigation link);
        search keeps the author's."""
        view = self._view.get(page.file.src_uri)
        if view is not None and "title" in view:
            view["title"] = page_title(title)
        page.title = title

    def search(self, page: Page) -> None:
        """Give `page` what search plugins read: the author's `page.meta` and title,
        but for what Material's search copies into its index as HTML, as Material's
        templates print it: `title` and `tags` in `page.meta`. MkDocs' search takes
        `page.title` as text, and escapes it when it shows it."""
        meta = self._author.get(page.file.src_uri)
        if meta is None:
            return
        page.meta = {**meta, **{key: escaped(meta[key]) for key in _SEARCH_HTML if key in meta}}
        if "title" in meta:
            title = meta["title"]
            page.meta["title"] = page_title(title if isinstance(title, str) else str(title))
            page.title = title if isinstance(title, str) else str(title)

    def author(self, page: Page) -> None:
        """Give `page` back the author's `page.meta` and title."""
        meta = self._author.get(page.file.src_uri)
        if meta is not None:
            page.meta = meta
            page.__dict__.pop("title", None)

    def restore(self) -> None:
        """Every page gets back what the author wrote, once the build is done."""
        for page in self._pages.values():
            self.author(page)
        self._author.clear()
        self._view.clear()
        self._pages.clear()


def escaped_tags(tags: list[Any]) -> list[Any]:
    """Copies of a theme's tag objects (Material's tags plugin) with escaped names:
    Material prints `tag.name` unescaped."""
    result = []
    for tag in tags:
        name = getattr(tag, "name", None)
        if isinstance(name, str):
            tag = copy.copy(tag)
            tag.name = html.escape(name)
        result.append(tag)
    return result

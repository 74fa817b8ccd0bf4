"""The archive's HTML as search plugins read it: the same text, far fewer tags.

Search plugins (Material's, MkDocs' own) parse every page's HTML in Python, at a cost
per tag; a postmortem's card and details add about 120 tags to each page, the listings
thousands. Search keeps only text, headings (its sections) and a few tags, so the
plugin hands it the archive's HTML with every tag but paragraphs, code and headings
turned into a space, and puts the full HTML back before the theme renders the page.
The words indexed stay the same, in the same sections; they can only be better
separated. What the templates mark `data-search-exclude` (the filters of a listing, the
similar incidents, which are other postmortems' titles) is left out, as Material's
search leaves it out. Lists in the archive's HTML show as plain text in search results, which
halves the cost of indexing a postmortem's page; code (ids, versions) still shows as
code.
"""

from __future__ import annotations

import re

# Paragraphs, code, the headings that make search's sections, and the tags whose
# content search skips. Lowercase, as the templates write them.
_KEPT = "p|code|h[1-6]|script|style|object"
# Starts with `<`, so the scan jumps from tag to tag.
_OTHER_TAG_RE = re.compile(rf"<(?!/?(?:{_KEPT})[\s/>])/?[a-zA-Z][^>]*>")
_EXCLUDED_RE = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\s[^>]*\bdata-search-exclude\b[^>]*>")


def search_form(fragment: str) -> str:
    """The fragment for search plugins: what is marked `data-search-exclude` left out,
    the other tags they would drop turned into white space, and each run of white space
    one space.

    Only for the plugin's own HTML, where attribute values are escaped, so no `>`
    hides inside a tag, and which has no `<pre>` whose spaces would count.
    """
    return " ".join(_OTHER_TAG_RE.sub(" ", without_excluded(fragment)).split())


def without_excluded(html: str) -> str:
    """`html` without the elements marked `data-search-exclude`: Material's search
    skips them, and with the search form every search plugin does."""
    if "data-search-exclude" not in html:
        return html
    pieces, position = [], 0
    while (excluded := _EXCLUDED_RE.search(html, position)) is not None:
        pieces.append(html[position : excluded.start()])
        position = _element_end(html, excluded)
    pieces.append(html[position:])
    return " ".join(pieces)


def _element_end(html: str, opening: re.Match[str]) -> int:
    """Where the element opened by `opening` ends, counting nested ones of its name."""
    depth = 1
    for tag in re.finditer(rf"<(/?){opening.group(1)}[\s>]", html[opening.end() :]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            close = html.find(">", opening.end() + tag.start())
            return len(html) if close < 0 else close + 1
    return len(html)


def to_search_form(pieces: list[tuple[str, str | None]]) -> tuple[str, list[tuple[str, str]]]:
    """A page's content with each piece of the archive's HTML in its search form, and
    (search form, HTML) pairs to undo it (`to_full_form`). `pieces` is the content in
    order: (HTML, its search form), the form None for what stays as it is."""
    content = "".join(html if form is None else form for html, form in pieces)
    return content, [(form, html) for html, form in pieces if form is not None]


def to_full_form(content: str, swaps: list[tuple[str, str]]) -> tuple[str, int]:
    """The content with the full HTML back in place of each search form, in order, and
    how many forms were not found (another plugin changed them meanwhile)."""
    pieces, position, missing = [], 0, 0
    for form, full in swaps:
        at = content.find(form, position)
        if at < 0:
            missing += 1
            continue
        pieces += [content[position:at], full]
        position = at + len(form)
    pieces.append(content[position:])
    return "".join(pieces), missing

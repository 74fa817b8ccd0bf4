"""Field paths as users read them: `action_items[0].category`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from ..diagnostics import Diagnostic, problem
from ..reader import Document


def field_name(path: Sequence[str | int]) -> str:
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else step
    return text


def did_you_mean(value: object, options: Iterable[object]) -> str:
    """` (did you mean 'x'?)` for a near miss among `options`, else an empty string."""
    if not isinstance(value, str):
        return ""
    choices = sorted({str(option) for option in options})  # any order in, one answer out
    lowered = {choice.lower(): choice for choice in choices}
    normalised = value.strip().lower().replace("-", "_").replace(" ", "_")
    if normalised in lowered:
        return f" (did you mean {lowered[normalised]!r}?)"
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def shown(value: object) -> str:
    """A value quoted for a message, cut short when long, ending with "…" (which a
    value's own `...` cannot be mistaken for)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def problem_at(
    document: Document,
    code: str,
    path: Sequence[str | int],
    message: str,
    *,
    key: bool = False,
) -> Diagnostic:
    """A diagnostic at the value (or key) of `path` in the document, naming the field."""
    line, column = document.position(path, key=key)
    return problem(code, document.path, line, column, message, field=field_name(path))

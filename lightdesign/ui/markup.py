"""User text on the page as text, never as markup.

Streamlit renders titles, messages, captions, labels and help as Markdown with LaTeX
(``$…$``), colour directives (``:red[…]``), links and images (``![t](http://host/x.png)``
makes every visitor's browser fetch that address); Plotly renders a subset of HTML in
trace names, hover texts and titles (``<a href>`` becomes a link). Every string a person
typed, uploaded or sent in a link (design names and descriptions, a block's ``input`` or
``source``, file and class names, error texts that quote them) goes through one of these
helpers where it meets such a renderer:

- ``md(value)`` for Markdown (``st.title``, ``st.markdown``, ``st.caption``, ``st.error``
  and friends, widget labels and ``help``);
- ``code(value)`` for Markdown too, as an inline code span (a file's operator, a layer's
  name): nothing inside one is markup;
- ``html(value)`` for Plotly and any other HTML text;
- ``message(key, **values)``: ``t(key, ...)`` with every text value escaped with ``md``
  (numbers keep their format specs), for catalogue texts shown as Markdown.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

# Characters that start markup wherever they stand: escapes, code, emphasis, links and
# images ([ ]), HTML and autolinks (< >), LaTeX ($), strikethrough (~) and entities (&).
_ALWAYS = frozenset("\\`*[]<>$~&")
# Characters that start a block at the beginning of a line (headings, quotes, lists, tables).
_LINE_START = frozenset("#>-+=|")
# Line breaks would start new blocks: shown as spaces instead.
_BREAKS = {"\n": " ", "\r": " ", "\u2028": " ", "\u2029": " ", "\x0b": " ", "\x0c": " "}


def md(value: Any) -> str:
    """``value`` as literal text inside Markdown (also inside LaTeX-enabled Markdown).

    Only what could start markup is escaped, so ordinary names read the same in the page
    source: ``seed_cnn`` stays as it is (an underscore inside a word emphasises nothing),
    ``_x_`` and ``__init__`` are escaped; ``:`` is escaped before a letter or ``/``
    (``:red[``, ``:material/…:``, emoji codes, ``http://`` autolinks), not before a space."""
    text = "".join(_BREAKS.get(c, c) for c in str(value))
    out = []
    for i, c in enumerate(text):
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if (
            c in _ALWAYS
            or (c == "_" and not (before.isalnum() and after.isalnum()))
            or (c == ":" and (after.isalpha() or after == "/"))
            or (i == 0 and c in _LINE_START)
            or (c in ".)" and text[:i].isdigit() and i > 0)
        ):
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def code(value: Any) -> str:
    """``value`` as an inline code span: fenced by more backticks than any run inside it
    (padded with spaces when it starts or ends with one), so it shows literally."""
    text = "".join(_BREAKS.get(c, c) for c in str(value))
    if not text.strip():
        return md(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def html(value: Any) -> str:
    """``value`` as literal text inside HTML or Plotly's HTML-like text (no tags, no
    entities, no links)."""
    return _html.escape(str(value), quote=True)


class _Escaped(str):
    """A text value that escapes itself for Markdown however the template shows it:
    ``{v}``, ``{v!s}`` or ``{v!r}`` (the quotes of ``repr`` stay plain text too)."""

    def __format__(self, spec: str) -> str:
        return format(md(str.__str__(self)), spec)

    def __str__(self) -> str:
        return md(str.__str__(self))

    def __repr__(self) -> str:
        return md(str.__repr__(str.__str__(self)))


def message(key: str, **values: Any) -> str:
    """The catalogue text ``key`` with its text values escaped for Markdown (numbers keep
    their format specs)."""
    from lightdesign.ui.i18n import t

    return t(key, **{k: v if isinstance(v, (int, float)) else _Escaped(str(v)) for k, v in values.items()})

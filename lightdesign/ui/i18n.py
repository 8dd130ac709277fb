"""English and Simplified Chinese: ``t(key, **values)`` looks a UI string up in the
catalogue (``lightdesign/catalog/``) in the session's language.

The language comes from the sidebar switch and is remembered in the URL (``?lang=zh``).
A key missing from the catalogue, or without a Chinese text, is recorded in the session
so that the test walking every page in both languages can fail on it.
"""

from __future__ import annotations

import streamlit as st

from lightdesign.catalog import CATALOG
from lightdesign.catalog import fields as field_keys

LANGUAGES = {"en": "English", "zh": "简体中文"}
LANG_KEY = "lang"
SWITCH_KEY = "w_lang"  # the sidebar's language switch
MISSING_KEY = "i18n_missing"
QUERY_KEY = "lang"


def init() -> None:
    """Take the language from the URL on a session's first run."""
    if LANG_KEY not in st.session_state:
        wanted = st.query_params.get(QUERY_KEY, "en")
        st.session_state[LANG_KEY] = wanted if wanted in LANGUAGES else "en"
    st.session_state.setdefault(MISSING_KEY, set())


def language() -> str:
    return st.session_state.get(LANG_KEY, "en")


def t(key: str, **values) -> str:
    """The text of ``key`` in the current language, with ``values`` filled in."""
    entry = CATALOG.get(key)
    lang = language()
    if entry is None or lang not in entry:
        st.session_state.setdefault(MISSING_KEY, set()).add(f"{lang}:{key}")
        text = entry.get("en", key) if entry else key
    else:
        text = entry[lang]
    return text.format(**values) if values else text


def _switch() -> None:
    chosen = st.session_state[SWITCH_KEY]
    st.session_state[LANG_KEY] = chosen
    st.query_params[QUERY_KEY] = chosen


def switcher() -> None:
    """The sidebar language switch (its choice is kept in the URL)."""
    st.session_state[SWITCH_KEY] = language()
    st.sidebar.radio(
        "Language · 语言",
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=SWITCH_KEY,
        on_change=_switch,
        horizontal=True,
    )
    if language() != "en":
        st.query_params[QUERY_KEY] = language()


def _translated(key: str, english: str) -> str:
    """A registry text (a kind's doc, a field's title or help): its English lives with the
    kind, its other languages in the catalogue under ``key``."""
    lang = language()
    if lang == "en":
        return english
    entry = CATALOG.get(key, {})
    if lang in entry:
        return entry[lang]
    st.session_state.setdefault(MISSING_KEY, set()).add(f"{lang}:{key}")
    return english


def kind_doc(cls) -> str:
    """A kind's description in the current language."""
    return _translated(field_keys.kind_key(cls.kind), cls.doc)


def field_title(spec) -> str:
    return _translated(field_keys.title_key(spec.name), spec.title)


def field_help(kind: str, spec) -> str:
    """The help of field ``spec`` of ``kind``: the kind's own translation, else the one
    shared by every kind with the same English help."""
    return _translated(field_keys.help_key(kind, spec.name), spec.help)


def issue_text(issue) -> str:
    """An analysis issue with its frame in the current language (the detail is the
    analysis's own English text, which quotes the field names and values)."""
    if issue.block is None:
        text = t("issue.design", message=issue.message)
    else:
        text = t("issue.block", block=issue.block, name=issue.name, kind=issue.kind, message=issue.message)
    if issue.valid and "use " not in issue.message:
        text += "; " + t("issue.valid", valid=issue.valid)
    return text


def category(name: str) -> str:
    return t(f"category.{name}")


def labels(options, label) -> object:
    """A ``format_func`` with the labels computed now, in this run's language (Streamlit
    may call it later, outside the run)."""
    table = {option: label(option) for option in options}
    return lambda option: table.get(option, str(option))

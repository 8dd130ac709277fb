"""One catalogue entry: the same text in every language of the interface."""

from __future__ import annotations


def tr(en: str, zh: str) -> dict[str, str]:
    """An entry in English and Simplified Chinese."""
    return {"en": en, "zh": zh}

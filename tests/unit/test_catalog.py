"""The interface catalogue: one module per page, merged into one table; keys are unique."""

import types

import pytest

from lightdesign import catalog


def test_every_module_contributes_and_the_merge_keeps_every_key():
    assert sum(len(m.ENTRIES) for m in catalog.MODULES) == len(catalog.CATALOG)
    for module in catalog.MODULES:
        for key, entry in module.ENTRIES.items():
            # kinds' and fields' English lives with the kinds; the catalogue holds the rest
            languages = {"zh"} if module is catalog.fields else {"en", "zh"}
            assert set(entry) == languages, (module.__name__, key)


def test_a_key_defined_in_two_modules_is_refused(monkeypatch):
    twice = types.SimpleNamespace(__name__="lightdesign.catalog.extra", ENTRIES={"nav.design": {"en": "", "zh": ""}})
    monkeypatch.setattr(catalog, "MODULES", (*catalog.MODULES, twice))
    with pytest.raises(ValueError, match=r"catalog\.extra defines catalogue keys defined before: nav\.design"):
        catalog._merge()

"""English and Simplified Chinese: every page in both languages, with no untranslated key."""

import ast
import re
from pathlib import Path

import pytest

from lightdesign import registry
from lightdesign.ui.catalog import CATALOG
from lightdesign.ui.catalog import fields as field_keys

from .conftest import new_app

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("pages/design.py", "pages/compare.py", "pages/train.py", "pages/export.py", "pages/learn.py")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Texts that are the same in every language: numbers, units, code names and standard terms.
TECHNICAL = re.compile(r"^[\s\d.,:;·×x%()+\-/=#_*`'\"<>\[\]|A-Za-z]*$")
TERMS = {
    "MACs",
    "FLOPs",
    "Keras",
    "TFLite",
    "Mermaid",
    "DOT",
    "JSON",
    "Adam",
    "RMSprop",
    "int8",
    "fp32",
    "SVG",
    "PNG",
    "LightDesign",
    "Language · 语言",
    "Graph",
    "Design",
    "x",
    "f(x)",
}


def walk(lang: str):
    app = new_app()
    app.query_params["lang"] = lang
    app.run()
    seen = []
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        if page == "pages/design.py":
            app.toggle(key="w_show_scaling").set_value(True).run()
            app.toggle(key="w_show_suggestions").set_value(True).run()
            app.text_input(key="budget_macs").set_value("1M").run()
            assert not app.exception, app.exception
        seen.append((page, app))
        yield page, app
    missing = app.session_state["i18n_missing"]
    assert not missing, sorted(missing)


def chrome_texts(app):
    """Static UI chrome: titles, headings, widget labels, buttons and expanders."""
    texts = [e.value for e in app.title] + [e.value for e in app.subheader]
    for kind in (
        "button",
        "selectbox",
        "number_input",
        "text_input",
        "checkbox",
        "toggle",
        "radio",
        "multiselect",
        "slider",
        "expander",
    ):
        for element in app.get(kind):
            label = getattr(element, "label", None)
            if label:
                texts.append(label)
    return texts


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_in_both_languages_has_no_missing_key(lang):
    for page, app in walk(lang):
        if lang == "zh":
            untranslated = [
                text
                for text in chrome_texts(app)
                if not CJK.search(text) and text not in TERMS and not TECHNICAL.fullmatch(text or "")
            ]
            assert not untranslated, (page, untranslated)


def test_language_switch_is_kept_in_the_url():
    app = new_app()
    app.run()
    assert app.title[0].value.startswith("Design · ")
    app.radio(key="w_lang").set_value("zh").run()
    assert app.title[0].value.startswith("设计 · ")
    assert app.query_params["lang"] == ["zh"] or app.query_params["lang"] == "zh"


def _literal_keys():
    keys = set()
    for path in [*ROOT.glob("lightdesign/ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                keys.add((path.name, node.args[0].value))
    return keys


def test_every_literal_key_in_the_code_has_both_languages():
    keys = _literal_keys()
    assert len(keys) > 200
    problems = [
        (f, k)
        for f, k in keys
        if k not in CATALOG
        or set(CATALOG[k]) != {"en", "zh"}
        or not CJK.search(CATALOG[k]["zh"])
        and k
        not in {
            "col.index",
            "col.macs",
            "col.int8",
            "export.tab.mermaid",
            "export.tab.dot",
            "costs.unit.macs",
            "file.tflite_float32",
            "file.tflite_int8",
            "scaling.heat.macs",
            "limit.macs",
        }
    ]
    assert not problems, problems


def _registry_keys() -> set[str]:
    """The catalogue keys of every kind's doc and every field's title and help."""
    keys = set()
    for kind in registry.kinds():
        keys.add(field_keys.kind_key(kind))
        for spec in registry.get(kind).fields:
            keys |= {field_keys.title_key(spec.name), field_keys.help_key(kind, spec.name)}
    return keys


def test_every_kind_and_field_has_chinese_text():
    for key in _registry_keys():
        assert key in CATALOG and CJK.search(CATALOG[key]["zh"]), key
    for kind in registry.kinds():
        for spec in registry.get(kind).fields:
            # the Keras argument stays visible beside the translation
            assert spec.name in CATALOG[field_keys.title_key(spec.name)]["zh"], (kind, spec.name)


def test_a_shared_help_translation_serves_one_english_sentence():
    """A help text keyed by field name alone translates the same English for every kind that
    uses it; a kind whose English differs needs its own ``help.<Kind>.<field>`` entry."""
    english: dict[str, set[str]] = {}
    for kind in registry.kinds():
        for spec in registry.get(kind).fields:
            english.setdefault(field_keys.help_key(kind, spec.name), set()).add(spec.help)
    differing = {key: texts for key, texts in english.items() if len(texts) > 1}
    assert not differing, differing

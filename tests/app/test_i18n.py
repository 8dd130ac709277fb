"""English and Simplified Chinese: every page in both languages, with no untranslated key."""

import ast
import re
from pathlib import Path

import pytest

from lightdesign.catalog import CATALOG
from lightdesign.catalog import fields as field_keys
from lightdesign.core import kinds

from .conftest import new_app, open_tab

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
            open_tab(app, "tab.scaling").toggle(key="w_show_scaling").set_value(True).run()
            open_tab(app, "tab.suggestions").toggle(key="w_show_suggestions").set_value(True).run()
            open_tab(app, "tab.budget").text_input(key="budget_macs").set_value("1M").run()
            for tab in ("tab.table", "tab.list", "tab.drawing"):
                open_tab(app, tab)
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


CODE = [
    path
    for path in [*ROOT.glob("lightdesign/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
    if "catalog" not in path.relative_to(ROOT).parts
]
# Texts whose Chinese is the English term itself.
SAME_IN_CHINESE = {
    "col.index",
    "col.macs",
    "col.int8",
    "export.tab.mermaid",
    "export.tab.dot",
    "costs.unit.macs",
    "costs.macs",
    "costs.flops",
    "costs.chart.macs",
    "learn.macs",
    "file.tflite_float32",
    "file.tflite_int8",
    "scaling.heat.macs",
    "limit.macs",
    "article.word.numbered",  # "{stage}{n}": the pattern of a numbered stage (卷积层1)
}


def _dynamic_keys() -> dict[str, set[str]]:
    """Keys the code builds at run time from a prefix (``t(f"col.{name}")``), each family
    enumerated here: a new prefix in the code needs its line, or the test below fails."""
    from lightdesign.core import presets
    from lightdesign.data import sources
    from lightdesign.explore import budget, learn
    from lightdesign.jobs import messages
    from lightdesign.output import article
    from lightdesign.ui import presets_panel

    limits = {limit.name for limit in budget.LIMITS}
    return {
        "category.": set(kinds.CATEGORIES),
        # the cost table's columns (ui/costs.py) and the export's file table (ui/export_view.py)
        "col.": {"index", "layer", "block", "kind", "output", "params", "param_share", "macs", "mac_share"}
        | {"activation", "file", "size", "estimate", "ratio", "note"},
        "budget.": limits,
        "limit.": limits,
        "scaling.": {"width_resolution", "expansion_depth"},
        "suggest.": {"separable", "global_pool", "fire"},
        "file.": set(messages.ModelFormat),
        "preset.": {preset.resolution_label for preset in presets.PRESETS.values()},
        "preset.title.": set(presets_panel.TRANSLATED_TITLES),
        "article.word.": set(article.ARTICLE_WORDS),
        "learn.quant.scheme.": set(learn.SCHEMES),
        "dataset.": {*sources.BUILTIN, *sources.KERAS_DATASETS, "upload_npz", "upload_zip"},
        "dataset.desc.": set(sources.BUILTIN),
        "job.stage.": set(messages.Stage),
        "job.state.": set(messages.JobState),
    }


def _prefix(node: ast.expr) -> str | None:
    """The constant start of a key built at run time: f"col.{c}" or "suggest." + rule."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
        return node.left.value
    return None


def _scan():
    """(literal keys with their files, prefixes of built keys with their files, every other
    string constant of the code): what the code asks the catalogue for."""
    literals, prefixes, constants = set(), set(), set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"):
                continue
            if not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant):
                literals.add((path.name, arg.value))
            elif _prefix(arg) is not None:
                prefixes.add((path.name, _prefix(arg)))
    return literals, prefixes, constants


def test_every_key_of_the_code_has_both_languages():
    literals, prefixes, _ = _scan()
    assert len(literals) > 200
    families = _dynamic_keys()
    built = {(f, prefix + name) for f, prefix in prefixes if prefix in families for name in families[prefix]}
    problems = [
        (f, k)
        for f, k in literals | built
        if k not in CATALOG
        or set(CATALOG[k]) != {"en", "zh"}
        or not CJK.search(CATALOG[k]["zh"])
        and k not in SAME_IN_CHINESE
    ]
    assert not problems, problems


def test_the_keys_used_are_the_keys_defined():
    """Every catalogue key is used: a literal ``t("key")``, a member of a family of built
    keys (enumerated in ``_dynamic_keys``), a key the code passes around as a string
    constant (``page_header("train.title", ...)``) or a kind's or field's text."""
    literals, prefixes, constants = _scan()
    families = _dynamic_keys()
    unknown = sorted({prefix for _, prefix in prefixes} - set(families))
    assert not unknown, f"enumerate the keys built from these prefixes in _dynamic_keys: {unknown}"
    unused_families = sorted(set(families) - {prefix for _, prefix in prefixes})
    assert not unused_families, f"no code builds keys from these prefixes any more: {unused_families}"
    used = {key for _, key in literals} | (constants & set(CATALOG)) | _registry_keys()
    used |= {prefix + name for prefix in families for name in families[prefix]}
    assert not used - set(CATALOG), sorted(used - set(CATALOG))
    assert not set(CATALOG) - used, f"unused catalogue keys: {sorted(set(CATALOG) - used)}"


def _registry_keys() -> set[str]:
    """The catalogue keys of every kind's doc and every field's title and help."""
    keys = set()
    for kind in kinds.names():
        keys.add(field_keys.kind_key(kind))
        for spec in kinds.get(kind).fields:
            keys |= {field_keys.title_key(spec.name), field_keys.help_key(kind, spec.name)}
    return keys


def test_every_kind_and_field_has_chinese_text():
    for key in _registry_keys():
        assert key in CATALOG and CJK.search(CATALOG[key]["zh"]), key
    for kind in kinds.names():
        for spec in kinds.get(kind).fields:
            # the Keras argument stays visible beside the translation
            assert spec.name in CATALOG[field_keys.title_key(spec.name)]["zh"], (kind, spec.name)


def test_a_shared_help_translation_serves_one_english_sentence():
    """A help text keyed by field name alone translates the same English for every kind that
    uses it; a kind whose English differs needs its own ``help.<Kind>.<field>`` entry."""
    english: dict[str, set[str]] = {}
    for kind in kinds.names():
        for spec in kinds.get(kind).fields:
            english.setdefault(field_keys.help_key(kind, spec.name), set()).add(spec.help)
    differing = {key: texts for key, texts in english.items() if len(texts) > 1}
    assert not differing, differing

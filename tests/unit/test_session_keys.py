"""Session-state keys are named, and each is named once: the app's code reads and writes
``st.session_state`` through constants (those shared by several pages in ui/state.py, the
others in the module that owns what they hold), never through a literal, and no two
constants spell the same key."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "lightdesign" / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"])
ACCESSORS = {"get", "setdefault", "pop"}


def _is_session_state(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "session_state"


def session_keys(tree: ast.AST):
    """The key expressions of every ``st.session_state`` read, write, delete and membership test."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_session_state(node.value):
            yield node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ACCESSORS
            and _is_session_state(node.func.value)
            and node.args
        ):
            yield node.args[0]
        elif isinstance(node, ast.Compare) and any(_is_session_state(c) for c in node.comparators):
            yield node.left


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's top-level ``NAME = "text"`` assignments."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found[node.targets[0].id] = node.value.value
    return found


def _imported_modules(tree: ast.Module) -> dict[str, str]:
    """Local name -> ui module, for ``from lightdesign.ui import x`` (the way ui modules import each other)."""
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "lightdesign.ui":
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
    return names


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_session_state_is_never_read_or_written_through_a_literal_key():
    literals = [
        f"{path.relative_to(ROOT)}:{key.lineno} {ast.unparse(key)}"
        for path in SOURCES
        for key in session_keys(_parse(path))
        if _is_literal(key)
    ]
    assert literals == []


def _key_parameters(trees) -> dict[str, set[int]]:
    """Function name -> the positions of the parameters it uses as session-state keys, itself
    or by passing them on to such a function."""
    functions = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    found: dict[str, set[int]] = {}
    while True:
        before = sum(len(positions) for positions in found.values())
        for function in functions:
            used = {key.id for key in all_keys(function, found) if isinstance(key, ast.Name)}
            for position, parameter in enumerate(function.args.args):
                if parameter.arg in used:
                    found.setdefault(function.name, set()).add(position)
        if sum(len(positions) for positions in found.values()) == before:
            return found


def all_keys(tree: ast.AST, key_parameters: dict[str, set[int]]):
    """Every expression the module uses as a key: in ``st.session_state`` itself, as a widget's
    ``key=``, or as an argument a function uses as a key (``persistent_widget(state.X)``)."""
    yield from session_keys(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        yield from (keyword.value for keyword in node.keywords if keyword.arg == "key")
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        for position in key_parameters.get(callee, ()):
            if position < len(node.args):
                yield node.args[position]


def test_no_two_named_keys_spell_the_same_session_state_key():
    trees = {path: _parse(path) for path in SOURCES}
    ui = {path.stem: _constants(tree) for path, tree in trees.items() if path.parent.name == "ui"}
    key_parameters = _key_parameters(trees.values())
    used: dict[str, set[tuple[str, str]]] = {}  # key text -> the (module, constant) naming it
    for path, tree in trees.items():
        modules = _imported_modules(tree)
        for key in all_keys(tree, key_parameters):
            if isinstance(key, ast.Name) and path.parent.name == "ui":
                owner, name = path.stem, key.id
            elif isinstance(key, ast.Attribute) and isinstance(key.value, ast.Name) and key.value.id in modules:
                owner, name = modules[key.value.id], key.attr
            else:
                continue  # a parameter, or a key made from one (a widget's per-block key)
            text = ui.get(owner, {}).get(name)
            if text is not None:
                used.setdefault(text, set()).add((owner, name))
    assert len(used) > 50, "the keys were not found: the test no longer reads the code"
    assert {text: names for text, names in used.items() if len(names) > 1} == {}

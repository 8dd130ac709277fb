"""The library's layers point one way: a module imports only from its own folder and from
lower tiers, lazy (function-level) imports included; no module imports itself back through
others; the heavy engines are imported only where the allow-list says why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lightdesign"

# Lower tiers first; a folder may import its own modules and any lower tier, never a
# sibling of the same tier or anything above it.
TIERS = {
    "lightdesign.config": 0,
    "lightdesign.catalog": 0,
    "lightdesign.core": 1,
    "lightdesign.analysis": 2,
    "lightdesign.data": 2,
    "lightdesign.explore": 3,
    "lightdesign.output": 3,
    "lightdesign.importers": 3,
    "lightdesign.jobs": 4,
    "lightdesign.store": 4,
    "lightdesign.cli": 5,
    "lightdesign.ui": 6,
}
TOP = {"lightdesign": 0, "lightdesign.__main__": 7}  # the package's own files

# Heavy engines: where each may be imported, and why there.
ENGINES = {
    "tensorflow": ("lightdesign.jobs",),  # rule 4: TensorFlow lives in the worker process
    "keras": ("lightdesign.jobs",),
    "ray": ("lightdesign.jobs.ray_backend",),  # only the relay talks to a cluster
    "streamlit": ("lightdesign.ui",),  # rule 7: the only library code that imports streamlit
    "tflite_micro": ("lightdesign.jobs",),
    "torch": (),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(module: str) -> list[tuple[str, int]]:
    """(imported name, line) of every import in ``module``, function-level ones included,
    ``if TYPE_CHECKING`` blocks left out. Relative imports are made absolute."""
    path = MODULES[module]
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package
                    for _ in range(child.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                for alias in child.names:
                    full = f"{base}.{alias.name}"
                    found.append((full if _resolve(full) == full else base, child.lineno))
            visit(child)

    visit(tree)
    return found


def tier_of(module: str) -> tuple[str, int]:
    if module in TOP:
        return module, TOP[module]
    for folder, tier in TIERS.items():
        if module == folder or module.startswith(folder + "."):
            return folder, tier
    raise AssertionError(f"{module} is in no tier: add its folder to TIERS")


def internal_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module in MODULES:
        for name, _ in imports_of(module):
            target = _resolve(name) if name.startswith("lightdesign") else None
            if target and target != module:
                edges.setdefault(module, set()).add(target)
    return edges


def test_every_module_belongs_to_a_tier():
    for module in MODULES:
        tier_of(module)


def test_imports_point_down_the_tiers():
    wrong = []
    for module in MODULES:
        folder, tier = tier_of(module)
        for name, line in imports_of(module):
            target = _resolve(name) if name.startswith("lightdesign") else None
            if not target or target == "lightdesign" and name == "lightdesign":
                continue
            target_folder, target_tier = tier_of(target)
            if target_folder != folder and target_tier >= tier and target not in TOP:
                wrong.append(f"{module}:{line} imports {target} (tier {target_tier} >= {tier})")
    assert wrong == []


def test_no_module_imports_itself_back_through_others():
    edges = internal_edges()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(MODULES):
        if module not in index:
            connect(module)
    assert cycles == []


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_heavy_engines_are_imported_only_where_allowed(engine):
    allowed = ENGINES[engine]
    wrong = []
    for module in MODULES:
        for name, line in imports_of(module):
            if name.split(".")[0] == engine and not any(module == a or module.startswith(a + ".") for a in allowed):
                wrong.append(f"{module}:{line} imports {name}")
    assert wrong == []


def test_the_checker_sees_lazy_imports_and_skips_type_hints(tmp_path):
    """The rules above would pass vacuously if function-level imports went unseen."""
    assert ("lightdesign.jobs.file_weights", 0) not in imports_of("lightdesign.jobs.export")
    lazy = [name for name, _ in imports_of("lightdesign.jobs.export")]
    assert any(name.startswith("tensorflow") or name.startswith("keras") for name in lazy)
    hinted = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import os\n").body[1]
    assert _is_type_checking(hinted)

"""The environment settings: declared once in ``lightdesign.config``, read only through it,
parsed with one rule for bad values, and documented by the README's table of settings."""

import ast
import logging
import re
from pathlib import Path

import pytest

from lightdesign import config

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "lightdesign").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]
ROW = re.compile(r"^\| `(LIGHTDESIGN_[A-Z_]+)` \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$")


def _environment_keys(tree: ast.AST):
    """The key of every ``os.environ.get(...)``, ``os.environ[...]`` and ``os.getenv(...)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = ast.unparse(node.func)
            if name in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
                yield node.args[0]
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
            yield node.slice


def test_no_module_but_config_reads_a_lightdesign_variable_itself():
    offenders = []
    for path in SOURCES:
        if path == ROOT / "lightdesign" / "config.py":
            continue
        for key in _environment_keys(ast.parse(path.read_text(encoding="utf-8"))):
            literal = isinstance(key, ast.Constant) and isinstance(key.value, str)
            if not literal or key.value.startswith("LIGHTDESIGN_"):
                offenders.append(f"{path.relative_to(ROOT)}:{key.lineno}: {ast.unparse(key)}")
    assert offenders == []


def test_config_reads_the_environment_where_the_scan_looks():
    keys = list(_environment_keys(ast.parse((ROOT / "lightdesign" / "config.py").read_text())))
    assert [ast.unparse(k) for k in keys] == ["name"], "the scan above would miss config's own reads"


def test_every_variable_the_code_names_is_declared():
    named = set()
    for path in SOURCES:
        named |= set(re.findall(r"LIGHTDESIGN_[A-Z_]*[A-Z](?![A-Z_*])", path.read_text(encoding="utf-8")))
    declared = {s.name for s in config.SETTINGS}
    assert named - declared == set()
    assert len(declared) == len(config.SETTINGS), "a variable declared twice"


def _readme_rows() -> list[tuple[str, str, str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return [m.groups() for line in section.splitlines() if (m := ROW.match(line))]


def test_the_readme_table_lists_every_setting_with_its_default_meaning_and_valid_values():
    expected = [(s.name, s.shown_default, s.meaning, s.valid) for s in config.SETTINGS]
    assert _readme_rows() == expected


def test_the_readme_names_no_variable_that_config_does_not_declare():
    named = set(re.findall(r"LIGHTDESIGN_[A-Z_]*[A-Z](?![A-Z_*])", (ROOT / "README.md").read_text(encoding="utf-8")))
    assert named - {s.name for s in config.SETTINGS} == set()


@pytest.mark.parametrize(
    "name, raw, expected",
    [
        ("LIGHTDESIGN_MAX_JOBS", "3", 3),
        ("LIGHTDESIGN_MAX_JOBS", " 4 ", 4),
        ("LIGHTDESIGN_MAX_JOBS", "5.0", 5),
        ("LIGHTDESIGN_KEEP_DAYS", "0.5", 0.5),
        ("LIGHTDESIGN_WORKER_MEMORY_MB", "0", 0.0),
        ("LIGHTDESIGN_WORKER_NICE", "-2", -2),
        ("LIGHTDESIGN_RAY_SHARED_STORAGE", "YES", "yes"),
        ("LIGHTDESIGN_RAY_ADDRESS", " ray://head:10001 ", "ray://head:10001"),
        ("LIGHTDESIGN_DATABASE_URL", "postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_a_valid_value_is_read_as_its_type(monkeypatch, name, raw, expected):
    monkeypatch.setenv(name, raw)
    value = config.value(name)
    assert value == expected and type(value) is type(expected)


def test_a_folder_is_read_with_the_home_folder_expanded(monkeypatch):
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", "~/lightdesign-data")
    assert config.work_dir() == Path("/home/someone/lightdesign-data")


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_an_unset_or_empty_variable_gives_the_default(monkeypatch, raw):
    for name in ("LIGHTDESIGN_MAX_JOBS", "LIGHTDESIGN_RAY_ADDRESS", "LIGHTDESIGN_RAY_NAMESPACE"):
        if raw is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, raw)
    assert config.value("LIGHTDESIGN_MAX_JOBS") == 2
    assert config.value("LIGHTDESIGN_RAY_ADDRESS") is None
    assert config.value("LIGHTDESIGN_RAY_NAMESPACE") == "lightdesign"


@pytest.mark.parametrize(
    "name, raw, default",
    [
        ("LIGHTDESIGN_MAX_JOBS", "two", 2),
        ("LIGHTDESIGN_MAX_JOBS", "2.5", 2),
        ("LIGHTDESIGN_MAX_JOBS", "0", 2),
        ("LIGHTDESIGN_KEEP_DAYS", "-1", 90.0),
        ("LIGHTDESIGN_KEEP_DAYS", "0", 90.0),
        ("LIGHTDESIGN_MAX_UPLOAD_MB", "nan", 50.0),
        ("LIGHTDESIGN_MAX_UPLOAD_MB", "inf", 50.0),
        ("LIGHTDESIGN_WORKER_MEMORY_MB", "-5", None),
        ("LIGHTDESIGN_WORKER_NICE", "low", 15),
        ("LIGHTDESIGN_RAY_TIMEOUT_S", "0.5", 15.0),
        ("LIGHTDESIGN_RAY_SHARED_STORAGE", "maybe", "auto"),
    ],
)
def test_a_value_that_is_not_valid_gives_the_default(monkeypatch, name, raw, default):
    monkeypatch.setenv(name, raw)
    assert config.value(name) == default


def test_a_value_that_is_not_valid_is_logged_once_with_what_is_valid(monkeypatch, caplog):
    monkeypatch.setenv("LIGHTDESIGN_MAX_JOBS", "-7")
    with caplog.at_level(logging.WARNING, logger="lightdesign.config"):
        assert config.value("LIGHTDESIGN_MAX_JOBS") == 2
        assert config.value("LIGHTDESIGN_MAX_JOBS") == 2
    assert caplog.messages == [
        "LIGHTDESIGN_MAX_JOBS='-7' is not valid (expected a whole number of at least 1); using the default (2)"
    ]


def test_a_change_of_the_environment_applies_to_the_next_read(monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_JOB_TIMEOUT_S", "60")
    assert config.value("LIGHTDESIGN_JOB_TIMEOUT_S") == 60.0
    monkeypatch.setenv("LIGHTDESIGN_JOB_TIMEOUT_S", "90")
    assert config.value("LIGHTDESIGN_JOB_TIMEOUT_S") == 90.0


def test_an_undeclared_name_is_refused_with_the_declared_ones():
    with pytest.raises(KeyError, match="LIGHTDESIGN_MAX_JOB is not a LightDesign setting; declared: LIGHTDESIGN_WORK"):
        config.value("LIGHTDESIGN_MAX_JOB")

"""The package's declared dependencies and the pinned requirements files say the same thing,
and ``lightdesign app`` hands Streamlit the app's own config.toml options."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from streamlit.web.cli import main as streamlit_cli

from lightdesign.cli.app import config_arguments, streamlit_command
from lightdesign.cli.commands import main

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pinned(path: Path) -> dict[tuple, str]:
    """(name, extras, marker) -> pinned version of a requirements file (``-r`` lines left out)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-r"):
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{path.name}: {line} is not pinned"
            pins[key(requirement)] = specifier.version
    return pins


def key(requirement: Requirement) -> tuple:
    return canonicalize_name(requirement.name), tuple(sorted(requirement.extras)), str(requirement.marker)


def declared(lines: list[str]) -> dict[tuple, Requirement]:
    """The requirements in ``lines``, this package's own extras (``lightdesign[ray]``) expanded."""
    found = {}
    for line in lines:
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) == "lightdesign":
            for extra in requirement.extras:
                found |= declared(PROJECT["optional-dependencies"][extra])
        else:
            found[key(requirement)] = requirement
    return found


@pytest.mark.parametrize(
    ("requirements", "dependencies"),
    [("requirements.txt", PROJECT["dependencies"]), ("requirements-dev.txt", PROJECT["optional-dependencies"]["dev"])],
)
def test_declared_dependencies_admit_exactly_the_pinned_requirements(requirements, dependencies):
    pins, ranges = pinned(ROOT / requirements), declared(dependencies)
    assert sorted(pins) == sorted(ranges)
    outside = [f"{k[0]}=={v}" for k, v in pins.items() if not ranges[k].specifier.contains(v, prereleases=True)]
    assert outside == []


def parsed_by_streamlit(arguments: list[str]) -> dict:
    """The options ``streamlit run`` sets from ``arguments``, as its own command line reads them."""
    context = streamlit_cli.commands["run"].make_context("run", arguments)
    return {name: value for name, value in context.params.items() if value not in (None, ())}


def test_app_command_runs_the_clones_app_with_its_config_options():
    command = streamlit_command(8642)
    assert command[1:4] == ["-m", "streamlit", "run"]
    options = parsed_by_streamlit(command[4:])
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    expected = {f"{section}_{name}": value for section, table in config.items() for name, value in table.items()}
    assert options == {**expected, "server_port": 8642, "target": str(ROOT / "app.py")}


def test_app_command_leaves_the_port_to_streamlit_unless_given():
    assert "server_port" not in parsed_by_streamlit(streamlit_command()[4:])


def test_config_subsections_and_lists_become_arguments_streamlit_reads():
    config = {"theme": {"sidebar": {"primaryColor": "#ff0000"}}, "server": {"folderWatchList": ["a", "b"]}}
    options = parsed_by_streamlit(["app.py", *config_arguments(config)])
    assert options["theme_sidebar_primaryColor"] == "#ff0000"
    assert options["server_folderWatchList"] == ("a", "b")


@pytest.mark.parametrize("port", ["0", "65536", "-1", "8.5", "http", "²"])
def test_app_command_refuses_what_is_not_a_port(capsys, port):
    with pytest.raises(SystemExit) as stopped:
        main(["app", "--port", port])
    assert stopped.value.code == 2
    assert f"'{port}' is not a port: give a whole number from 1 to 65535" in capsys.readouterr().err

"""The README's set-up commands exist and CI runs the test command verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = "pip install -r requirements.txt && streamlit run app.py"
TESTS = "pip install -r requirements-dev.txt && python -m pytest"
PACKAGE = "pip install . && lightdesign app"


def readme_commands():
    return re.findall(r"```bash\n(pip install [^\n]+)\n```", (ROOT / "README.md").read_text())


def test_readme_has_the_setup_commands_in_order():
    assert readme_commands() == [APP, PACKAGE, TESTS]


def test_ci_runs_the_readme_test_command():
    assert TESTS in (ROOT / ".ci" / "run").read_text().splitlines()

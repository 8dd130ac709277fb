"""Code, comments and test names say what behaviour they are about, never which issue or
finding asked for it: those numbers belong in commit messages."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("lightdesign", "tests", "bench", "pages")
SUFFIXES = {".py", ".jsx", ".mjs", ".js", ".sh", ".css"}
REFERENCE = re.compile(r"\b[Ii]ssues? #?\d+|\b[Ff]indings? \d+|\(#\d+\)")


def sources():
    yield ROOT / "app.py"
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in SUFFIXES and "node_modules" not in path.parts and path.is_file():
                yield path


def test_no_source_names_an_issue_or_a_finding():
    found = []
    for path in sources():
        if path == Path(__file__).resolve():  # its own examples
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            if REFERENCE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert found == []


def test_the_pattern_catches_the_forms_seen_before():
    # The forms are assembled here so that this file itself names no number.
    forms = ("(issue {n}, finding {n})", '"""Finding {n}: renaming', "Issue {n}, finding {n}", "point {n} (#{n})")
    for text in (form.format(n=7 * 3) for form in forms):
        assert REFERENCE.search(text), text
    assert not REFERENCE.search("an issue with three layers")

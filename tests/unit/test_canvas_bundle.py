"""The committed canvas bundle is the build of the committed sources (build.sh rebuilds it
only when their checksum differs from built/stamp, so a change of source without a rebuild
would otherwise ship the old canvas), and it carries its libraries' licence notices."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from lightdesign.ui.canvas import BUNDLE

FRONTEND = Path(__file__).resolve().parents[2] / "lightdesign" / "ui" / "canvas_frontend"
REBUILD = "run `bash lightdesign/ui/canvas_frontend/build.sh` and commit the bundle and built/stamp"


def sources_checksum() -> str:
    """What build.sh computes: ``cat package.json package-lock.json build.mjs src/* | sha256sum``."""
    files = [FRONTEND / "package.json", FRONTEND / "package-lock.json", FRONTEND / "build.mjs"]
    files += sorted((FRONTEND / "src").iterdir())
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()


def test_the_bundle_is_built_from_the_current_sources():
    assert BUNDLE.is_file(), f"no canvas bundle at {BUNDLE}: {REBUILD}"
    assert (FRONTEND / "built" / "stamp").read_text().strip() == sources_checksum(), (
        f"the canvas sources changed since the bundle was built: {REBUILD}"
    )


def test_the_bundle_carries_the_licence_of_each_library_it_is_built_from():
    text = BUNDLE.read_text(encoding="utf-8")
    notices = text[text.index("/*! Licences of the bundled packages:") :]
    lock = json.loads((FRONTEND / "package-lock.json").read_text())["packages"]
    for name in json.loads((FRONTEND / "package.json").read_text())["dependencies"]:
        version = lock[f"node_modules/{name}"]["version"]
        assert re.search(rf"^{re.escape(name)} {re.escape(version)} \(\S+\):$", notices, re.M), name
    assert "@license React" in text, "the notices esbuild keeps from the code (legalComments)"

"""The library stays light: no TensorFlow or Streamlit behind ``import lightdesign``."""

import subprocess
import sys

import pytest

MODULES = [
    "lightdesign",
    "lightdesign.analysis.network",
    "lightdesign.core.presets",
    "lightdesign.output.codegen",
    "lightdesign.output.render",
    "lightdesign.cli.commands",
    "lightdesign.core.format",
    "lightdesign.core.kinds",
    "lightdesign.catalog",
]


def test_library_does_not_import_tensorflow_or_streamlit():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in MODULES)
        + "from lightdesign.analysis import network as analysis\nfrom lightdesign.core import presets\n"
        + "analysis.analyze(presets.build('mobilenet_v2'))\n"
        + "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'streamlit', 'torch'))\n"
        + "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "first",
    ["lightdesign.core.registry", "lightdesign.core.layers", "lightdesign.core.blocks", "lightdesign.core.kinds"],
)
def test_no_import_circle_between_the_registry_and_the_kinds(first):
    """Any of them can be imported first; the registry itself imports neither package, and
    importing ``kinds`` registers every kind."""
    code = (
        "import sys\n"
        f"import {first}\n"
        "loaded = sorted(m for m in ('lightdesign.core.layers', 'lightdesign.core.blocks') if m in sys.modules)\n"
        "from lightdesign.core import kinds\n"
        "print(loaded, len(kinds.names()))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, count = done.stdout.rsplit(" ", 1)
    assert int(count) > 30
    if first == "lightdesign.core.registry":
        assert loaded == "[]"

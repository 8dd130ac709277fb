"""The library stays light: no TensorFlow or Streamlit behind ``import lightdesign``."""

import subprocess
import sys

MODULES = [
    "lightdesign",
    "lightdesign.analysis",
    "lightdesign.presets",
    "lightdesign.codegen",
    "lightdesign.render",
    "lightdesign.cli",
    "lightdesign.format",
]


def test_library_does_not_import_tensorflow_or_streamlit():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in MODULES)
        + "from lightdesign import presets, analysis\n"
        + "analysis.analyze(presets.build('mobilenet_v2'))\n"
        + "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'streamlit', 'torch'))\n"
        + "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

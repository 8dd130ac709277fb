"""LightDesign: design, analyse and export lightweight neural networks.

Importing this package pulls in neither TensorFlow nor Streamlit.
"""

from pathlib import Path

__version__ = "0.1.0"


def _app_dir() -> Path:
    package = Path(__file__).resolve().parent
    installed = package / "app"  # the wheel maps the repository's root there
    return installed if (installed / "app.py").is_file() else package.parent


# The Streamlit app's folder (app.py, pages/, static/, .streamlit/config.toml): the clone's
# root, or lightdesign/app/ once installed.
APP_DIR = _app_dir()

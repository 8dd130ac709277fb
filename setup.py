"""The package list, the one thing pyproject.toml cannot say: every ``lightdesign`` subpackage,
found (a new one is never forgotten), plus ``lightdesign.app``, the Streamlit app at the
repository's root (app.py, pages/, static/, .streamlit/), mapped there in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["lightdesign", "lightdesign.*"]), "lightdesign.app"],
    # This file sits among lightdesign.app's modules (the root); naming it keeps it out of the wheel.
    script_name=__file__,
)

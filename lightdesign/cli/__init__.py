"""The ``lightdesign`` command (also ``python -m lightdesign``): one subcommand per task."""

from lightdesign.cli.commands import main

__all__ = ["main"]

"""``lightdesign app [--port N]``: the Streamlit app, started from any folder.

Streamlit reads ``.streamlit/config.toml`` only from the current folder (or ~/.streamlit),
so the app's own file is read here and its options passed on the command line: they stay
written once, and ``streamlit run app.py`` in a clone behaves the same. Streamlit is not
imported here; the command becomes ``python -m streamlit run …``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib

from lightdesign import APP_DIR
from lightdesign.cli.common import CommandError

SCRIPT = APP_DIR / "app.py"
CONFIG = APP_DIR / ".streamlit" / "config.toml"
MAX_PORT = 65535


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give a whole number from 1 to {MAX_PORT}")
    return int(text)


def register(sub) -> None:
    """Add the ``app`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("app", help="start the app (the same as `streamlit run app.py` in a clone)")
    p.add_argument("--port", type=_port, help="the port to serve on (default: Streamlit's, 8501)")
    p.set_defaults(run=cmd_app)


def config_arguments(options: dict, prefix: str = "") -> list[str]:
    """A Streamlit config.toml's options as ``--section.name=value`` arguments (a list option
    repeats its argument, as Streamlit's command line takes it)."""
    arguments = []
    for name, value in options.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            arguments += config_arguments(value, f"{key}.")
        else:
            for item in value if isinstance(value, list) else [value]:
                shown = str(item).lower() if isinstance(item, bool) else str(item)
                arguments.append(f"--{key}={shown}")
    return arguments


def streamlit_command(port: int | None = None) -> list[str]:
    """The command line that serves the app with its config.toml's options."""
    options = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    command = [sys.executable, "-m", "streamlit", "run", str(SCRIPT), *config_arguments(options)]
    return command + ([f"--server.port={port}"] if port is not None else [])


def cmd_app(args: argparse.Namespace) -> None:
    missing = [str(path) for path in (SCRIPT, CONFIG) if not path.is_file()]
    if missing:
        raise CommandError(f"the app's files are missing ({', '.join(missing)}): reinstall LightDesign")
    command = streamlit_command(args.port)
    if os.name == "posix":
        # Streamlit takes this process's place: a stop signal (Ctrl+C, a service manager's
        # SIGTERM) reaches the server itself, and no parent is left waiting.
        os.execv(sys.executable, command)
    # Windows has no exec: os.execv would start a second process and return to the prompt.
    raise SystemExit(subprocess.call(command))

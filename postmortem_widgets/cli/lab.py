"""``postmortem lab [INCIDENT.yaml]``: JupyterLab on the workspace notebook.

The notebook's cell opens ``$POSTMORTEM_INCIDENT`` when it is set, so naming an incident here opens the
form on it; with none, the seed's worked example opens. The kernel runs in ``notebooks/`` as JupyterLab
starts it. In an installed package (no checkout), the notebook is written to the current folder first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

NOTEBOOK = "postmortem_workspace.ipynb"
#: The environment variable the workspace notebook reads.
INCIDENT_ENV = "POSTMORTEM_INCIDENT"


@dataclass(frozen=True)
class LabLaunch:
    """What to run: the command, the folder JupyterLab serves and the extra environment."""

    argv: list[str]
    root: Path
    env: dict[str, str]


def checkout_notebook() -> Path:
    return Path(__file__).resolve().parents[2] / "notebooks" / NOTEBOOK


def notebook_source(incident: str = "../sample_data/anchor_analytics/incident.yaml") -> str:
    """The workspace notebook, for installs without the checkout's ``notebooks/``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Postmortem workspace\n\nRun the cell below to open the form."),
        nbformat.v4.new_code_cell(
            "from postmortem_widgets import Workspace\n\n"
            f"# The incident this notebook had open last (${INCIDENT_ENV} wins); this one the first time.\n"
            f'Workspace.resume("{incident}")'
        ),
    ]
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    return str(nbformat.writes(nb))


def plan(
    incident: str | None,
    *,
    port: int | None = None,
    browser: bool = True,
    notebook: Path | None = None,
    cwd: Path | None = None,
    is_root: bool | None = None,
) -> LabLaunch:
    """The JupyterLab command for an incident (pure, so it is testable without starting a server)."""
    cwd = cwd or Path.cwd()
    env: dict[str, str] = {}
    if incident:
        path = (cwd / incident).resolve() if not Path(incident).is_absolute() else Path(incident)
        if path.is_dir():
            path = path / "incident.yaml"
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise InputError(
                "an incident file ends in .yaml", file=incident, hint="e.g. postmortem lab incident.yaml"
            )
        if not path.exists() and not path.parent.is_dir():
            raise InputError("no such folder for the incident file", file=incident, hint="check the path")
        env[INCIDENT_ENV] = str(path)
    notebook = notebook or checkout_notebook()
    if notebook.exists():
        root = notebook.parent.parent
        target = notebook.relative_to(root).as_posix()
    else:
        root = cwd
        target = NOTEBOOK
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", target]
    if port is not None:
        argv.append(f"--port={port}")
    if not browser:
        argv.append("--no-browser")
    if is_root if is_root is not None else (hasattr(os, "geteuid") and os.geteuid() == 0):
        argv.append("--allow-root")
    return LabLaunch(argv=argv, root=root, env=env)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "lab",
        help="open the notebook workspace in JupyterLab",
        description="Start JupyterLab on the workspace notebook, opened on INCIDENT.yaml (created if new).",
    )
    parser.add_argument("incident", nargs="?", metavar="INCIDENT.yaml", help="the incident file to open")
    parser.add_argument("--port", type=int, help="port for JupyterLab (default: its own choice)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    launch = plan(args.incident, port=args.port, browser=not args.no_browser)
    notebook = launch.root / NOTEBOOK
    if launch.root != checkout_notebook().parent.parent and not notebook.exists():
        notebook.write_text(notebook_source(), encoding="utf-8")
        print(f"postmortem lab: wrote {notebook}", file=sys.stderr)
    env = {**os.environ, **launch.env}
    if os.name == "posix":
        # Become JupyterLab, so Ctrl-C and kill reach the server itself and no orphan is left behind.
        os.chdir(launch.root)
        os.execve(launch.argv[0], launch.argv, env)
    try:
        return subprocess.call(launch.argv, cwd=launch.root, env=env)
    except KeyboardInterrupt:
        return 130


__all__ = ["INCIDENT_ENV", "LabLaunch", "add_parser", "notebook_source", "plan", "run"]

"""Imports flow one way, down the pipeline: a room imports only from rooms below it.

    base (errors, sections, textmerge, wordlists, _fs, _templates) < timeline < incident, privacy
    < writing, review < export, store < revision < app < ui, cli

Rooms on one level do not import each other (``writing`` never imports ``review``, nor the reverse).
Only ``ui/`` imports ipywidgets. Every import counts: module level, inside functions, and under
``TYPE_CHECKING``. The package's ``__init__`` (the lazy public API) and ``__main__`` sit above it all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import REPO

PACKAGE = "postmortem_widgets"
ROOT = REPO / PACKAGE

LEVELS: dict[str, int] = {
    "errors": 0,
    "sections": 0,
    "_fs": 0,
    "_templates": 0,
    "textmerge": 0,
    "wordlists": 0,
    "templates": 0,
    "timeline": 1,
    "incident": 2,
    "privacy": 2,
    "writing": 3,
    "review": 3,
    "export": 4,
    "store": 4,
    "revision": 5,
    "app": 6,
    "ui": 7,
    "cli": 7,
}
#: Third-party packages only some rooms may import.
ONLY_IN: dict[str, frozenset[str]] = {"ipywidgets": frozenset({"ui"})}
#: Top-level modules exempt from the rule: the public API re-exports every room.
ABOVE_ALL = frozenset({"__init__", "__main__"})


def _room(parts: tuple[str, ...]) -> str:
    return parts[0].removesuffix(".py")


def _imports(path: Path, package_parts: tuple[str, ...]) -> list[tuple[int, str]]:
    """``(line, dotted module)`` of every import in ``path``; relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
                # ``from . import x`` names submodules: each counts as an import of that module.
                if node.module is None:
                    found.extend((node.lineno, f"{module}.{a.name}") for a in node.names)
                    continue
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def upward_imports(root: Path, package: str = PACKAGE) -> list[str]:
    """Every import in the package at ``root`` that breaks the layering, as ``file:line: why``."""
    problems: list[str] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).parts
        if len(relative) == 1 and relative[0].removesuffix(".py") in ABOVE_ALL:
            continue
        room = _room(relative)
        if room not in LEVELS:
            problems.append(
                f"{path.relative_to(root)}: {room!r} is not a room; add it to LEVELS and CONTRIBUTING.md"
            )
            continue
        for line, module in _imports(path, (package, *relative[:-1])):
            why = _breaks(room, module, package)
            if why:
                problems.append(f"{path.relative_to(root)}:{line}: {why}")
    return problems


def _breaks(room: str, module: str, package: str) -> str | None:
    """Why ``room`` may not import ``module``, or ``None`` when it may."""
    top = module.split(".")[0]
    if top in ONLY_IN and room not in ONLY_IN[top]:
        return f"only {', '.join(sorted(ONLY_IN[top]))} may import {top}"
    if top != package:
        return None
    parts = module.split(".")[1:]
    if not parts:
        return "imports the package's public API; import the room directly"
    target = _room(tuple(parts))
    if target == room or target not in LEVELS:
        return None
    if LEVELS[target] > LEVELS[room]:
        return f"{room} (level {LEVELS[room]}) imports {module} (level {LEVELS[target]})"
    if LEVELS[target] == LEVELS[room] and LEVELS[room] > 0:
        return f"{room} imports {module}, a room on its own level"
    if room == "cli" and target in ("ui", "app"):
        return f"cli imports {module}; the CLI stays on the library"
    return None


def test_the_package_imports_only_downwards() -> None:
    assert upward_imports(ROOT) == []


def test_every_top_level_module_is_a_known_room() -> None:
    names = {
        p.name.removesuffix(".py")
        for p in ROOT.iterdir()
        if p.suffix == ".py" or (p / "__init__.py").exists()
    }
    assert names - ABOVE_ALL <= set(LEVELS), sorted(names - ABOVE_ALL - set(LEVELS))


def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / PACKAGE
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for folder in {p.parent for p in root.rglob("*.py")}:
        (folder / "__init__.py").touch()
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"timeline/merge.py": "from ..review import check_draft\n"},
            "timeline (level 1) imports postmortem_widgets.review",
        ),
        (
            {"writing/prompt.py": "if TYPE_CHECKING:\n    from ..review.model import Finding\n"},
            "writing imports postmortem_widgets.review.model, a room on its own level",
        ),
        (
            {"incident/fill.py": "def f():\n    from ..app import session\n"},
            "incident (level 2) imports postmortem_widgets.app",
        ),
        ({"review/check.py": "import ipywidgets\n"}, "only ui may import ipywidgets"),
        (
            {"cli/draft.py": "from ..app.session import Session\n"},
            "cli imports postmortem_widgets.app.session",
        ),
        (
            {"export/api.py": "from postmortem_widgets.ui import Workspace\n"},
            "export (level 4) imports postmortem_widgets.ui",
        ),
        ({"store.py": "from . import app\n"}, "store (level 4) imports postmortem_widgets.app"),
    ],
)
def test_an_upward_import_is_caught(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    problems = upward_imports(_fake_package(tmp_path, files))
    assert len(problems) == 1 and expected in problems[0], problems


def test_downward_imports_pass(tmp_path: Path) -> None:
    root = _fake_package(
        tmp_path,
        {
            "review/check.py": "from ..incident.record import Incident\nfrom ..privacy.spans import Span\n",
            "ui/workspace.py": "import ipywidgets\nfrom ..app.session import Session\n",
            "cli/export.py": "from ..export.api import export_report\nfrom ..errors import PostmortemError\n",
            "sections.py": "from .errors import PostmortemError\n",
        },
    )
    assert upward_imports(root) == []

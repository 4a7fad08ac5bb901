"""The notebook workspace: ipywidgets over :class:`postmortem_widgets.app.session.Session`.

This package is the only place that imports ipywidgets. Each step is one small module; the widgets
hold no logic of their own and call the library.
"""

from __future__ import annotations

from .workspace import Workspace

__all__ = ["Workspace"]

"""The draft as one shared text: the form's editor, JupyterLab's collaborative editor and other forms.

With jupyter-collaboration on the Jupyter server that runs this kernel, the server keeps one shared
document (a pycrdt ``Y.Text``) per open file and saves it to disk itself. :class:`SharedText` joins the
room of ``drafts/working.md`` as one more client, so the form and every editor edit the same text live, and
the kernel never writes that file (a disk write while a room is open reloads every editor and loses what
they typed since). Without collaboration (not installed, disabled, no server found) the same
:class:`SharedText` runs locally and the form saves the working copy through the store's hash-checked,
merging write.

* :mod:`.edits`: edit scripts between two texts and the UTF-8 offsets pycrdt counts in.
* :mod:`.server`: which Jupyter server runs this kernel (URL, token, root folder) and whether it has RTC.
* :mod:`.room`: the y-websocket protocol of jupyter-collaboration's rooms (sync, awareness, save).
* :mod:`.text`: :class:`SharedText`, the thread that owns the pycrdt document, with blocking methods.

Nothing here imports ipywidgets: ``ui/`` binds its Textarea to :class:`SharedText`.
"""

from __future__ import annotations

from .server import JupyterServer, find_server
from .text import Peer, SharedText

__all__ = ["JupyterServer", "Peer", "SharedText", "find_server"]

"""Which Jupyter server runs this kernel, and whether it offers real-time collaboration for a file.

A kernel is started by its server, so the server is found among ``list_running_servers()`` by being this
process's parent (or else by serving the folder the file is in). ``POSTMORTEM_JUPYTER_URL`` and
``POSTMORTEM_JUPYTER_TOKEN`` override it (a proxy, a hub). The token comes from the server's runtime file,
else ``JUPYTERHUB_API_TOKEN``.

The mode (:meth:`JupyterServer.rtc_mode`) is ``"rtc"`` only when the collaboration routes answer *and*
JupyterLab's page does not say ``disableRTC``: with RTC disabled the routes still answer but JupyterLab's
editors do not use the rooms, so editing a room would reach nobody.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RTC, NO_RTC, RTC_DISABLED = "rtc", "no-rtc", "rtc-disabled"
_PAGE_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)


@dataclass(frozen=True)
class JupyterServer:
    """A running Jupyter server: its base URL (ending in ``/``), token and root folder."""

    url: str
    token: str
    root_dir: Path

    def relative(self, path: Path) -> str | None:
        """``path`` as the server names it (relative to its root, ``/`` separated), or ``None`` if outside."""
        try:
            return path.resolve().relative_to(self.root_dir.resolve()).as_posix()
        except ValueError:
            return None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"} if self.token else {}

    def request(self, method: str, route: str, *, body: Any = None, timeout: float = 5.0) -> tuple[int, str]:
        """One HTTP request to the server: ``(status, body text)``; an HTTP error status is returned too."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {**self.headers, **({"Content-Type": "application/json"} if data else {})}
        req = urllib.request.Request(self.url + route, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def rtc_mode(self, *, timeout: float = 5.0) -> str:
        """``rtc``, ``rtc-disabled`` or ``no-rtc`` (see the module); an unreachable server is ``no-rtc``."""
        try:
            status, _ = self.request("GET", "api/collaboration/session/probe", timeout=timeout)
            if status == 404:
                return NO_RTC
            status, page = self.request("GET", "lab", timeout=timeout)
        except OSError:
            return NO_RTC
        match = _PAGE_CONFIG.search(page) if status == 200 else None
        if match:
            try:
                if json.loads(match.group(1)).get("disableRTC"):
                    return RTC_DISABLED
            except ValueError:
                pass
        return RTC

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http")


def _running(runtime_dir: str | None) -> list[dict[str, Any]]:
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:  # pragma: no cover - jupyter_server is a dependency of jupyterlab
        return []
    try:
        return list(list_running_servers(runtime_dir))
    except OSError:
        return []


def pick_server(
    infos: Iterable[Mapping[str, Any]], *, near: Path, parent_pid: int, env: Mapping[str, str]
) -> JupyterServer | None:
    """The server among ``infos`` (runtime files) that started this kernel, or else serves ``near``."""
    serving: list[JupyterServer] = []
    for info in infos:
        url = str(info.get("url") or "")
        if not url:
            continue
        token = str(info.get("token") or env.get("JUPYTERHUB_API_TOKEN", ""))
        server = JupyterServer(
            url if url.endswith("/") else url + "/", token, Path(str(info.get("root_dir", "/")))
        )
        if info.get("pid") == parent_pid:
            return server
        if server.relative(near) is not None:
            serving.append(server)
    # The deepest root first: the server most specific to the file.
    serving.sort(key=lambda s: len(s.root_dir.parts), reverse=True)
    return serving[0] if serving else None


def find_server(near: Path, *, env: Mapping[str, str] | None = None) -> JupyterServer | None:
    """The Jupyter server this kernel belongs to, able to see ``near`` (see the module), or ``None``."""
    env = os.environ if env is None else env
    if env.get("POSTMORTEM_JUPYTER_URL"):
        url = env["POSTMORTEM_JUPYTER_URL"]
        root = Path(env.get("POSTMORTEM_JUPYTER_ROOT", os.getcwd()))
        return JupyterServer(
            url if url.endswith("/") else url + "/", env.get("POSTMORTEM_JUPYTER_TOKEN", ""), root
        )
    server = pick_server(
        _running(env.get("JUPYTER_RUNTIME_DIR")), near=near, parent_pid=os.getppid(), env=env
    )
    if server is None or server.relative(near) is None:
        return None
    return server


def quote_path(path: str) -> str:
    return urllib.parse.quote(path, safe="")


__all__ = ["NO_RTC", "RTC", "RTC_DISABLED", "JupyterServer", "find_server", "pick_server", "quote_path"]

"""Fixtures every test module may use. The helpers behind them are in ``tests/support``.

==================  ========  ===========================================================================
fixture             scope     provides
==================  ========  ===========================================================================
``data_dir``        session   ``tests/data``: inputs and golden files (``Path``)
``samples_dir``     session   ``sample_data``: the realistic sample incidents (``Path``)
``seed_incident``   session   the seed example, Anchor Analytics, loaded from
                              ``sample_data/anchor_analytics/incident.yaml`` (``Incident``); shared, so a
                              test that changes it fails (and it is put back): change a copy instead
``seed_timeline``   session   that incident's timeline (``Timeline``), read-only
``anchor_copy``     function  a copy of the seed example in ``tmp_path``, to write to; its incident file
``empty_incident``  function  ``empty_incident(**fields)``: a new incident file in ``tmp_path`` with only
                              ``fields`` set
``open_workspace``  function  ``open_workspace(path, **options)``: the widget workspace on ``path``, saving
                              at once and offering no samples unless the options say otherwise
``openai_server``   session   the local OpenAI-compatible HTTP server on 127.0.0.1
                              (:class:`tests.support.openai_server.OpenAIServer`); reset before and after
                              every test that uses it: no scripted replies, nothing received, the default
                              text in the default number of pieces
``browser``         function  Debian Chromium driven by Playwright (a Playwright ``Browser``), closed after
                              the test; the test is skipped where Playwright is not installed
``artifacts``       function  ``test-artifacts/`` in the checkout, created: screenshots and timings of the
                              browser tests, to look at after a run
==================  ========  ===========================================================================

The package is imported inside the fixtures, so collecting a module that needs none of it (pandas, widgets)
stays quick.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.openai_server import OpenAIServer
from tests.support.paths import DATA, SAMPLES, SEED_INCIDENT

if TYPE_CHECKING:
    from postmortem_widgets.incident.record import Incident
    from postmortem_widgets.timeline.merge import Timeline
    from postmortem_widgets.ui import Workspace
    from tests.support.ui import EmptyIncident, OpenWorkspace


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def seed_incident() -> Incident:
    from postmortem_widgets.incident.record import load_incident

    return load_incident(SEED_INCIDENT)


@pytest.fixture(autouse=True)
def _seed_incident_stays_as_loaded(request: pytest.FixtureRequest) -> Iterator[None]:
    """The seed incident is shared by the whole session: a change one test made would reach the next."""
    if "seed_incident" not in request.fixturenames:
        yield
        return
    incident: Incident = request.getfixturevalue("seed_incident")
    before = copy.deepcopy(incident)
    yield
    if incident != before or incident.base_dir != before.base_dir:
        vars(incident).update(vars(before))  # so the tests after it still see the seed as loaded
        pytest.fail(
            f"{request.node.nodeid} changed the shared seed_incident; change a dataclasses.replace copy "
            "(or write to anchor_copy) instead",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def seed_timeline(seed_incident: Incident) -> Timeline:
    from postmortem_widgets.incident.timeline import incident_timeline

    return incident_timeline(seed_incident)


@pytest.fixture
def anchor_copy(tmp_path: Path) -> Path:
    from tests.support import ui

    return ui.anchor_copy(tmp_path)


@pytest.fixture
def empty_incident(tmp_path: Path) -> EmptyIncident:
    from tests.support import ui

    def make(**fields: Any) -> Path:
        return ui.empty_incident(tmp_path, **fields)

    return make


@pytest.fixture
def open_workspace() -> OpenWorkspace:
    from tests.support import ui

    def open_(path: Path, **options: Any) -> Workspace:
        return ui.open_workspace(path, **options)

    return open_


@pytest.fixture(scope="session")
def openai_server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_openai_server(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the shared server sees it as if it had started it: nothing scripted or received.

    Autouse fixtures run first, so a module's own fixture may still set ``pieces`` or ``text`` for its tests.
    """
    if "openai_server" not in request.fixturenames:
        yield
        return
    server: OpenAIServer = request.getfixturevalue("openai_server")
    server.reset()
    yield
    server.reset()


@pytest.fixture
def browser() -> Iterator[Any]:
    from tests.support.lab import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def artifacts() -> Path:
    from tests.support.lab import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under ``make test`` (``POSTMORTEM_NO_SKIPS=1``) a skipped test fails: the Makefile installs every
    tool the tests need (Chromium, poppler, axe-core), so a skip there means a broken set-up, not a pass."""
    report: pytest.TestReport = yield
    if report.skipped and os.environ.get("POSTMORTEM_NO_SKIPS") and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped under POSTMORTEM_NO_SKIPS=1: {reason}"
    return report

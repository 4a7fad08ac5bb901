"""Helpers the tests share, imported by their full name (``from tests.support.openai_server import Reply``).

- :mod:`tests.support.paths` where the test data and the sample incidents are;
- :mod:`tests.support.net` a free port, and a server that records every request, on 127.0.0.1;
- :mod:`tests.support.openai_server` a local OpenAI-compatible server (the ``openai_server`` fixture);
- :mod:`tests.support.lab` a real JupyterLab and Chromium for the browser tests, and their page helpers;
- :mod:`tests.support.exports` what a published report must never contain;
- :mod:`tests.support.ui` incidents on disk for the widget tests, and driving widgets like a browser.

Fixtures built on these are in ``tests/conftest.py``.
"""

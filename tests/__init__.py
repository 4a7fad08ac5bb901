"""The test suite, a package so that helpers import by full name (``from tests.support.ui import cards``)."""

"""Streaming in a background thread: throttled updates, one finish, Stop between chunks, errors kept."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from postmortem_widgets.ui.generation import Generation


class Clock:
    """A clock that moves one second per reading, so every chunk is past the update interval."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def run(chunks: Iterator[str], **options: object) -> tuple[list[str], list[tuple[str, object, bool]]]:
    updates: list[str] = []
    finished: list[tuple[str, object, bool]] = []
    g = Generation(
        lambda: chunks,
        on_update=updates.append,
        on_finish=lambda text, error, stopped: finished.append((text, error, stopped)),
        **options,  # type: ignore[arg-type]
    )
    assert g.start().join(5)
    return updates, finished


def test_every_chunk_updates_when_the_interval_has_passed() -> None:
    updates, finished = run(iter(["a", "b", "c"]), interval=0.5, clock=Clock())
    assert updates == ["a", "ab", "abc", "abc"]
    assert finished == [("abc", None, False)]


def test_updates_are_throttled() -> None:
    updates, finished = run(iter(["a"] * 500), interval=60.0)
    assert updates == ["a" * 500]
    assert finished == [("a" * 500, None, False)]


def test_an_error_mid_stream_keeps_the_text_so_far() -> None:
    def chunks() -> Iterator[str]:
        yield "partial"
        raise ConnectionError("dropped")

    _, finished = run(chunks())
    text, error, stopped = finished[0]
    assert (text, type(error), str(error), stopped) == ("partial", ConnectionError, "dropped", False)


def test_stop_ends_between_chunks_and_closes_the_stream() -> None:
    started, release, closed = threading.Event(), threading.Event(), threading.Event()

    def chunks() -> Iterator[str]:
        try:
            yield "one "
            started.set()
            release.wait(5)
            yield "two "
            yield "three"
        finally:
            closed.set()

    finished: list[tuple[str, object, bool]] = []
    g = Generation(chunks, on_update=lambda _: None, on_finish=lambda *a: finished.append(a))
    g.start()
    assert started.wait(5) and g.running
    g.stop()
    release.set()
    assert g.join(5)
    assert closed.is_set()
    assert finished == [("one ", None, True)]

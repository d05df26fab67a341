"""Pacers sharing one frame end: what a send changes in several widgets is shown in one pass."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from profile_editor.ui.common.frame_pacer import FRAME_MS, Frame, FramePacer


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0  # seconds; far from anything shown

    def __call__(self) -> float:
        return self.now


def test_changes_within_a_frame_wait_for_one_end_and_are_shown_together(qtbot: QtBot) -> None:
    owner, frame, clock = QObject(), Frame(), _Clock()
    frame.clock = clock
    shown: list[str] = []
    field = FramePacer(owner, lambda: shown.append("field"), frame)
    status = FramePacer(owner, lambda: shown.append("status"), frame)
    # After a quiet frame each is shown at once (the first status of a start included).
    assert field.show_now() and status.show_now()
    # Within the frame: both wait for the same end, each shown once, in the order they came.
    assert not status.show_now() and not field.show_now() and not field.show_now()
    assert status.pending() and field.pending()
    qtbot.waitUntil(lambda: not status.pending() and not field.pending(), timeout=1000)
    assert shown == ["status", "field"]
    # A frame after that end: at once again.
    clock.now += FRAME_MS / 1000
    assert field.show_now() and not field.pending()


def test_a_pacer_without_a_shared_frame_has_its_own() -> None:
    owner = QObject()
    first, second = FramePacer(owner, lambda: None), FramePacer(owner, lambda: None)
    assert first.frame is not second.frame


@settings(max_examples=80, deadline=None)
@given(steps=st.lists(st.tuples(st.booleans(), st.floats(0, 0.05)), max_size=40))
def test_the_last_change_of_every_pacer_is_shown(steps: list[tuple[bool, float]]) -> None:
    """Whatever the order and timing of changes, each is shown at once or by a frame end that
    comes after it: once the last end has run, every pacer shows its latest change."""
    owner, frame, clock = QObject(), Frame(), _Clock()
    frame.clock = clock
    latest, shown = {"a": 0, "b": 0}, {"a": 0, "b": 0}
    pacers = {
        name: FramePacer(owner, lambda name=name: shown.__setitem__(name, latest[name]), frame)
        for name in ("a", "b")
    }
    for first, wait in steps:
        clock.now += wait
        if wait * 1000 > FRAME_MS + 1 and frame._timer.isActive():
            frame._timer.stop()  # a whole frame passed: its end came before this change
            frame._end()
        name = "a" if first else "b"
        latest[name] += 1
        if pacers[name].show_now():
            shown[name] = latest[name]
    if frame._timer.isActive():
        frame._timer.stop()
        frame._end()
    assert shown == latest


def test_a_failing_widget_does_not_keep_the_others_from_being_shown(qtbot: QtBot) -> None:
    owner, frame, clock = QObject(), Frame(), _Clock()
    frame.clock = clock
    shown: list[str] = []

    def fail() -> None:
        raise KeyError("unknown state")

    status = FramePacer(owner, fail, frame)
    field = FramePacer(owner, lambda: shown.append("field"), frame)
    assert status.show_now() and field.show_now()
    assert not status.show_now() and not field.show_now()  # both wait, the failing one first
    frame._timer.stop()
    with pytest.raises(KeyError):
        frame._end()
    assert shown == ["field"] and not field.pending() and not status.pending()

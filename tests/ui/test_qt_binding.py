"""Guards against Qt binding releases that break the app at run time."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(object)


def test_emit_keeps_reference_counts() -> None:
    # PySide6 6.12.0 dropped a reference to True on every emit and aborted the process after a
    # few thousand signals; the app emits several per send.
    emitter = _Emitter()
    emitter.fired.connect(lambda _value: None)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.fired.emit(1)
    assert abs(sys.getrefcount(True) - before) < 50

"""Letting the UI thread in during long pure-Python loops on worker threads.

A worker that walks a 6 MB profile holds the GIL except when the interpreter forces a switch
(every 5 ms by default); meanwhile each call from Qt into Python on the UI thread (a model's
``data()``, a slot) waits for that switch. Long loops therefore pause briefly every few hundred
items when they run off the main thread, so the UI thread gets the GIL as soon as it asks.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["STRIDE", "gc_quiet", "pause"]

# Items between pauses: about a millisecond of work on the profiles this app handles.
STRIDE = 256
_PAUSE_S = 0.0002


def pause(index: int) -> None:
    """Call with a running index inside a long loop; every ``STRIDE`` items, off the main
    thread, sleep just long enough for a waiting thread to take the GIL."""
    if index % STRIDE == 0 and index and threading.current_thread() is not _MAIN:
        time.sleep(_PAUSE_S)


_MAIN = threading.main_thread()


@contextmanager
def gc_quiet() -> Iterator[None]:
    """Build a large JSON value without the cyclic garbage collector running in the middle.

    Decoding a 6 MB profile allocates hundreds of thousands of objects; the allocations trigger
    full collections that walk every object the app holds (several such profiles) while holding
    the GIL — a 100 ms freeze of the UI thread. JSON values hold no reference cycles, so the
    objects made here are moved out of the collector's sight afterwards (``gc.freeze``);
    reference counting still frees them. The price: a reference cycle alive at that moment that
    becomes garbage later is not collected — a few small objects per large load, accepted.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()

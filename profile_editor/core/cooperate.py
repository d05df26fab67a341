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

__all__ = ["BACKGROUND_STRIDE", "STRIDE", "background", "gc_quiet", "pause"]

# Items between pauses: about a millisecond of work on the profiles this app handles.
STRIDE = 256
_PAUSE_S = 0.0002
# Work nobody waits for (history and draft writes) pauses eight times as often, for longer: while
# the UI thread paints a table, each of its calls into Python (a model's data()) waits for the
# worker's next pause, so a paint of a hundred cells would otherwise wait a hundred pauses apart.
BACKGROUND_STRIDE = 32
_BACKGROUND_PAUSE_S = 0.0005

_MAIN = threading.main_thread()
_local = threading.local()


def pause(index: int) -> None:
    """Call with a running index inside a long loop; every ``STRIDE`` items (``BACKGROUND_STRIDE``
    inside :func:`background`), off the main thread, sleep just long enough for a waiting thread
    to take the GIL."""
    if index % BACKGROUND_STRIDE or not index:
        return
    if getattr(_local, "background", False):
        time.sleep(_BACKGROUND_PAUSE_S)
    elif index % STRIDE == 0 and threading.current_thread() is not _MAIN:
        time.sleep(_PAUSE_S)


@contextmanager
def background() -> Iterator[None]:
    """Run the block on this worker thread as work nobody waits for: its loops give way more."""
    if threading.current_thread() is _MAIN:
        yield  # the main thread never waits on itself
        return
    was = getattr(_local, "background", False)
    _local.background = True
    try:
        yield
    finally:
        _local.background = was


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

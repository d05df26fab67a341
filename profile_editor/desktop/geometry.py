"""Putting a restored window where the user can see it, whatever screens are attached now."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class Rect(NamedTuple):
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def contains(self, other: Rect) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def overlap_area(self, other: Rect) -> int:
        width = min(self.right, other.right) - max(self.x, other.x)
        height = min(self.bottom, other.bottom) - max(self.y, other.y)
        return max(width, 0) * max(height, 0)


def fit_geometry_to_screens(
    geometry: tuple[int, int, int, int], screens: Sequence[tuple[int, int, int, int]]
) -> Rect:
    """``geometry`` (x, y, width, height) moved and shrunk as little as needed to lie on a screen.

    ``screens`` are the available areas of the screens attached now, the primary one first. A
    window wholly on one screen stays as it is. Otherwise it goes to the screen it overlaps most
    (the primary one if it overlaps none, e.g. after the monitor it was on was unplugged), shrunk
    to fit that screen and moved the least distance that brings it fully onto it.
    """
    rect = Rect(*geometry)
    areas = [Rect(*s) for s in screens if s[2] > 0 and s[3] > 0]
    if not areas or any(area.contains(rect) for area in areas):
        return rect
    target = max(areas, key=rect.overlap_area)
    if target.overlap_area(rect) == 0:
        target = areas[0]
    width = min(max(rect.width, 1), target.width)
    height = min(max(rect.height, 1), target.height)
    x = min(max(rect.x, target.x), target.right - width)
    y = min(max(rect.y, target.y), target.bottom - height)
    return Rect(x, y, width, height)

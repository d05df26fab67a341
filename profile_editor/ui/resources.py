"""Icons and the stylesheet, loaded from the installed package (they ship in the wheel)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtGui import QIcon


@cache
def read_text(name: str) -> str:
    return (resources.files("profile_editor.resources") / name).read_text(encoding="utf-8")


@cache
def icon(name: str) -> QIcon:
    path = resources.files("profile_editor.resources") / "icons" / f"{name}.svg"
    with resources.as_file(path) as file:
        return QIcon(str(file))


@cache
def app_icon() -> QIcon:
    with resources.as_file(resources.files("profile_editor.resources") / "app.svg") as file:
        return QIcon(str(file))

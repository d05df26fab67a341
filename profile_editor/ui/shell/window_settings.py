"""Window layout, last environment and last preset, kept in ``settings.ini`` (never a key)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

__all__ = ["WindowSettings"]


class WindowSettings:
    def __init__(self, path: Path) -> None:
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    def last_environment(self) -> str:
        return str(self._settings.value("environment", "") or "")

    def last_preset(self) -> Path | None:
        last = str(self._settings.value("preset", "") or "")
        return Path(last) if last and Path(last).is_file() else None

    def restore_layout(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
        settings = self._settings
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            window.restoreGeometry(geometry)
        state = settings.value("windowState")
        if isinstance(state, QByteArray):
            window.restoreState(state)
        for name, splitter in splitters.items():
            value = settings.value(name)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)

    def save(
        self,
        window: QMainWindow,
        splitters: dict[str, QSplitter],
        *,
        environment: str | None,
        preset: Path | None,
    ) -> None:
        settings = self._settings
        settings.setValue("geometry", window.saveGeometry())
        settings.setValue("windowState", window.saveState())
        for name, splitter in splitters.items():
            settings.setValue(name, splitter.saveState())
        if environment is not None:
            settings.setValue("environment", environment)
        settings.setValue("preset", str(preset) if preset is not None else "")
        settings.sync()

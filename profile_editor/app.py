"""Entry points: ``create_main_window`` (the automation contract) and ``main`` (the app)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow


def create_main_window(
    *,
    base_url: str,
    auth_token: str | None,
    data_dir: Path,
    **options: Any,
) -> QMainWindow:
    """The fully wired window, not yet shown, for an existing QApplication.

    Everything it persists goes under ``data_dir``. ``options`` tune what tests and the
    ``--sandbox`` mode need (``sandbox``, ``connect_timeout``, ``total_timeout``,
    ``retry_base_delay``, ``environment_name``, ``environment_color``, ``key_source``).
    """
    from profile_editor.core.config import normalize_base_url
    from profile_editor.ui.main_window import MainWindow
    from profile_editor.ui.window_config import WindowConfig

    data_dir.mkdir(parents=True, exist_ok=True)
    config = WindowConfig(
        base_url=normalize_base_url(base_url), api_key=auth_token, data_dir=data_dir, **options
    )
    return MainWindow(config)


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="profile-editor", description="Edit and send Courier recipient profiles."
    )
    parser.add_argument("--base-url", help="API base URL (default: $COURIER_BASE_URL or Courier's)")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start a local sandbox API in the app and point the window at it (no key needed)",
    )
    parser.add_argument("--data-dir", type=Path, help="where presets, history and settings live")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtWidgets import QApplication, QMessageBox

    from profile_editor.core.config import ConfigError, resolve_api_key, resolve_base_url
    from profile_editor.ui.resources import app_icon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Profile Editor")
    app.setOrganizationName("profile-editor")
    app.setWindowIcon(app_icon())
    data_dir = args.data_dir or _default_data_dir()
    options: dict[str, Any] = {}
    sandbox = None
    key: str | None
    try:
        if args.sandbox:
            from profile_editor.sandbox.server import start_sandbox

            data_dir.mkdir(parents=True, exist_ok=True)
            sandbox = start_sandbox(port=0, db_path=data_dir / "sandbox.sqlite3")
            base_url, key = sandbox.url, sandbox.key
            options.update(
                sandbox=True,
                environment_name="Sandbox",
                environment_color="#00897b",
                key_source="sandbox key",
            )
        else:
            base_url = resolve_base_url(args.base_url, os.environ)
            key = resolve_api_key(os.environ)
            from_environ = None if args.base_url else _environ_environment()
            if from_environ is not None:
                env, key = from_environ
                options.update(
                    environment_name=env.name,
                    environment_color=env.color,
                    environment_protected=env.protected,
                    key_source="from environment" if key else "",
                )
            elif args.base_url:
                options.update(
                    environment_name="Command line", key_source="from environment" if key else ""
                )
        window = create_main_window(base_url=base_url, auth_token=key, data_dir=data_dir, **options)
    except ConfigError as err:
        QMessageBox.critical(None, "Profile Editor", str(err))
        return 2
    window.show()
    try:
        return app.exec()
    finally:
        if sandbox is not None:
            sandbox.stop()


def _environ_environment() -> tuple[Any, str | None] | None:
    """COURIER_API_KEY / COURIER_BASE_URL as an environment of their own, as the SDKs read them."""
    from profile_editor.core.config import ConfigError
    from profile_editor.storage.environments import env_from_os_environ

    try:
        return env_from_os_environ(os.environ)
    except ValueError as err:
        raise ConfigError(str(err)) from None


def _default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("profile-editor", appauthor=False))

"""Entry points: ``create_main_window`` (the automation contract) and ``main`` (the app)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from PySide6.QtWidgets import QApplication

    from profile_editor.ui.shell.main_window import MainWindow
    from profile_editor.ui.shell.single_instance import InstanceServer

log = logging.getLogger("profile_editor.app")


def create_main_window(
    *,
    base_url: str,
    auth_token: str | None,
    data_dir: Path,
    **options: Any,
) -> MainWindow:
    """The window, not yet shown, for an existing QApplication.

    It is built in two steps: what its first frame shows, now; the rest (storage, HTTP client,
    keychain, history, the other tabs, the wiring) right after its first paint, or when
    ``finish_start()`` is called. Its ``started`` signal says when that is done; until then a
    click on Load or Send waits. Everything it persists goes under ``data_dir``. ``options`` tune what tests and the
    ``--sandbox`` mode need (``sandbox``, ``connect_timeout``, ``total_timeout``,
    ``retry_base_delay``, ``environment_name``, ``environment_color``, ``key_source``).
    """
    from profile_editor.core.http.config import normalize_base_url
    from profile_editor.ui.shell.main_window import MainWindow
    from profile_editor.ui.shell.window_config import WindowConfig

    data_dir.mkdir(parents=True, exist_ok=True)
    config = WindowConfig(
        base_url=normalize_base_url(base_url), api_key=auth_token, data_dir=data_dir, **options
    )
    return MainWindow(config)


class StartOptions:
    """The command line as the start reads it: one attribute per option of :func:`_parser`."""

    __slots__ = (
        "base_url",
        "data_dir",
        "exit_after_first_paint",
        "history_keep",
        "install_desktop_entry",
        "new_window",
        "sandbox",
        "self_test",
        "verbose",
    )

    def __init__(
        self,
        *,
        base_url: str | None = None,
        sandbox: bool = False,
        data_dir: Path | None = None,
        history_keep: str | None = None,
        new_window: bool = False,
        verbose: bool = False,
        install_desktop_entry: bool = False,
        self_test: bool = False,
        exit_after_first_paint: bool = False,
    ) -> None:
        self.base_url = base_url
        self.sandbox = sandbox
        self.data_dir = data_dir
        self.history_keep = history_keep
        self.new_window = new_window
        self.verbose = verbose
        self.install_desktop_entry = install_desktop_entry
        self.self_test = self_test
        self.exit_after_first_paint = exit_after_first_paint

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StartOptions):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"StartOptions({fields})"


# The options a start reads without argparse (building the parser costs the first frame about
# 2 ms, and its messages load gettext and locale): option → attribute. _parser is the reference.
_FLAGS = {
    "--sandbox": "sandbox",
    "--new-window": "new_window",
    "--verbose": "verbose",
    "--install-desktop-entry": "install_desktop_entry",
    "--self-test": "self_test",
    "--exit-after-first-paint": "exit_after_first_paint",
}
_VALUES = {"--base-url": "base_url", "--data-dir": "data_dir", "--history-keep": "history_keep"}


def read_argv_quickly(argv: list[str]) -> StartOptions | None:
    """``argv`` as argparse would read it, for the plain cases; None for anything else (help,
    ``--version``, an abbreviation, a value that looks like an option, an error), which
    :func:`_parse_args` then reads. A property test holds the two to the same answers."""
    values: dict[str, Any] = {}
    at = 0
    while at < len(argv):
        name, equals, value = argv[at].partition("=")
        if name in _FLAGS and not equals:
            values[_FLAGS[name]] = True
        elif name in _VALUES:
            if not equals:
                at += 1
                if at == len(argv) or argv[at].startswith("-"):
                    return None  # missing, or an option or a negative number: argparse decides
                value = argv[at]
            dest = _VALUES[name]
            values[dest] = Path(value) if dest == "data_dir" else value
        else:
            return None
        at += 1
    return StartOptions(**values)


def _parser() -> argparse.ArgumentParser:
    import argparse

    from profile_editor.version import VersionAction

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
    parser.add_argument(
        "--history-keep",
        metavar="KEEP",
        help="how much history to keep: days and/or requests, e.g. 365d,1000000 (the default)",
    )
    parser.add_argument(
        "--new-window",
        action="store_true",
        help="open a window of its own even if the app already runs for this data directory",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="also print the log (and Qt's messages) to stderr"
    )
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add Profile Editor and its icon to your desktop's applications menu, then exit",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation end to end against a built-in sandbox, without a window",
    )
    parser.add_argument("--exit-after-first-paint", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--version", action=VersionAction)
    return parser


def _parse_args(argv: list[str]) -> StartOptions:
    """``argv`` read by argparse: help, ``--version`` and errors exit here."""
    return StartOptions(**vars(_parser().parse_args(argv)))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = read_argv_quickly(argv) or _parse_args(argv)
    if args.self_test:
        from profile_editor.ui.shell.self_test import run_self_test

        return run_self_test(data_dir=args.data_dir)
    if args.install_desktop_entry:
        from profile_editor.desktop.entry import describe, install_desktop_entry

        print(describe(install_desktop_entry()))
        return 0
    data_dir = args.data_dir or _default_data_dir()
    from profile_editor.diagnostics.log_setup import configure_logging

    log_setup = configure_logging(data_dir, verbose=args.verbose)
    try:
        return _start(args, data_dir, log_setup.path)
    except Exception:
        log.exception("Profile Editor stopped on an unexpected error")
        raise
    finally:
        log.info("Profile Editor stopped")
        log_setup.close()


def _start(args: StartOptions, data_dir: Path, log_path: Path) -> int:
    """Platform check, QApplication, single instance, crash hooks; then the window."""
    from profile_editor.desktop.platform_check import check_platform

    missing = check_platform(os.environ)
    if missing is not None:
        log.error("Missing libraries for Qt's xcb plugin: %s", ", ".join(missing.libraries))
        print(missing.message(), file=sys.stderr)
        return 1

    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        from profile_editor.desktop.platform_check import explain_qt_import_error

        hint = explain_qt_import_error(exc)
        if hint is None:
            raise
        log.error("Qt cannot be imported: %s", exc)
        print(hint, file=sys.stderr)
        return 1

    from profile_editor.desktop.identity import (
        APP_ID,
        APP_NAME,
        ORGANIZATION_DOMAIN,
        ORGANIZATION_NAME,
    )

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setOrganizationDomain(ORGANIZATION_DOMAIN)
    app.setDesktopFileName(APP_ID)
    log.info("Profile Editor starting: data in %s, Qt platform %s", data_dir, app.platformName())

    from profile_editor.ui.shell.single_instance import activate_running_instance, server_name

    name = None
    if not args.new_window:
        name = server_name(data_dir)
        if activate_running_instance(name):
            log.info("Already running for %s: showed that window instead", data_dir)
            print("Profile Editor already runs for this data directory: showed its window.")
            return 0

    from profile_editor.diagnostics.crash import install_crash_hooks
    from profile_editor.ui.shell.error_reporter import ErrorReporter
    from profile_editor.ui.shell.qt_messages import install_qt_message_logging

    restore_qt_messages = install_qt_message_logging()
    reporter = ErrorReporter(log_path)
    hooks = install_crash_hooks(reporter.notify)
    servers: list[InstanceServer] = []
    try:
        return _run_window(args, app, data_dir, name, servers)
    finally:
        hooks.uninstall()
        reporter.close()
        restore_qt_messages()
        for server in servers:
            server.close()
            server.deleteLater()


def _listen(name: str, window: MainWindow, servers: list[InstanceServer]) -> None:
    """Listen for later launches (after the first frame: QtNetwork is not needed before)."""
    from profile_editor.ui.shell.bring_to_front import bring_to_front
    from profile_editor.ui.shell.single_instance import InstanceServer

    server = InstanceServer(name)
    if server.listen():
        server.activationRequested.connect(lambda token: bring_to_front(window, token))
        servers.append(server)
    else:
        server.deleteLater()


def _run_window(
    args: StartOptions,
    app: QApplication,
    data_dir: Path,
    name: str | None,
    servers: list[InstanceServer],
) -> int:
    from profile_editor.core.http.config import ConfigError, resolve_api_key, resolve_base_url
    from profile_editor.diagnostics.masking import register_secret
    from profile_editor.ui.common.resources import app_icon
    from profile_editor.ui.shell.screen_fit import fit_window_to_screens

    app.setWindowIcon(app_icon())
    options: dict[str, Any] = {}
    sandbox = None
    key: str | None
    try:
        if args.sandbox:
            from profile_editor.sandbox.demo import DEMO_RECIPIENT, start_demo_sandbox

            # A newcomer's first Load shows a whole recipient ("demo-recipient").
            sandbox = start_demo_sandbox(data_dir)
            base_url, key = sandbox.url, sandbox.key
            log.info("Sandbox API started at %s", base_url)
            options.update(
                sandbox=True,
                environment_name="Sandbox",
                environment_color="#00897b",
                key_source="sandbox key",
                demo_recipient=DEMO_RECIPIENT,
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
        register_secret(key)
        if args.history_keep:
            from profile_editor.storage.history_db import parse_keep

            try:
                options["history_keep"] = parse_keep(args.history_keep)
            except ValueError as err:
                raise ConfigError(f"--history-keep: {err}") from None
        window = create_main_window(base_url=base_url, auth_token=key, data_dir=data_dir, **options)
    except ConfigError as err:
        from PySide6.QtWidgets import QMessageBox  # only for this message: not on the first frame

        log.error("Not started: %s", err)
        QMessageBox.critical(None, "Profile Editor", str(err))
        if sandbox is not None:
            sandbox.stop()
        return 2
    fit_window_to_screens(window)
    if name is not None:
        window.started.connect(lambda: _listen(name, window, servers))
    if args.exit_after_first_paint:  # start-up benchmarks of a build that runs no other code
        from profile_editor.ui.shell.startup_probe import exit_after_first_paint

        exit_after_first_paint(app)
    window.show()
    try:
        return app.exec()
    finally:
        if sandbox is not None:
            sandbox.stop()


def _environ_environment() -> tuple[Any, str | None] | None:
    """COURIER_API_KEY / COURIER_BASE_URL as an environment of their own, as the SDKs read them."""
    from profile_editor.core.http.config import ConfigError
    from profile_editor.storage.environment_data import environment_from_os_environ

    try:
        return environment_from_os_environ(os.environ)
    except ValueError as err:
        raise ConfigError(str(err)) from None


def _default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("profile-editor", appauthor=False))

"""A second launch shows the running window instead of starting another."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from pytestqt.qtbot import QtBot

from profile_editor.ui.shell.single_instance import (
    InstanceServer,
    activate_running_instance,
    server_name,
)


@pytest.fixture
def server(tmp_path: Path, qtbot: QtBot) -> Iterator[InstanceServer]:
    instance = InstanceServer(server_name(tmp_path / "data"))
    yield instance
    instance.close()
    instance.deleteLater()


CLIENT = """
import sys
from PySide6.QtCore import QCoreApplication
from profile_editor.ui.shell.single_instance import activate_running_instance
app = QCoreApplication(sys.argv[:1])
print(activate_running_instance(sys.argv[1]))
"""


def activate_from_another_process(name: str, qtbot: QtBot, token: str = "") -> bool:
    """What a later launch does, from a process of its own (the way it really happens)."""
    env = {k: v for k, v in os.environ.items() if k != "XDG_ACTIVATION_TOKEN"}
    if token:
        env["XDG_ACTIVATION_TOKEN"] = token
    with subprocess.Popen(
        [sys.executable, "-c", CLIENT, name], stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        # The server answers from this process's event loop, so keep it spinning meanwhile.
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
        assert proc.stdout is not None
        return proc.stdout.read().strip() == "True"


def test_names_differ_per_user_and_data_dir(tmp_path: Path) -> None:
    a = server_name(tmp_path / "a", user="ann")
    assert a == server_name(tmp_path / "a" / ".." / "a", user="ann")
    assert a != server_name(tmp_path / "b", user="ann")
    assert a != server_name(tmp_path / "a", user="bob")
    assert len(a) < 60


def test_the_name_is_the_same_as_with_hashlib_and_getpass(tmp_path: Path) -> None:
    # Without hashlib and getpass (first-frame imports) a launch still finds a running instance.
    import getpass
    import hashlib

    from profile_editor.ui.shell.single_instance import _user

    assert _user() == getpass.getuser()
    resolved = str((tmp_path / "d").resolve())
    digest = hashlib.sha256(f"ann\0{resolved}".encode()).hexdigest()[:20]
    assert server_name(tmp_path / "d", user="ann") == f"profile-editor-{digest}"


def test_a_later_launch_asks_the_running_one_to_show_itself(
    server: InstanceServer, qtbot: QtBot
) -> None:
    assert server.listen()
    with qtbot.waitSignal(server.activationRequested, timeout=30_000) as blocker:
        assert activate_from_another_process(server.name, qtbot)
    assert blocker.args == [""]


def test_the_launchers_wayland_activation_token_is_handed_on(
    server: InstanceServer, qtbot: QtBot
) -> None:
    assert server.listen()
    with qtbot.waitSignal(server.activationRequested, timeout=30_000) as blocker:
        assert activate_from_another_process(server.name, qtbot, token="kwin-1234_abc")
    assert blocker.args == ["kwin-1234_abc"]


def test_nothing_running_means_no_activation(tmp_path: Path, qtbot: QtBot) -> None:
    assert activate_running_instance(server_name(tmp_path / "nobody")) is False


def test_a_second_server_for_the_same_data_dir_does_not_steal_the_name(
    server: InstanceServer, qtbot: QtBot
) -> None:
    assert server.listen()
    second = InstanceServer(server.name)
    try:
        assert not second.listen()  # the live one answers the probe: its socket is kept
        with qtbot.waitSignal(server.activationRequested, timeout=30_000):
            assert activate_from_another_process(server.name, qtbot)
    finally:
        second.close()
        second.deleteLater()


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no file behind")
@pytest.mark.qt_log_ignore("QLocalSocket")
def test_a_stale_socket_from_a_crash_is_removed(tmp_path: Path, qtbot: QtBot) -> None:
    name = server_name(tmp_path / "crashed")
    path = Path(QDir.tempPath()) / name
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # bound, never listening, never removed: what a kill -9 leaves
    stale.close()
    assert path.exists()
    instance = InstanceServer(name)
    try:
        assert instance.listen() and instance.is_listening
        with qtbot.waitSignal(instance.activationRequested, timeout=30_000):
            assert activate_from_another_process(name, qtbot)
    finally:
        instance.close()
        instance.deleteLater()


# ------------------------------------------------------------------ real processes


def wait_for_log(log: Path, text: str, proc: subprocess.Popen[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text(encoding="utf-8") if log.exists() else ""
        if text in content:
            return content
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode} before {text!r}:\n{content}")
        time.sleep(0.05)  # polling a file with a deadline, not waiting a fixed time
    raise AssertionError(f"{text!r} not in the log within {timeout} s")


def launch(data_dir: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "profile_editor", "--sandbox", "--data-dir", str(data_dir), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
    proc.communicate(timeout=30)


@pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals")
def test_two_launches_talk_over_the_local_socket(tmp_path: Path, child_env: dict[str, str]) -> None:
    data_dir = tmp_path / "data"
    log = data_dir / "logs" / "profile-editor.log"
    first = launch(data_dir, child_env)
    try:
        wait_for_log(log, "Listening for other launches", first)
        second = subprocess.run(
            [sys.executable, "-m", "profile_editor", "--data-dir", str(data_dir)],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 0, second.stderr
        assert "already runs" in second.stdout
        wait_for_log(log, "Another launch asked for the window", first)
        assert first.poll() is None  # the first one is still running

        # --new-window opts out: a window of its own, the first one not asked.
        third = launch(data_dir, child_env, "--new-window")
        try:
            content = wait_for_log(log, f"[{third.pid} MainThread] Profile Editor starting", third)
            assert content.count("Another launch asked for the window") == 1
        finally:
            stop(third)

        # The first one dies without cleaning up: the next launch clears the stale socket.
        stop(first, signal.SIGKILL)
        fourth = launch(data_dir, child_env)
        try:
            wait_for_log(log, "Removing the stale instance socket", fourth)
            wait_for_log(log, f"[{fourth.pid} MainThread] Listening for other launches", fourth)
        finally:
            stop(fourth)
    finally:
        stop(first, signal.SIGKILL)

"""One running app per user and data directory: a second launch asks the first to show itself.

The first launch listens on a local socket (a Unix socket in the temp dir, a named pipe on
Windows) named after the user and the resolved data directory, readable by that user only. A
later launch connects, sends one line (``activate`` and, when its launcher gave it one, the
Wayland activation token: ``activate TOKEN``), waits for ``ok`` and exits. Under Wayland a window
may only take the focus with such a token, so it is handed on with the request. A socket file left
by a crashed run accepts no connection; it is removed and listened on afresh.

QtNetwork is imported only when there is something to talk to: on Unix a launch that finds no
socket file knows at once that nothing runs, and the first launch listens after its window's first
frame.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalSocket

log = logging.getLogger("profile_editor.single_instance")

ACTIVATE = b"activate"
ACK = b"ok\n"
MAX_LINE = 1024
CONNECT_TIMEOUT_MS = 500
ANSWER_TIMEOUT_MS = 3000


def _sha256_hex(data: bytes) -> str:
    # The interpreter's built-in SHA-256 where there is one: hashlib loads OpenSSL (2-3 ms of the
    # first frame); the digest is the same, and so is the name.
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]  # Python 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]  # Python 3.12+
        except ImportError:
            from hashlib import sha256
    return str(sha256(data).hexdigest())


def _user() -> str:
    # getpass.getuser's order, without importing getpass (its terminal code costs 1 ms at start).
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if name := os.environ.get(variable):
            return name
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):  # no passwd entry (some containers), or Windows
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def server_name(data_dir: Path, user: str | None = None) -> str:
    """Short (Unix socket paths are limited to about 100 bytes) and stable per user and data dir."""
    resolved = str(Path(data_dir).expanduser().resolve())
    digest = _sha256_hex(f"{user or _user()}\0{resolved}".encode())[:20]
    return f"profile-editor-{digest}"


def activate_running_instance(name: str, activation_token: str | None = None) -> bool:
    """True when a running instance answered and will show its window; then this launch exits.

    ``activation_token`` defaults to ``$XDG_ACTIVATION_TOKEN``, the token a Wayland launcher gives
    the process it starts.
    """
    token = (
        os.environ.get("XDG_ACTIVATION_TOKEN", "") if activation_token is None else activation_token
    )
    token = "".join(token.split())  # one line, no spaces: it is opaque text
    where = _socket_file(name)
    if where is not None and not where.exists():
        return False  # nothing listens, and no stale socket: no need to load QtNetwork
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    try:
        line = ACTIVATE + (b" " + token.encode() if token else b"") + b"\n"
        socket.write(line[:MAX_LINE])
        if not socket.waitForBytesWritten(ANSWER_TIMEOUT_MS):
            return False
        answer = b""
        while not answer.endswith(b"\n") and socket.waitForReadyRead(ANSWER_TIMEOUT_MS):
            answer += bytes(socket.readAll().data())
        # A hung instance does not answer: the caller starts one of its own then.
        return answer == ACK
    finally:
        socket.abort()


def _answers(name: str) -> bool:
    from PySide6.QtNetwork import QLocalSocket

    probe = QLocalSocket()
    probe.connectToServer(name)
    alive = probe.waitForConnected(CONNECT_TIMEOUT_MS)
    probe.abort()
    return alive


def _socket_file(name: str) -> Path | None:
    """Where Qt puts the socket on Unix (Windows uses named pipes: no file)."""
    if sys.platform == "win32":
        return None
    return Path(name) if Path(name).is_absolute() else Path(QDir.tempPath()) / name


class InstanceServer(QObject):
    """Listens for later launches of the app.

    Signals:
        activationRequested(str): a later launch wants the running window shown and raised; the
            Wayland activation token it was given ("" when none), for :func:`bring_to_front`.
    """

    activationRequested = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        from PySide6.QtNetwork import QLocalServer

        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening, clearing a stale socket left by a crashed run; False if impossible.

        Another live instance is asked first: with the user-only access option Qt creates the
        socket elsewhere and renames it into place, which would silently take a live one's name.
        """
        if _answers(self.name):
            log.warning("Another instance already listens as %s", self.name)
            return False
        stale = _socket_file(self.name)
        if stale is not None and stale.exists():
            log.info("Removing the stale instance socket %s", stale)
            self._server.removeServer(self.name)
        if self._server.listen(self.name):
            log.info("Listening for other launches as %s", self.name)
            return True
        log.warning("Cannot listen for other launches: %s", self._server.errorString())
        return False

    @property
    def is_listening(self) -> bool:
        return self._server.isListening()

    def close(self) -> None:
        self._server.close()
        for socket in list(self._buffers):
            socket.abort()
        self._buffers.clear()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            if socket.bytesAvailable():
                self._on_ready_read(socket)

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            self._buffers[socket] = data[:MAX_LINE]  # a line is all we expect
            return
        command, _, token = data.split(b"\n", 1)[0].partition(b" ")
        self._buffers[socket] = b""
        if command == ACTIVATE:
            log.info("Another launch asked for the window")
            # Answered first: the other launch is waiting, whatever showing the window takes.
            socket.write(ACK)
            socket.flush()
            socket.disconnectFromServer()
            self.activationRequested.emit(token.decode("utf-8", "replace").strip())
        else:
            socket.disconnectFromServer()

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

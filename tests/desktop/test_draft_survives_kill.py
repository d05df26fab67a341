"""A draft survives ``kill -9``: start the app, type, kill it, start again, restore, compare.

Two real processes of ``profile_editor.app.main`` (offscreen). The children drive the window through
the widgets' object names from a wrapped ``QApplication.exec``; the app itself has no test hook.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

TYPED = {
    "recipient": "draft-user-7",
    "note": "half-way through a migration",
    # Not valid JSON yet: it must come back exactly as typed.
    "json": '{\n\t"name": "Zoë",\n\t"plan": ',
}

COMMON = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QPlainTextEdit
from profile_editor.app import main
from profile_editor.ui.common import dialogs
from profile_editor.ui.drafts import prompt as draft_prompt

def window():
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible())

def poll(done, then, deadline_ms=30_000, every_ms=20):
    # A deadline, not a fixed wait: check every 20 ms until done() or 30 s are up.
    left = [deadline_ms]
    def tick():
        if done():
            then()
        elif left[0] <= 0:
            print("timeout", flush=True); QApplication.exit(3)
        else:
            left[0] -= every_ms; QTimer.singleShot(every_ms, tick)
    tick()

real_exec = QApplication.exec
def run_with(script):
    def exec_(self):
        QTimer.singleShot(0, script)
        return real_exec()
    QApplication.exec = exec_
"""

TYPE_AND_WAIT = (
    COMMON
    + r"""
from pathlib import Path
typed = json.loads(sys.argv[2])
drafts = Path(sys.argv[1]) / "drafts"

def saved():
    for path in drafts.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("profile_text") == typed["json"] and record.get("note") == typed["note"]:
            return True
    return False

def type_draft():
    w = window()
    w.findChild(QLineEdit, "recipientIdEdit").setText(typed["recipient"])
    w.findChild(QLineEdit, "noteEdit").setText(typed["note"])
    edit = w.findChild(QPlainTextEdit, "rawJsonEdit")
    edit.setFocus()
    edit.selectAll()
    edit.insertPlainText(typed["json"])
    poll(saved, lambda: print("saved", flush=True))

def script():
    # As a user would: the JSON tab's page is built with the rest, after the first paint.
    poll(lambda: window().is_started(), type_draft)

run_with(script)
main(["--sandbox", "--new-window", "--data-dir", sys.argv[1]])
"""
)

RESTORE_AND_REPORT = (
    COMMON
    + r"""
asked = []
def ask(parent, record):
    asked.append(draft_prompt.restore_question(record))
    return True
draft_prompt.ask_restore_draft = ask
dialogs.ask_save_discard_cancel = lambda *a, **k: dialogs.Choice.DISCARD
dialogs.ask_discard = lambda *a, **k: True

def report():
    w = window()
    print(json.dumps({
        "asked": asked,
        "recipient": w.findChild(QLineEdit, "recipientIdEdit").text(),
        "note": w.findChild(QLineEdit, "noteEdit").text(),
        "json": w.findChild(QPlainTextEdit, "rawJsonEdit").toPlainText(),
    }), flush=True)
    w.close()  # a clean close: the draft goes

def script():
    poll(lambda: bool(asked), lambda: QTimer.singleShot(0, report))

run_with(script)
raise SystemExit(main(["--sandbox", "--new-window", "--data-dir", sys.argv[1]]))
"""
)


def window_keeps_drafts(qtbot: QtBot, data_dir: Path) -> bool:
    """Whether the window owns a draft keeper (it is wired in by the window itself)."""
    from keyring.backends.fail import Keyring as FailKeyring

    from profile_editor.app import create_main_window
    from profile_editor.ui.drafts.keeper import DraftKeeper

    window = create_main_window(
        base_url="http://127.0.0.1:9",
        auth_token=None,
        data_dir=data_dir,
        keyring_backend=FailKeyring(),
    )
    qtbot.addWidget(window)
    window.finish_start()  # never shown: build the rest now
    try:
        return bool(window.findChildren(DraftKeeper))
    finally:
        window.close()


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_a_draft_survives_kill_9_and_comes_back_exactly(
    tmp_path: Path, qtbot: QtBot, child_env: dict[str, str]
) -> None:
    if not window_keeps_drafts(qtbot, tmp_path / "probe"):
        pytest.skip("the window does not own a DraftKeeper yet")
    data_dir = tmp_path / "data"
    with subprocess.Popen(
        [sys.executable, "-c", TYPE_AND_WAIT, str(data_dir), json.dumps(TYPED)],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as first:
        try:
            assert first.stdout is not None
            # A child that stops early must fail the test, not leave it waiting for a line.
            ready, _, _ = select.select([first.stdout], [], [], 120)
            line = first.stdout.readline().strip() if ready else "no line in 120 s"
            assert line == "saved", first.stderr.read() if first.stderr else line
            os.kill(first.pid, signal.SIGKILL)
            first.wait(30)
        finally:
            if first.poll() is None:
                first.kill()
            first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL

    second = subprocess.run(
        [sys.executable, "-c", RESTORE_AND_REPORT, str(data_dir)],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    state = json.loads(second.stdout.strip().splitlines()[-1])
    [question] = state.pop("asked")
    assert question.startswith("Restore the unsaved draft from ")
    assert state == TYPED
    # The restored window closed cleanly: nothing is left to offer.
    assert list((data_dir / "drafts").glob("*.json")) == []

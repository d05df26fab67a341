"""The window's first frame: built from only what it shows, honest, and never a way to a wrong send.

The band on the first frame comes from a quick read of environments.json; the validated read
follows right after the first paint. A click on Load or Send before that waits for it, and is
dropped (with the reason on the status line) when the validated environment is not the one the
band showed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from driver import MakeWindow  # type: ignore[import-not-found]
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton, QTableView, QWidget
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.environment_data import EnvironmentData
from profile_editor.storage.environments import Environment, EnvironmentStore
from profile_editor.storage.presets import Preset, PresetStore
from profile_editor.ui.common.resources import read_text
from profile_editor.ui.shell import main_window
from profile_editor.ui.shell.first_frame import FIRST_FRAME_STYLED

SANDBOX_COLOR = "#00897b"
# Never contacted: a port nothing listens on.
CLOSED_URL = "http://127.0.0.1:9"

# Imported at the first paint, they would make it wait: models, HTTP, keychain, history.
HEAVY = (
    "pydantic",
    "pydantic_core",
    "httpx",
    "httpcore",
    "keyring",
    "PySide6.QtNetwork",
    "profile_editor.storage.environments",
    "profile_editor.storage.presets",
    "profile_editor.storage.history",
    "profile_editor.storage.drafts",
    "profile_editor.storage.secrets",
    "profile_editor.core.http.client",
    "_hashlib",  # OpenSSL, loaded by hashlib: the instance name uses the built-in SHA-256
    "getpass",
    # Each dataclass compiles its methods when its class is made: the first frame's value
    # classes are plain classes.
    "dataclasses",
    # The JSON tab's page (its editor, highlighter and find bar) and the table's multi-line
    # cell editor: built after the first paint, and when a cell is first edited.
    "profile_editor.ui.editor.json_page",
    "profile_editor.ui.editor.json_edit",
    "profile_editor.ui.editor.profile_json_edit",
    "profile_editor.ui.editor.find_bar",
    "profile_editor.ui.editor.cell_text_edit",
    # Loaded by argparse's messages (gettext): the command line is read without argparse.
    "locale",
)

FIRST_PAINT = """
import json, os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            print(json.dumps(sorted(sys.modules)), flush=True)
            os._exit(0)
        return False

app = QApplication(sys.argv[:1])
spy = FirstPaint()
app.installEventFilter(spy)
from profile_editor.app import main
main(["--data-dir", sys.argv[1]])
"""


def data_dir_in_use(data_dir: Path, sandbox_url: str) -> None:
    """A data directory as a user's looks: environments, a last choice, presets and history."""
    EnvironmentStore(data_dir / "environments.json").save(
        [Environment(name="Sandbox", base_url=sandbox_url, color=SANDBOX_COLOR)]
    )
    entry = PresetStore(data_dir / "presets").save(
        Preset(name="Ada", recipient_id="ada", profile={"email": "ada@example.com"})
    )
    (data_dir / "history").mkdir(parents=True)
    (data_dir / "history" / "history.jsonl").write_text("{}\n", encoding="utf-8")
    settings = f"[General]\nenvironment=Sandbox\npreset={entry.path}\n"
    (data_dir / "settings.ini").write_text(settings, encoding="utf-8")


def test_nothing_heavy_is_imported_before_the_first_paint(
    tmp_path: Path, child_env: dict[str, str]
) -> None:
    data_dir = tmp_path / "data"
    data_dir_in_use(data_dir, CLOSED_URL)
    done = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT, str(data_dir)],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "profile_editor.ui.shell.main_window" in loaded  # it was the app's window
    assert sorted(name for name in HEAVY if name in loaded) == []


def test_the_first_frame_shows_the_real_inputs_and_the_rest_follows(
    make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key, first_frame=True)
    assert not window.widget.is_started()
    # Not a splash: the recipient field, the editor and the buttons are the real ones.
    for kind, name in (
        (QLineEdit, "recipientIdEdit"),
        (QTableView, "fieldsView"),
        (QPushButton, "loadButton"),
        (QPushButton, "sendButton"),
    ):
        assert window.find(kind, name).isEnabled(), name
    # The JSON tab is there; its page is built with the rest, after the first paint.
    assert window.widget.findChild(QPlainTextEdit, "rawJsonEdit") is None
    assert window.status() == "Starting…"
    assert window.environment_shown() == "Custom"
    window.wait_started()
    assert window.status() == "Ready."
    for kind, name in (
        (QPlainTextEdit, "rawJsonEdit"),
        (QPlainTextEdit, "responseView"),
        (QPlainTextEdit, "patchJsonEdit"),
    ):
        assert window.find(kind, name), name
    assert window.history().objectName() == "historyPanel"


def test_a_click_on_send_while_starting_is_kept_and_made(
    make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key, first_frame=True)
    window.set_recipient("early")
    window.set_json_text('{"plan": "pro"}')
    with window.qtbot.waitSignal(window.widget.requestFinished, timeout=10_000) as blocker:
        window.click_send()
        # What the status says at once (its label takes it within a frame).
        assert window.widget.status_line.text() == "Starting… Send follows."
    assert blocker.args is not None and blocker.args[0].ok
    window.wait_idle()
    assert sandbox.get_profile("early") == {"plan": "pro"}


def test_typing_while_starting_is_not_replaced_by_the_last_preset(
    make_window: MakeWindow, sandbox: SandboxServer, tmp_path: Path
) -> None:
    data_dir_in_use(tmp_path / "data", sandbox.url)
    window = make_window(sandbox.url, None, first_frame=True)
    assert window.environment_shown() == "Sandbox"
    window.set_recipient("typed-early")
    window.wait_started()
    assert window.recipient() == "typed-early"
    assert window.title().startswith("*Untitled")


@pytest.mark.parametrize("validated", ["moved", "broken"])
def test_a_band_the_validation_changes_never_sends(
    make_window: MakeWindow,
    sandbox: SandboxServer,
    dialog_stub: DialogStub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    validated: str,
) -> None:
    """The first frame says "Sandbox" (the sandbox's URL); the validated file says otherwise."""
    data_dir = tmp_path / "data"
    path = data_dir / "environments.json"
    data_dir_in_use(data_dir, sandbox.url)
    if validated == "broken":
        # The quick read is fooled (its rules are the same as the validation's; here it is
        # made to disagree), the file itself cannot be used.
        quick = [EnvironmentData("Sandbox", sandbox.url, SANDBOX_COLOR)]
        monkeypatch.setattr(main_window, "read_environments_quickly", lambda _path: quick)
        path.write_text('{"environments": [', encoding="utf-8")
    window = make_window("https://api.courier.com", None, first_frame=True)
    assert window.environment_shown() == "Sandbox" and window.environment_url() == sandbox.url
    if validated == "moved":
        # Saved by another window between the quick read and the validation.
        EnvironmentStore(path).save([Environment(name="Sandbox", base_url=CLOSED_URL)])
    window.set_key(sandbox.key)
    window.set_recipient("ada")
    window.set_json_text('{"plan": "pro"}')
    window.click_send()
    window.wait_started()
    assert "was not made" in window.status() and window.status_state() == "warning"
    if validated == "broken":
        assert window.environment_shown() == "Production"
        assert "not valid JSON" in window.status()
    else:
        assert window.environment_url() == CLOSED_URL
        assert "changed while the window started" in window.status()
    assert window.key() != sandbox.key  # typed for the band shown: not carried over
    assert not window.is_busy()
    assert dialog_stub.kinds() == []
    assert sandbox.requests() == []


def test_a_start_finished_before_the_first_paint_still_warms_up_after_it(
    make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key, first_frame=True)
    window.widget.finish_start()  # e.g. a script that needs the whole window at once
    assert window.widget.is_started() and window.status() == "Ready."
    window.wait_history_loaded()  # read by the warm-up, once the first frame is painted
    window.fill(recipient="after-start", profile={"plan": "pro"})
    assert window.send().ok


def _styled_now(widget: QWidget) -> bool:
    """Whether a rule of app.qss styles ``widget`` as it is now, or names it (its rules may
    follow a property that changes): the type, the object name and the attributes match."""
    for rule in re.sub(r"/\*.*?\*/", "", read_text("app.qss"), flags=re.DOTALL).split("}"):
        selector = rule.split("{", 1)[0].strip()
        match = re.fullmatch(r"(\w+)(?:#([\w-]+))?((?:\[[^]]*\])*)(?::[\w-]+)?", selector)
        if not selector or match is None:
            continue
        kind, name, attributes = match.groups()
        if not widget.inherits(kind) or (name is not None and name != widget.objectName()):
            continue
        if name is not None:
            return True
        wanted = re.findall(r'\[(\w+)="([^"]*)"\]', attributes)
        values = {key: widget.property(key) for key, _ in wanted}
        shown = {key: str(v).lower() if isinstance(v, bool) else v for key, v in values.items()}
        if all(shown[key] == value for key, value in wanted):
            return True
    return False


def test_the_first_frame_styles_every_widget_the_style_sheet_has_rules_for(
    make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key, first_frame=True)
    styled = {w.objectName() for w in window.widget.findChildren(QWidget) if _styled_now(w)}
    assert "sendButton" in styled and "recipientIdEdit" in styled  # the check finds them
    assert styled <= set(FIRST_FRAME_STYLED)
    assert window.widget.styleSheet() == ""  # the whole sheet comes after the first paint
    window.wait_started()
    assert window.widget.styleSheet() != ""
    for name in FIRST_FRAME_STYLED:
        assert window.find(QWidget, name).styleSheet() == "", name


def test_the_first_frame_looks_as_the_started_window(
    make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    """The first frame's part of the style sheet gives its widgets the look the whole sheet
    gives them once the window has started: the same pixels, colours and all."""
    window = make_window(sandbox.url, sandbox.key, first_frame=True)
    names = (*FIRST_FRAME_STYLED, "environmentBand", "loadButton")

    def looks() -> dict[str, tuple[str, str, str, str, QImage]]:
        found = {}
        for name in names:
            widget = window.find(QWidget, name)
            widget.ensurePolished()
            colors = widget.palette()
            found[name] = (
                colors.color(QPalette.ColorRole.WindowText).name(),
                colors.color(QPalette.ColorRole.Button).name(),
                widget.font().toString(),
                str(widget.property("text")),
                widget.grab().toImage(),
            )
        return found

    before = looks()
    window.wait_started()
    after = looks()
    assert [name for name in names if before[name][:3] != after[name][:3]] == []
    # The pixels too, where the start does not change what the widget says (the key's source).
    same_text = [name for name in names if before[name][3] == after[name][3]]
    assert "sendButton" in same_text and "recipientIdEdit" in same_text
    assert [name for name in same_text if before[name][4] != after[name][4]] == []
    send = after["sendButton"][4]
    centre = send.pixelColor(4, send.height() // 2)
    assert centre.name() == main_window.palette.current().accent
